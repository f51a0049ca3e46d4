"""The attention-driven-loss paper (notebook 02): its tables, its rows as prediction configs, its
claims and our deviations.

Each setting the paper trains is a *variant*: a set of overrides of the prediction family's
:class:`~vadcore.methods.prediction.Config`. Table rows name variants, so rows that mean the same
setting share one cached run (Table III's "Base" is AnoPred; Table V's B = 0.1 is ADL itself).
"""
from __future__ import annotations

from vadcore.papers import Claim, PaperTable, Reference

REFERENCE = Reference("J. T. Zhou, L. Zhang, Z. Fang, J. Du, X. Peng, X. Yang",
                      "Attention-driven loss for anomaly detection in video surveillance",
                      "IEEE Transactions on Circuits and Systems for Video Technology 30(12)", 2020)
ANOPRED = Reference("W. Liu, W. Luo, D. Lian, S. Gao", "Future frame prediction for anomaly detection — a new baseline",
                    "CVPR", 2018)
COLUMNS = ("avenue", "ucsd_ped1", "ucsd_ped2")

#: Where each numbered equation, table and figure of the paper lives in this project, in the
#: paper's order: a dotted name inside vadcore, a notebook section (``notebooks/<file>.ipynb#<its
#: heading>``) or ``"not implemented: <why>"`` (:func:`vadcore.report.schema.implementation_kind`).
#: Docstrings cite these keys as "ADL Eq. N"; ``tests/test_paper_maps.py`` checks both.
IMPLEMENTED = {
    "Fig. 1": "not implemented: the introduction's illustration (foreground and background objects, AnoPred's "
              "per-frame training loss split between them); Fig. 9 shows the split we measure",
    "Eq. 1": "vadcore.maps.attention.human_attention",
    "Eq. 2": "vadcore.maps.attention.ranking_objective",
    "Fig. 2": "notebooks/00_data_and_protocol.ipynb#1. The data",
    "Fig. 3": "notebooks/02_attention_driven_loss.ipynb#1. Attention maps (Section III)",
    "Fig. 4": "notebooks/02_attention_driven_loss.ipynb#1. Attention maps (Section III)",
    "Eq. 3": "not implemented: a step of the derivation (the static background cancels from the ranking hinge); "
             "no code computes it on its own",
    "Eq. 4": "notebooks/02_attention_driven_loss.ipynb#1. Attention maps (Section III)",
    "Eq. 5": "notebooks/02_attention_driven_loss.ipynb#1. Attention maps (Section III)",
    "Eq. 6": "vadcore.maps.attention.dynamic_image",
    "Fig. 5": "vadcore.methods.prediction.trainer.Trainer",
    "Eq. 7": "vadcore.maps.attention.normalize_attention",
    "Eq. 8": "vadcore.losses.intensity_loss",
    "Eq. 9": "vadcore.losses.gradient_loss",
    "Eq. 10": "vadcore.losses.gradient_loss",
    "Eq. 11": "vadcore.losses.adversarial_generator_loss",
    "Eq. 12": "vadcore.methods.prediction.trainer.Trainer.generator_loss",
    "Eq. 13": "vadcore.losses.adversarial_discriminator_loss",
    "Eq. 14": "vadcore.quality.psnr",
    "Eq. 15": "vadcore.quality.psnr",
    "Eq. 16": "vadcore.metrics.regularity",
    "Table I": "notebooks/02_attention_driven_loss.ipynb#5. Table I — comparison with the state of the art",
    "Fig. 6": "notebooks/02_attention_driven_loss.ipynb#11. Fig. 6 — score gap",
    "Fig. 7": "notebooks/02_attention_driven_loss.ipynb#12. Fig. 7 — foreground and background PSNR",
    "Table II": "notebooks/02_attention_driven_loss.ipynb#6. Table II — the attention-driven losses alone",
    "Fig. 8": "notebooks/02_attention_driven_loss.ipynb#13. Fig. 8 — error maps",
    "Fig. 9": "notebooks/02_attention_driven_loss.ipynb#14. Fig. 9 — foreground and background error during training",
    "Table III": "notebooks/02_attention_driven_loss.ipynb#7. Table III — human vs learned attention",
    "Table IV": "notebooks/02_attention_driven_loss.ipynb#8. Table IV — the loss on reconstruction models",
    "Table V": "notebooks/02_attention_driven_loss.ipynb#9. Table V — the background weight B",
}

