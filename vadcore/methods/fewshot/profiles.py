"""The few-shot family's settings per profile, as flat literals (notebook 05).

``full`` is the paper's Kinetics setting (§4.1.2): 224×224 frames, ResNet-50 from ImageNet weights
(give the file's path as ``weights``), 128×128 key regions, SGD at 10⁻³ for 30,000 iterations of
16 episodes, 3 queries per class in training and 10,000 test episodes. ``cpu`` and ``smoke`` run
on synthactions with narrow ResNet-18s trained from scratch, smaller frames and key regions (the
same 4 : 7 ratio of region to frame as 128 : 224), no max pooling in the stem (feature maps and
anchor grids of 4×4 at 64×64, against the paper's 7×7 at 224×224; with it, 2×2 and 1×1), a
shorter schedule of one episode per step, fewer test episodes, and Adam instead of SGD: from
scratch, plain SGD (10⁻³ to 3·10⁻², 300–600 steps) left TRX at chance on the validation classes,
where Adam at 10⁻³ reached 40–49 % after 300 steps (measured while choosing the profile; a
pretraining of the backbone on 64-way clip classification, 300 steps, did not help: 22 %). Trained
on 1-shot episodes for 600 steps TRX stayed at chance (21 %), so one model per method and seed is
trained on 5-shot episodes and tested at 1 and 5 shots (``test_shots``).
"""
from __future__ import annotations

from vadcore.methods.fewshot.config import Config

PROFILES = {
    "smoke": {"size": (32, 32), "crop": 16, "depth": 18, "width": 4, "maxpool": False, "out_dim": 32, "iterations": 20,
              "optimizer": "adam", "shot": 5, "test_shots": (1, 5), "tasks_per_batch": 1, "test_episodes": 100,
              "validation_episodes": 20, "validate_every": 5},
    "cpu": {"size": (64, 64), "crop": 36, "depth": 18, "width": 16, "maxpool": False, "out_dim": 128, "iterations": 1000,
            "optimizer": "adam", "shot": 5, "test_shots": (1, 5), "tasks_per_batch": 1, "test_episodes": 1000,
            "validation_episodes": 100, "validate_every": 100},
    "full": {},
}
DATASETS = {"smoke": "synthactions", "cpu": "synthactions", "full": "kinetics100"}
# the dataset whose test classes are the anomalous split (synthactions has its own)
ANOMALOUS = {"full": "ucfcrime_v2"}
# synthactions settings per profile (SynthActionsConfig fields): frames as large as the profile's
SYNTHACTIONS = {
    "smoke": {"size": 32, "frames": 8, "clips_per_class": 8, "anomalous_clips_per_class": 8, "distractors": 2},
    "cpu": {"size": 64, "frames": 12, "clips_per_class": 20, "anomalous_clips_per_class": 20},
}


# Validation search per profile: the learning rate, on TRX (the baseline, so that the key-region
# model gets no tuning of its own) at the largest shot, by the accuracy on episodes of the
# validation classes; both methods then train at the chosen rate.
VALIDATION = {
    "smoke": {"iterations": 10, "shot": 5, "stages": [[{"lr": 1e-3}, {"lr": 3e-3}]]},
    "cpu": {"iterations": 300, "shot": 5, "stages": [[{"lr": lr} for lr in (3e-4, 1e-3, 3e-3)]]},
}
TRX = {"key_region": False, "relation": False, "refined": False, "extra_losses": False, "random_regions": 0.0}


def profile_config(profile: str, dataset: str, seed: int = 0, **overrides) -> Config:
    """The config a profile trains with; ``overrides`` set an ablation row."""
    return Config(**{**PROFILES[profile], "dataset": dataset, "seed": seed, **overrides})


def validated_settings(profile: str, data, seed: int = 0, cache=None, lr: float | None = None):
    """``(settings, choice)``: the learning rate the validation search of :data:`VALIDATION` chooses
    on ``data``'s validation classes (``lr`` given: no search; ``full``: the paper's 10⁻³), and
    every trial (``None`` without a search)."""
    from vadcore.methods.validation import choose

    if lr is not None or profile not in VALIDATION:
        return ({"lr": lr} if lr is not None else {}), None
    search = VALIDATION[profile]
    base = profile_config(profile, data.name, seed, iterations=search["iterations"], shot=search["shot"], **TRX)
    choice = choose(base, data, search["stages"], "accuracy", cache=cache)
    return dict(choice.chosen), choice
