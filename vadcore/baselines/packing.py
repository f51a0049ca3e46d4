"""What packing a dataset (:mod:`vadcore.data.pack`, for a borrowed GPU) changes to the scores that
learn nothing: ``vadcore data pack --compare`` records it in the pack's manifest."""
from __future__ import annotations

import numpy as np

from vadcore.baselines.frames import TRIVIAL_PREDICTORS, frame_difference_metrics, trivial_predictions
from vadcore.data.video import VideoSet
from vadcore.methods import prediction


def compare(original: VideoSet, packed: VideoSet) -> dict:
    """What packing changed, both sets at the pack's size: the frames' PSNR, and the micro AUC
    of the scores that learn nothing — frame difference, copying the last frame and linear
    extrapolation (scored as a learned predictor of that size would be)."""
    squared, count = 0.0, 0
    for a, b in zip(original.videos, packed.videos):
        difference = np.asarray(a.frames, np.float64) - np.asarray(b.frames, np.float64)
        squared, count = squared + float((difference ** 2).sum()), count + difference.size
    rows = {"frame difference": [frame_difference_metrics(d.test).micro_auc for d in (original, packed)]}
    config = prediction.Config(size=tuple(packed.videos[0].frames.shape[1:3]), validation_clips=0)
    predictors = [trivial_predictions(config, d) for d in (original, packed)]
    for name in TRIVIAL_PREDICTORS:
        rows[name] = [p[name]["metrics"]["micro_auc"] for p in predictors]
    return {"psnr_db": round(10 * np.log10(255 ** 2 / (squared / count)), 2),
            "micro_auc_%": {name: {"original": round(100 * a, 2), "packed": round(100 * b, 2),
                                   "difference": round(100 * (b - a), 2)} for name, (a, b) in rows.items()}}
