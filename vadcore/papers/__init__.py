"""Numbers the papers report, copied from ``../shared/papers/`` as data (frame-level AUC in %).

Tables regenerate these cells next to ours; nothing here is ever used to choose anything.
Columns follow the papers' order: CUHK Avenue, UCSD Ped1, UCSD Ped2.
"""
from __future__ import annotations

PAPER_COLUMNS = {"avenue": 0, "ucsd_ped1": 1, "ucsd_ped2": 2}
DATASET_TITLES = {"avenue": "Avenue", "ucsd_ped1": "Ped1", "ucsd_ped2": "Ped2", "synthped": "synthped"}

# ADL = Zhou et al., "Attention-driven loss for anomaly detection in video surveillance".
ADL_TABLE_1 = {  # AUC comparison with the state of the art
    "MPPCA": (None, 59.0, 69.3),
    "MPPCA+SFA": (None, 66.8, 61.3),
    "MDT": (None, 81.8, 82.9),
    "3DConv-AE": (80.0, 75.0, 85.0),
    "ConvLSTM-AE": (77.0, 75.5, 88.1),
    "150FPS": (80.9, None, None),
    "DeepAppearance": (84.6, None, None),
    "Unmasking": (80.6, 68.4, 82.2),
    "TSC": (80.6, None, 91.0),
    "Stacked RNN": (81.7, None, 92.2),
    "AnoPred": (85.1, 83.1, 95.4),
    "ADL (ours)": (86.0, 83.9, 96.0),
}
ADL_TABLE_2 = {  # losses without flow and adversarial terms
    "ℓcl": (82.0, 74.6, 83.3),
    "ℓacl": (83.5, 77.1, 86.2),
    "ℓacl + ℓgd": (84.0, 77.6, 87.5),
    "ℓacl + ℓagd": (84.7, 79.2, 89.0),
}
ADL_TABLE_3 = {  # attention maps: human vs learned
    "Base": (85.0, 83.1, 95.2),
    "+Human attention": (85.3, 83.6, 94.7),
    "+Our attention": (86.0, 83.9, 96.0),
}
ADL_TABLE_4 = {  # the loss on reconstruction models
    "3DConv-AE": (80.0, 75.0, 85.0),
    "3DConv-AE + ADL": (82.5, 77.1, 87.2),
    "ConvLSTM-AE": (77.0, 75.5, 88.1),
    "ConvLSTM-AE + ADL": (78.6, 76.8, 90.3),
}
ADL_TABLE_5 = {0.0: 92.0, 0.1: 96.0, 0.2: 95.2, 0.3: 94.0, 0.4: 93.5}  # B on Ped2


def paper_value(table: dict, row: str, dataset: str) -> float | None:
    """The paper's value of ``row`` for ``dataset`` (``None`` where the paper has none, e.g. on
    synthped, which no paper uses)."""
    column = PAPER_COLUMNS.get(dataset)
    return None if column is None else table[row][column]
