"""Mean episode accuracy and its 95 % interval from a few-shot run's scores (not part of its run key)."""
from __future__ import annotations

import numpy as np

from vadcore import metrics
from vadcore.methods.fewshot.config import Config


def at_shot(config: Config, scores: dict[str, list[np.ndarray]], split: str, shot: int) -> np.ndarray:
    """Per-episode accuracies (fractions) of split ``split`` at ``shot`` examples per class."""
    if shot not in config.evaluated_shots:
        raise ValueError(f"this run was tested at {config.evaluated_shots} shots, not {shot}")
    return scores[split][config.evaluated_shots.index(shot)]


def headline(config: Config) -> str:
    """The split a table reports: the unseen normal classes (``test``)."""
    return "test"


def evaluate(config: Config, scores: dict[str, list[np.ndarray]], clips=None, name: str | None = None) -> dict:
    """``accuracy`` and ``ci95`` (percent, 1.96·std/√N over episodes) of split ``name``
    (default ``test``: the unseen normal classes) at the training shot (else the largest tested)."""
    shot = config.shot if config.shot in config.evaluated_shots else config.evaluated_shots[-1]
    accuracies = at_shot(config, scores, name or headline(config), shot)
    mean, half = metrics.mean_confidence_interval(accuracies)
    return {"accuracy": 100 * mean, "ci95": 100 * half, "episodes": int(len(accuracies))}
