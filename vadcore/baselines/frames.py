"""Trivial frame-level anomaly scores that every learned model must beat (notebook 00, and the
reference rows of every table of notebooks 01–04).

- Random scores and frame difference score frame ``t`` from frames ``t-1`` and ``t``, so the first
  frame of every clip has no score (``metrics.drop_first(labels, 1)``).
- The trivial *predictors* — copy the last frame, linear extrapolation
  (:mod:`vadcore.models.trivial`) — are scored through the prediction family's own PSNR path, on
  the same frames and with the same normalisation as a learned predictor of the same config: they
  are what a frame predictor gets for learning nothing.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.ndimage import gaussian_filter

from vadcore import metrics
from vadcore.data.splits import validation_split
from vadcore.data.video import Video, VideoSet
from vadcore.methods import prediction
from vadcore.models.trivial import CopyLast, LinearExtrapolation

FIRST_SCORED = 1  # frames per clip without a score


def random_scores(videos: Sequence[Video], seed: int) -> list[np.ndarray]:
    """Uniform noise: the chance level (AUC ≈ 0.5) any metric should report for it."""
    rng = np.random.default_rng(seed)
    return [rng.random(v.n_frames - FIRST_SCORED) for v in videos]


def frame_difference(video: Video) -> np.ndarray:
    """Mean absolute difference between consecutive frames, in [0, 1] intensity units: raw
    motion energy, higher for more (or faster) moving objects."""
    frames = np.asarray(video.frames, np.float32) / 255.0
    return np.abs(np.diff(frames, axis=0)).reshape(len(frames) - 1, -1).mean(axis=1)


def frame_difference_scores(videos: Sequence[Video]) -> list[np.ndarray]:
    """:func:`frame_difference` of every clip (notebook 00's motion-energy score)."""
    return [frame_difference(v) for v in videos]


def frame_difference_metrics(videos: Sequence[Video], first_scored: int = FIRST_SCORED) -> metrics.FrameMetrics:
    """Frame metrics of the frame-difference score on frames ``first_scored + 1 … T`` of every
    clip: pass a predictor's ``t`` to compare the two on the very same frames."""
    if first_scored < FIRST_SCORED:
        raise ValueError(f"frame difference cannot score the first {FIRST_SCORED} frame(s) of a clip")
    scores = [s[first_scored - FIRST_SCORED:] for s in frame_difference_scores(videos)]
    return metrics.frame_metrics(scores, metrics.drop_first([v.labels for v in videos], first_scored))


def frame_difference_maps(video: Video, sigma: float = 2.0) -> np.ndarray:
    """Per-pixel motion energy ``|I_t − I_{t−1}|`` smoothed by a Gaussian (σ in pixels): the
    trivial per-pixel anomaly map for the UCSD pixel-level rule."""
    frames = np.asarray(video.frames, np.float32) / 255.0
    difference = np.abs(np.diff(frames, axis=0))
    if difference.ndim == 4:
        difference = difference.mean(axis=3)
    return gaussian_filter(difference, sigma=(0, sigma, sigma))


def evaluate_trivial(videos: Sequence[Video], seeds: Sequence[int]) -> dict[str, list]:
    """Frame metrics of the trivial scores, with the pixel-level AUC of the frame-difference
    maps where the videos have masks.

    Returns ``{"random": [FrameMetrics per seed], "frame difference": [FrameMetrics]}``.
    """
    labels = metrics.drop_first([v.labels for v in videos], FIRST_SCORED)
    has_masks = all(v.masks is not None for v in videos)
    results = {"random": [], "frame difference": []}
    for seed in seeds:
        scores = random_scores(videos, seed)
        results["random"].append(metrics.frame_metrics(scores, labels))
    result = frame_difference_metrics(videos)
    if has_masks:
        maps = [frame_difference_maps(v) for v in videos]
        result.pixel_auc = metrics.pixel_auc(maps, [v.masks[FIRST_SCORED:] for v in videos], labels)[0]
    results["frame difference"].append(result)
    return results


TRIVIAL_PREDICTORS = {"copy last frame": CopyLast, "linear extrapolation": LinearExtrapolation}


def trivial_predictions(config: prediction.Config, data: VideoSet) -> dict[str, dict]:
    """For each trivial predictor, scored like a learned predictor of ``config`` on ``data``
    (same frames, same PSNR, with a SEUNet config the same mask): ``{"scores": per-clip scores,
    "metrics": frame metrics of the config's headline score, "val_psnr": mean PSNR on the
    config's held-out validation clips, measured as training measures a learned predictor's
    ``val_psnr`` curve (``nan`` without validation clips)}``."""
    kept, held_out = validation_split(data.train, config.validation_clips)
    mask = prediction.loss_maps(config, kept)[1]
    results = {}
    for name, predictor in TRIVIAL_PREDICTORS.items():
        model = prediction.Predictor(predictor(), None if mask is None else mask.reshape(1, 1, *mask.shape))
        scores = prediction.score(config, model, data.test)
        validation = prediction.validation_scores(model, held_out, config.frames)["psnr"] if held_out else float("nan")
        results[name] = {"scores": scores, "metrics": prediction.evaluate(config, scores, data.test),
                         "val_psnr": validation}
    return results
