"""The protocol's metrics of a dissociation run's scores (not part of its run key)."""
from __future__ import annotations

import numpy as np

from vadcore import metrics
from vadcore.data.video import Video
from vadcore.methods.dissociation.config import Config


def evaluate(config: Config, scores: dict[str, list[np.ndarray]], videos: list[Video], name: str | None = None) -> dict:
    """Frame metrics of score ``name`` (default: the fused score with k-means, else the prediction
    error), the first ``frames − 1`` frames of every clip dropped from the labels."""
    name = name or ("fused" if config.kmeans else "error")
    labels = metrics.drop_first([v.labels for v in videos], config.frames - 1)
    return metrics.frame_metrics(scores[name], labels, higher_is_normal=name == "psnr").as_dict()