TABLE_1 = PaperTable("Table I", "AUC comparison with the state of the art", COLUMNS, {
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
})
TABLE_2 = PaperTable("Table II", "Attention-driven losses without flow and adversarial terms", COLUMNS, {
    "ℓcl": (82.0, 74.6, 83.3),
    "ℓacl": (83.5, 77.1, 86.2),
    "ℓacl + ℓgd": (84.0, 77.6, 87.5),
    "ℓacl + ℓagd": (84.7, 79.2, 89.0),
})
TABLE_3 = PaperTable("Table III", "Attention maps: human vs learned", COLUMNS, {
    "Base": (85.0, 83.1, 95.2),
    "+Human attention": (85.3, 83.6, 94.7),
    "+Our attention": (86.0, 83.9, 96.0),
})
TABLE_4 = PaperTable("Table IV", "The loss on reconstruction models", COLUMNS, {
    "3DConv-AE": (80.0, 75.0, 85.0),
    "3DConv-AE + ADL": (82.5, 77.1, 87.2),
    "ConvLSTM-AE": (77.0, 75.5, 88.1),
    "ConvLSTM-AE + ADL": (78.6, 76.8, 90.3),
})
BACKGROUNDS = (0.0, 0.1, 0.2, 0.3, 0.4)
TABLE_5 = PaperTable("Table V", "Background weight B of Eq. 7", ("ucsd_ped2",),
                     {f"B = {b}": (v,) for b, v in zip(BACKGROUNDS, (92.0, 96.0, 95.2, 94.0, 93.5))})

NO_FLOW_NO_GAN = {"flow": 0.0, "adversarial": 0.0}
VARIANTS = {
    "AnoPred": {},
    "ADL": {"attention": "learned"},
    # Table II: content and gradient losses only (Sec. V-C1)
    "ℓcl": {"gradient": 0.0, **NO_FLOW_NO_GAN},
    "ℓacl": {"attention": "learned", "attend": ("intensity",), "gradient": 0.0, **NO_FLOW_NO_GAN},
    "ℓacl + ℓgd": {"attention": "learned", "attend": ("intensity",), **NO_FLOW_NO_GAN},
    "ℓacl + ℓagd": {"attention": "learned", **NO_FLOW_NO_GAN},
    # Table III
    "+Human attention": {"attention": "human"},
    # Table V (B = 0.1 is ADL itself)
    **{f"B = {b}": {"attention": "learned", "background": b} for b in BACKGROUNDS},
}
# paper row → variant, per table (Table IV's rows are reconstruction configs: RECONSTRUCTION_ROWS)
ROWS = {
    "I": {"AnoPred": "AnoPred", "ADL (ours)": "ADL"},
    "II": {name: name for name in ("ℓcl", "ℓacl", "ℓacl + ℓgd", "ℓacl + ℓagd")},
    "III": {"Base": "AnoPred", "+Human attention": "+Human attention", "+Our attention": "ADL"},
    "V": {f"B = {b}": f"B = {b}" for b in BACKGROUNDS},
}
HEADLINE = ("AnoPred", "ADL")  # trained with every seed of the profile, on the full schedule
# Table IV: paper row → (reconstruction model, attention)
RECONSTRUCTION_ROWS = {"3DConv-AE": ("conv_ae", None), "3DConv-AE + ADL": ("conv_ae", "learned"),
                       "ConvLSTM-AE": ("convlstm_ae", None), "ConvLSTM-AE + ADL": ("convlstm_ae", "learned")}

