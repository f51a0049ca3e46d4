"""The dissociation family's settings per profile, as flat literals (notebook 04).

``full`` is the paper's setting as far as it is published (256×256; the authors' code: neck
width 32, 128 clusters); its schedule is ours (the paper gives none we could check). ``gpu`` keeps
that size, width and number of clusters on a schedule for one GPU in minutes, at ``cpu``'s
learning rate (10⁻³); ``cpu`` and ``smoke`` shrink the frames, widths, clusters and schedule.
Those three hold out two training clips for validation; at ``smoke`` and ``cpu`` the number of
deep k-means clusters, which the paper fixes for 256×256 only, is chosen on them by
:data:`VALIDATION`. On a GPU the forward passes run in bfloat16 (``tests/test_precision.py``).
"""
from __future__ import annotations

from vadcore.methods.dissociation.config import Config
from vadcore.profiles import ENGINE

PROFILES = {
    "smoke": {"size": (32, 48), "width": 8, "clusters": 8, "iterations": 60, "pretrain": 40, "kmeans_windows": 16,
              "lr": 1e-3, "validation_clips": 2, "validate_every": 30},
    "cpu": {"size": (96, 96), "width": 16, "clusters": 32, "iterations": 1500, "pretrain": 1000, "kmeans_windows": 128,
            "lr": 1e-3, "validation_clips": 2, "validate_every": 100},
    "gpu": {"size": (256, 256), "clusters": 128, "iterations": 3000, "pretrain": 2000, "kmeans_windows": 256,
            "lr": 1e-3, "validation_clips": 2, "validate_every": 500, "precision": "bf16"},
    "full": {"size": (256, 256), "clusters": 128, "precision": "bf16"},
}


# Validation search per profile (vadcore.methods.validation): trials on the profile's own schedule
# (the chosen one is the first seed's headline run), judged by CRITERION — the detection AUC of the
# fused score on pseudo-anomalies made from the held-out clips (vadcore.data.pseudo); their
# prediction PSNR is measured beside it (notebook 04 shows both).
CRITERION = "pseudo_auc"
VALIDATION = {
    "smoke": {"stages": [[{"clusters": 8}, {"clusters": 4}]]},
    "cpu": {"stages": [[{"clusters": k} for k in (16, 32, 64)]]},
}


def profile_config(profile: str, dataset: str, seed: int = 0, **overrides) -> Config:
    """The config a profile trains with; ``overrides`` set an ablation row."""
    return Config.from_profile({**ENGINE[profile], **PROFILES[profile]}, dataset, seed, **overrides)


def validation_steps(profile: str, dataset: str, seed: int = 0, *, device: str, **overrides):
    """The search of :data:`VALIDATION` as a study's steps (:mod:`vadcore.methods.study`), its runs
    with ``overrides`` (a schedule); returns ``(settings, choice)`` (``({}, None)`` where the profile
    searches nothing)."""
    from vadcore.methods.validation import search

    if profile not in VALIDATION:
        return {}, None
    base = profile_config(profile, dataset, seed, **overrides, device=device)
    choice = yield from search(base, VALIDATION[profile]["stages"], CRITERION, prefix="clusters")
    return dict(choice.chosen), choice
