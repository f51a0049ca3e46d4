"""The prediction family's settings per profile, as flat literals (notebooks 02, 03).

``full`` is AnoPred's setting (the :class:`Config` defaults: its Ped2 setting, with its own λ_of on
Ped1 and learning rates on Avenue, :data:`FULL_BY_DATASET`), trained on every training clip. ``gpu`` keeps its frame size and widths (256×256, U-Net 64–512, discriminator 128–512) with
a schedule short enough for one GPU in minutes; ``cpu`` and ``smoke`` shrink frames, channel
counts and schedules for a 2-core CPU. Those three hold out two training clips for validation:
what the papers do not fix at their size and schedule — the learning rates and λ_of for the
Lucas–Kanade flow — is chosen on those clips by :data:`VALIDATION`
(:func:`vadcore.methods.validation.choose`, shown in notebook 02), never on test labels. On a GPU
the forward passes run in bfloat16 (``tests/test_precision.py`` shows the training curves agree
with float32 within seed noise).
"""
from __future__ import annotations

from vadcore.methods.prediction.config import Config
from vadcore.profiles import ENGINE

PROFILES = {
    "smoke": {"size": (32, 48), "width": 8, "discriminator": (8, 16, 32, 32), "iterations": 60, "decay_at": None,
              "lr_generator": 1e-3, "lr_discriminator": 1e-4, "validation_clips": 2, "validate_every": 30},
    "cpu": {"size": (96, 96), "width": 32, "discriminator": (32, 64, 128, 128), "iterations": 1200, "decay_at": None,
            "validation_clips": 2, "validate_every": 100},
    "gpu": {"size": (256, 256), "iterations": 3000, "decay_at": None, "validation_clips": 2, "validate_every": 500,
            "precision": "bf16"},
    "full": {"size": (256, 256), "precision": "bf16"},
}
# AnoPred's settings that differ by dataset (its training hyper-parameters; SEUNet trains as AnoPred),
# applied at ``full``: λ_of = 0.01 on Ped1, learning rates 2·10⁻⁴ / 2·10⁻⁵ on Avenue
FULL_BY_DATASET = {"ucsd_ped1": {"flow": 0.01}, "avenue": {"lr_generator": 2e-4, "lr_discriminator": 2e-5}}

# Validation search per profile: stages of overrides tried in turn, each trial on the schedule its
# setting will be used with (the profile's; ``gpu`` keeps 1,000-iteration trials within its budget): λ_of at the paper's
# learning rates first (the flow term is what the substitute estimator puts in question), then the
# learning rates (G:D kept at the paper's 10:1) at the chosen λ_of, then whether both fall ÷10
# part-way (AnoPred's decay; None: constant). A trial is judged by CRITERION: the detection AUC of
# pseudo-anomalies made from the held-out clips (vadcore.data.pseudo); their prediction PSNR is
# measured beside it (notebook 02 shows both). The ablation rows of notebooks 02 and 03 train
# ``ablation_iterations``, any chosen decay at the same share of that schedule (:func:`on_schedule`).
CRITERION = "pseudo_auc"
VALIDATION = {
    "smoke": {"ablation_iterations": 30,
              "stages": [[{"flow": 2.0}, {"flow": 0.0}],
                         [{"lr_generator": lr, "lr_discriminator": lr / 10} for lr in (1e-3, 3e-3)],
                         [{"decay_at": None}, {"decay_at": 30}]]},
    "cpu": {"ablation_iterations": 600,
            "stages": [[{"flow": flow} for flow in (2.0, 0.2, 0.02, 0.0)],
                       [{"lr_generator": lr, "lr_discriminator": lr / 10} for lr in (1e-4, 3e-4, 1e-3)],
                       [{"decay_at": None}, {"decay_at": 600}]]},
    "gpu": {"iterations": 1000, "ablation_iterations": 1000,
            "stages": [[{"flow": flow} for flow in (2.0, 0.2, 0.0)],
                       [{"lr_generator": lr, "lr_discriminator": lr / 10} for lr in (1e-4, 3e-4, 1e-3)]]},
}


def on_schedule(settings: dict, iterations: int, profile: str) -> dict:
    """``settings`` for a run of ``iterations`` instead of their schedule (theirs, else the
    profile's): a chosen decay (``decay_at``) moves to the same share of the new schedule."""
    decay = settings.get("decay_at")
    if decay is not None:
        schedule = settings.get("iterations") or PROFILES[profile].get("iterations", Config.iterations)
        decay = max(1, round(decay * iterations / schedule))
    return {**settings, "iterations": iterations, **({} if decay is None else {"decay_at": decay})}


def profile_config(profile: str, dataset: str, seed: int = 0, **overrides) -> Config:
    """The config a profile trains with (at ``full``, the dataset's own AnoPred settings);
    ``overrides`` set a table row's losses, maps or schedule."""
    per_dataset = FULL_BY_DATASET.get(dataset, {}) if profile == "full" else {}
    return Config.from_profile({**ENGINE[profile], **PROFILES[profile], **per_dataset}, dataset, seed, **overrides)


def validation_steps(profile: str, dataset: str, seed: int = 0, flow: float | None = None, lr: float | None = None,
                     *, device: str):
    """The validation search of :data:`VALIDATION` as a study's steps (:mod:`vadcore.methods.study`):
    λ_of, then the learning rates (D's at a tenth of G's), then their decay, judged by :data:`CRITERION` on the
    profile's held-out training clips, keeping any of them given here (a stage whose every option
    is given is skipped). Returns ``(settings, choice)``: the overrides chosen, and every trial
    (``None`` when nothing is searched: the ``full`` profile, or every stage given).
    Notebooks 02, 03 and 04 share its runs."""
    from vadcore.methods.validation import search

    fixed = {k: v for k, v in {"flow": flow, "lr_generator": lr, "lr_discriminator": lr and lr / 10}.items()
             if v is not None}
    settings = VALIDATION.get(profile, {"stages": []})
    stages = [kept for stage in settings["stages"] if (kept := [o for o in stage if not set(o) & set(fixed)])]
    if not stages:
        return fixed, None
    schedule = {"iterations": settings["iterations"]} if "iterations" in settings else {}
    base = profile_config(profile, dataset, seed, **schedule, **fixed, device=device)
    choice = yield from search(base, stages, CRITERION, prefix="validation")
    return {**choice.chosen, **fixed}, choice
