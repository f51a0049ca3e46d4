"""The protocol's metrics of a frame-scoring family's run (not part of any run's key: metrics are
recomputed from the stored scores whenever a run is read, :mod:`vadcore.methods.code`)."""
from __future__ import annotations

from collections.abc import Callable, Collection

import numpy as np

from vadcore import metrics
from vadcore.methods.base import MethodConfig


def frame_evaluation(scored_frames: Callable[[MethodConfig, int], np.ndarray], headline: Callable[[MethodConfig], str],
                     higher_is_normal: Collection[str] = ()) -> Callable[..., dict]:
    """A family's ``evaluate(config, scores, videos, name=None)``: the frame metrics
    (:func:`vadcore.metrics.frame_metrics`) of score ``name`` (default ``headline(config)``)
    against the labels of the frames its scores belong to — ``scored_frames(config, n_frames)``,
    the indices of a clip's scored frames in the order of its scores. Scores named in
    ``higher_is_normal`` (a PSNR) rank normal frames higher."""

    def evaluate(config: MethodConfig, scores: dict[str, list[np.ndarray]], videos, name: str | None = None) -> dict:
        name = name or headline(config)
        labels = [np.asarray(v.labels)[scored_frames(config, len(v.labels))] for v in videos]
        return metrics.frame_metrics(scores[name], labels, higher_is_normal=name in higher_is_normal).as_dict()

    return evaluate