CLAIMS = {
    "I": Claim("the attention-driven loss improves AnoPred", "ADL (ours)", "AnoPred"),
    "II": Claim("the attention-driven content loss beats the plain one", "ℓacl", "ℓcl"),
    "II-gradient": Claim("the attention-driven gradient loss beats the plain one", "ℓacl + ℓagd", "ℓacl + ℓgd"),
    "III": Claim("the learned attention map beats the human one", "+Our attention", "+Human attention"),
    "IV-conv": Claim("the loss improves Conv-AE", "3DConv-AE + ADL", "3DConv-AE"),
    "IV-convlstm": Claim("the loss improves ConvLSTM-AE", "ConvLSTM-AE + ADL", "ConvLSTM-AE"),
    "V": Claim("B = 0.1 beats B = 0", "B = 0.1", "B = 0.0"),
}

DEVIATIONS = (
    "**Optical flow:** pyramidal Lucas–Kanade (`vadcore.flow`, no weights) replaces the frozen FlowNet, whose "
    "weights cannot be downloaded. Its gradient is of another size than FlowNet's, so λ_of is chosen on "
    "validation clips (section 3) instead of the paper's 2 at `smoke`, `cpu` and `gpu`; `full` keeps 2.",
    "**Size, widths and schedule:** `full` is the paper's setting (256×256, U-Net 64–512, patch discriminator "
    "128–512, AnoPred's Ped2 schedule: Adam, G 1e-4 and D 1e-5, both ÷10 after 7,000 of 80,000 iterations). "
    "`gpu` keeps the paper's size and widths on a 3,000-iteration schedule (the ablations: 1,000); `cpu` and "
    "`smoke` shrink frames, channel counts (discriminator at a quarter of the paper's widths) and schedules. "
    "These three keep the learning rates constant and choose them on validation clips.",
    "**Precision:** at `gpu` and `full` the forward passes run in bfloat16 autocast on the GPU (the losses and "
    "the optimizer in float32; at a small size the training curves agree with float32 within seed noise); "
    "float32 on the CPU.",
    "**Validation clips:** `smoke`, `cpu` and `gpu` train on the training clips minus two held out for validation "
    "(`vadcore.data.splits`); `full` trains on all of them.",
    "**Ablation schedule:** Tables II, III and V train one seed on a shorter schedule (half the profile's at "
    "`cpu`; a chosen learning-rate decay at the same share of it), "
    "their Base and B = 0.1 rows included, as SEUNet does for its own ablation; Table I's rows train every "
    "seed on the full schedule.",
    "**Adversarial loss:** AnoPred's code, which ADL builds on — least squares on the sigmoid of D's patch "
    "scores, ½ on both G's and D's terms (Eq. 11 has no ½), D updated before G on the same batch.",
    "**Window sampling:** as AnoPred's loader, a training clip uniformly at random, then a window uniformly "
    "within it.",
    "**PSNR peak:** 1 on frames in [0, 1], as AnoPred's code; Eq. 15 uses the prediction's maximum.",
    "**Frames:** grayscale (Ped2 is grayscale), resized to a square working size (`cpu`, `gpu`, `full`) or to "
    "synthped's 2:3 aspect (`smoke`).",
    "**One attention map per dataset:** Eq. 7 applied to the mean |dynamic image| of the training clips; the "
    "paper computes one map per video sequence without saying how sequences are combined for training.",
    "**Ped2 human ROI:** our own polygon (the paper's expert masks are not public); how it was drawn is in "
    "`vadcore/assets/ucsd_ped2_walkway.json`.",
)

# --------------------------------------------------------------------------------------------
# The runs the tables need
# --------------------------------------------------------------------------------------------
TABLE_VARIANTS = {"I": HEADLINE, "II": tuple(ROWS["II"].values()), "III": ("AnoPred", "+Human attention", "ADL"),
                  "V": tuple(ROWS["V"].values())}


def plan(profile: str, dataset: str, seeds: list[int], settings: dict, tables, ablation_iterations: int, *,
         device: str) -> dict:
    """``{(schedule, variant, seed): Config}`` for every prediction run the chosen ``tables``
    need: the headline variants (Table I, the figures) with every seed on the profile's schedule
    (``"full"``), the ablation rows of Tables II, III and V with the first seed on the shorter
    ``ablation_iterations`` schedule (``"short"``), their Base and B = 0.1 rows included.
    ``settings`` (chosen learning rates, λ_of, a student's overrides) apply to every run."""
    from vadcore.methods import prediction
    from vadcore.methods.prediction.profiles import on_schedule

    runs = {("full", v, s): prediction.profile_config(profile, dataset, s, **{**settings, **VARIANTS[v]}, device=device)
            for v in HEADLINE for s in seeds}
    ablation = dict.fromkeys(v for table in ("II", "III", "V") if table in tables for v in TABLE_VARIANTS[table])
    short = on_schedule(settings, ablation_iterations, profile)
    runs.update({("short", v, seeds[0]): prediction.profile_config(profile, dataset, seeds[0], **{**short, **VARIANTS[v]}, device=device)
                 for v in ablation})
    return runs


