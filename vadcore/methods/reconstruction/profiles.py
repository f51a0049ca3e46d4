"""The reconstruction family's settings per profile and model, as flat literals (notebook 01).

The tutorial trains at 256×256 with full widths (``full``); ``gpu`` keeps them with a longer
schedule than the tutorial's three epochs (one GPU, minutes); on a 2-core CPU, ``cpu`` and
``smoke`` shrink the frames and the channel counts. The ``cpu`` schedules were chosen on the
reconstruction error of held-out training clips (notebook 01 shows the validation curves); the
``gpu`` ones are not chosen yet (their validation curves are shown). Both models run in float32
on a GPU as on the CPU (TF32 products there): ``tests/test_precision.py`` checks bfloat16 only
for the prediction and dissociation families.
"""
from __future__ import annotations

from vadcore.methods.reconstruction.config import Config
from vadcore.profiles import ENGINE

PROFILES = {
    "smoke": {  # windows scored every 5th frame (the ConvLSTM-AE's every 10th, at an eighth of the widths): a
        # minute less of every smoke notebook that trains them
        "convlstm_ae": {"size": (32, 48), "width": 0.125, "iterations": 40, "validation_clips": 2, "validate_every": 20,
                        "score_stride": 10},
        "conv_ae": {"size": (32, 48), "width": 0.25, "iterations": 60, "validation_clips": 2, "validate_every": 20,
                    "score_stride": 5},
    },
    "cpu": {
        "convlstm_ae": {"size": (96, 96), "width": 0.25, "iterations": 1000, "validation_clips": 2, "validate_every": 100},
        "conv_ae": {"size": (96, 96), "width": 0.5, "iterations": 2000, "validation_clips": 2, "validate_every": 200},
    },
    "gpu": {
        # the tutorial's three epochs of Ped2 clips (strides 1–3) ≈ 600 batches of 4
        "convlstm_ae": {"size": (256, 256), "width": 1.0, "iterations": 1500, "validation_clips": 2, "validate_every": 250},
        "conv_ae": {"size": (256, 256), "width": 1.0, "iterations": 3000, "validation_clips": 2, "validate_every": 500},
    },
    "full": {
        "convlstm_ae": {"size": (256, 256), "width": 1.0, "iterations": 600},
        "conv_ae": {"size": (256, 256), "width": 1.0, "iterations": 5000},
    },
}


def profile_config(profile: str, dataset: str, seed: int = 0, **overrides) -> Config:
    """The config a profile trains ``model`` with (an override: ``convlstm_ae``, the default, or
    ``conv_ae``; others, e.g. ``attention="learned"``)."""
    model = overrides.setdefault("model", Config.model)
    return Config.from_profile({**ENGINE[profile], **PROFILES[profile][model]}, dataset, seed, **overrides)
