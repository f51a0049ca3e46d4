"""Mean episode accuracy and its 95 % interval from a few-shot run's scores (not part of its run key)."""
from __future__ import annotations

import numpy as np

from vadcore import metrics
from vadcore.methods.fewshot.config import Config


def evaluate(config: Config, scores: dict[str, list[np.ndarray]], clips=None, name: str | None = None) -> dict:
    """``accuracy`` and ``ci95`` (percent, 1.96·std/√N over episodes) of split ``name``
    (default ``test``: the unseen normal classes)."""
    accuracies = scores[name or "test"][0]
    mean, half = metrics.mean_confidence_interval(accuracies)
    return {"accuracy": 100 * mean, "ci95": 100 * half, "episodes": int(len(accuracies))}