def study(profile: str, dataset: str, seeds, *, device: str, flow: float | None = None, lr: float | None = None,
          iterations: int | None = None, tables=("I", "II", "III", "IV", "V"), ablation_iterations: int | None = None, **_):
    """Notebook 02's runs (:mod:`vadcore.methods.study`): the validation search (λ_of, then the
    learning rates; labels ``("validation", stage, option)``), then :func:`plan`'s runs and Table
    IV's reconstruction runs (``("IV", row, seed)``). Returns the chosen ``settings``, the search
    (``choice``) and the ablations' schedule (``short``)."""
    from vadcore.methods import prediction, reconstruction
    from vadcore.methods.prediction.profiles import VALIDATION, on_schedule, validation_steps

    settings, choice = yield from validation_steps(profile, dataset, seeds[0], flow, lr, device=device)
    settings = settings if iterations is None else on_schedule(settings, iterations, profile)
    base = prediction.profile_config(profile, dataset, device=device)
    short = ablation_iterations or (VALIDATION[profile]["ablation_iterations"] if profile in VALIDATION else base.iterations // 10)
    runs = plan(profile, dataset, seeds, settings, tables, short, device=device)
    if "IV" in tables:
        runs.update({("IV", row, seeds[0]): reconstruction.profile_config(profile, dataset, seeds[0], model=model,
                                                                          attention=attention, device=device)
                     for row, (model, attention) in RECONSTRUCTION_ROWS.items()})
    yield runs
    return {"settings": settings, "choice": choice, "short": short}


# --------------------------------------------------------------------------------------------
# The tables' rows, from the finished runs
# --------------------------------------------------------------------------------------------
SCHEDULES = {"I": "full", "II": "short", "III": "short", "V": "short"}  # the schedule of each table's rows
PAPER_FLOW = 2.0  # the paper's λ_of (for FlowNet's flow)


def micro_auc(runs) -> dict[tuple[str, str], list[float]]:
    """``{(schedule, variant): [micro AUC % per seed]}`` of every prediction run of :func:`plan`
    among ``runs`` (labels ``(schedule, variant, seed)``), each variant's seeds in ``runs``' order."""
    from vadcore.report.rows import per_seed

    return per_seed(runs, dict.fromkeys(label[:-1] for label in runs if label[0] in ("full", "short")))


def ours(micro: dict, table: str) -> dict[str, list[float]]:
    """Our rows of paper table ``table`` (``"I"``, ``"II"``, ``"III"`` or ``"V"``): ``{paper row:
    micro AUC % per seed}`` of its variants on its schedule (:data:`SCHEDULES`), from :func:`micro_auc`."""
    return {row: micro[SCHEDULES[table], variant] for row, variant in ROWS[table].items()}


def paper_flow_trial(choice):
    """The trial of a validation search (``choice``; ``None``: no search) that kept the paper's
    λ_of (:data:`PAPER_FLOW`), or ``None``."""
    if choice is None:
        return None
    return next((t for t in choice.trials if t.config.flow == PAPER_FLOW), None)


def balance_rows(balance: dict[str, dict[str, dict]]) -> list[list[str]]:
    """The loss balance table's lines: for each model (``balance[model]``:
    :func:`vadcore.methods.prediction.diagnostics.run_gradient_shares`), each term's λ·ℓ, gradient
    norm, share of G's update and share of its gradient on static pixels."""
    return [[when, term, f"{r['weighted']:.4f}", f"{r['gradient_norm']:.3g}", f"{r['share']:+.3f}",
             f"{r['static_fraction']:.2f}"] for when, terms in balance.items() for term, r in terms.items()]
