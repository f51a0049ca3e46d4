"""Profiles (DESIGN §5): every notebook's ``profile`` parameter is one of these.

| profile | data | where | budget |
|---|---|---|---|
| ``smoke`` (default) | synthetic | any CPU | ≤ 3 min per notebook on 2 cores |
| ``cpu`` | real UCSD Ped2 | 2-core CPU | ≤ ~2 h per notebook |
| ``full`` | any dataset, the paper's settings | GPU | hours |
"""
from __future__ import annotations

PROFILES = ("smoke", "cpu", "full")
DEFAULT_DATASET = {"smoke": "synthped", "cpu": "ucsd_ped2", "full": "ucsd_ped2"}


def check_profile(profile: str) -> str:
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    return profile


def default_dataset(profile: str) -> str:
    """The dataset a profile runs on when the notebook's ``dataset`` parameter is ``None``."""
    return DEFAULT_DATASET[check_profile(profile)]
