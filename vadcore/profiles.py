"""Profiles: every notebook's ``profile`` parameter is one of these (``docs/profiles.md``).

| profile | data | where | budget | seeds |
|---|---|---|---|---|
| ``smoke`` (default) | synthetic | any CPU | ≤ 3 min per notebook on 2 cores | 1 |
| ``cpu`` | real UCSD Ped2 | 2-core CPU | ≤ 3 h per notebook | 3 |
| ``full`` | any dataset, the paper's settings | GPU | hours | 3 |

Each method family holds its own settings per profile (``vadcore.methods.<family>.profiles``).
"""
from __future__ import annotations

PROFILES = ("smoke", "cpu", "full")
DEFAULT_DATASET = {"smoke": "synthped", "cpu": "ucsd_ped2", "full": "ucsd_ped2"}
SEEDS = {"smoke": (0,), "cpu": (0, 1, 2), "full": (0, 1, 2)}


def check_profile(profile: str) -> str:
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    return profile


def default_dataset(profile: str) -> str:
    """The dataset a profile runs on when the notebook's ``dataset`` parameter is ``None``."""
    return DEFAULT_DATASET[check_profile(profile)]
