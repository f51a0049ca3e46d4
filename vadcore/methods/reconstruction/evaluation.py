"""The protocol's metrics of a reconstruction run's scores (not part of its run key). Notebooks 01–02."""
from __future__ import annotations

import numpy as np

from vadcore import metrics
from vadcore.data.video import Video
from vadcore.methods.reconstruction.config import Config


def evaluate(config: Config, scores: dict[str, list[np.ndarray]], videos: list[Video], name: str | None = None) -> dict:
    """Frame metrics of the reconstruction error (every frame scored)."""
    return metrics.frame_metrics(scores[name or "error"], [v.labels for v in videos]).as_dict()
