"""The few-shot family's settings per profile, as flat literals (notebook 05).

``full`` is the paper's Kinetics setting (§4.1.2): 224×224 frames, ResNet-50 from ImageNet weights
(give the file's path as ``weights``), 128×128 key regions, SGD at 10⁻³ for 30,000 iterations of
16 episodes, 3 queries per class in training and 10,000 test episodes. ``cpu`` and ``smoke`` run
on synthactions with narrow ResNet-18s trained from scratch, smaller frames and key regions (the
same 4 : 7 ratio of region to frame as 128 : 224), no max pooling in the stem (feature maps and
anchor grids of 4×4 at 64×64, against the paper's 7×7 at 224×224; with it, 2×2 and 1×1), a
shorter schedule and fewer test episodes.
"""
from __future__ import annotations

from vadcore.methods.fewshot.config import Config

PROFILES = {
    "smoke": {"size": (32, 32), "crop": 16, "depth": 18, "width": 4, "maxpool": False, "out_dim": 32, "iterations": 20,
              "tasks_per_batch": 1, "lr": 1e-2, "test_episodes": 100},
    "cpu": {"size": (64, 64), "crop": 36, "depth": 18, "width": 16, "maxpool": False, "out_dim": 128, "iterations": 2000,
            "tasks_per_batch": 1, "lr": 1e-2, "test_episodes": 1000, "validation_episodes": 100,
            "validate_every": 250},
    "full": {},
}
DATASETS = {"smoke": "synthactions", "cpu": "synthactions", "full": "kinetics100"}
# synthactions settings per profile (SynthActionsConfig fields): frames as large as the profile's
SYNTHACTIONS = {
    "smoke": {"size": 32, "frames": 8, "clips_per_class": 8, "anomalous_clips_per_class": 8, "distractors": 2},
    "cpu": {"size": 64, "frames": 12, "clips_per_class": 20, "anomalous_clips_per_class": 20},
}


def profile_config(profile: str, dataset: str, seed: int = 0, **overrides) -> Config:
    """The config a profile trains with; ``overrides`` set an ablation row."""
    return Config(**{**PROFILES[profile], "dataset": dataset, "seed": seed, **overrides})
