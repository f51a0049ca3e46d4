"""The protocol's metrics of a prediction run's scores (not part of its run key). Notebooks 02–03."""
from __future__ import annotations

import numpy as np

from vadcore import metrics
from vadcore.data.video import Video
from vadcore.methods.prediction.config import Config


def evaluate(config: Config, scores: dict[str, list[np.ndarray]], videos: list[Video], name: str | None = None) -> dict:
    """Frame metrics of score ``name`` (default: the masked PSNR of a SEUNet run, else the PSNR),
    the first t frames of every clip dropped from the labels."""
    name = name or ("psnr_masked" if config.mask is not None else "psnr")
    labels = metrics.drop_first([v.labels for v in videos], config.frames)
    return metrics.frame_metrics(scores[name], labels, higher_is_normal=True).as_dict()
