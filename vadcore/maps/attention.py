"""Attention maps of the attention-driven loss (Zhou et al., "Attention-driven loss for anomaly
detection in video surveillance", IEEE TCSVT 2020 — ADL; notebook 02).

The learned map starts from the ranking objective of dynamic images (ADL Eq. 2)::

    F(M) = 2/(T(T−1)) Σ_{t1 ≥ t2} max(0, 1 − S(t1|M) + S(t2|M)) + λ/2 ‖M‖²,
    S(t|M) = ⟨M, V^t⟩_F,  V^t = (1/t) Σ_{τ≤t} I^τ.

One gradient step from M = 0 gives the closed form (Eqs. 4–6)::

    M* ∝ Σ_{t1 > t2} V^{t1} − V^{t2} = Σ_t α(t) I^t,  α(t) = 2(T − t + 1) − (T + 1)(H_T − H_{t−1}),

with H_t the t-th harmonic number, and the map is normalised with a background weight B (Eq. 7)::

    A = |M| / (max M − min M) + B.
"""
from __future__ import annotations

import json
from importlib.resources import files

import numpy as np
import torch


def dynamic_image_weights(T: int) -> np.ndarray:
    """α(1 … T) of ADL Eq. 6 (Bilen et al.'s approximate rank pooling)."""
    harmonic = np.concatenate([[0.0], np.cumsum(1.0 / np.arange(1, T + 1))])  # H_0 … H_T
    t = np.arange(1, T + 1)
    return 2.0 * (T - t + 1) - (T + 1) * (harmonic[T] - harmonic[t - 1])


def dynamic_image(frames) -> np.ndarray:
    """M = Σ_t α(t) I^t (ADL Eq. 6) for frames ``(T, H, W[, C])`` in any intensity scale."""
    frames = np.asarray(frames, np.float64)
    alpha = dynamic_image_weights(len(frames))
    return np.tensordot(alpha, frames, axes=1)


def normalize_attention(mask: np.ndarray, background: float = 0.1) -> np.ndarray:
    """ADL Eq. 7: A = |M| / (max M − min M) + B (B = 0.1 in the paper)."""
    mask = np.asarray(mask, np.float64)
    span = mask.max() - mask.min()
    scaled = np.zeros_like(mask) if span == 0 else np.abs(mask) / span
    return scaled + background


def ranking_objective(mask: torch.Tensor, frames: torch.Tensor, weight_decay: float = 0.0) -> torch.Tensor:
    """F(M) of ADL Eq. 2, differentiable (used to check the closed form against autograd)."""
    T = frames.shape[0]
    running_means = frames.cumsum(0) / torch.arange(1, T + 1, dtype=frames.dtype).reshape(-1, *[1] * (frames.ndim - 1))
    scores = (running_means * mask).flatten(1).sum(1)  # S(t|M)
    earlier, later = torch.triu_indices(T, T)  # every pair t1 ≥ t2 (t1 = later, t2 = earlier)
    hinge = torch.clamp(1 - scores[later] + scores[earlier], min=0)
    return 2.0 / (T * (T - 1)) * hinge.sum() + weight_decay / 2 * mask.pow(2).sum()


def learned_attention(videos, background: float = 0.1) -> np.ndarray:
    """ADL's data-driven attention map (Fig. 4) for a set of training clips, ``(H, W)``.

    Each clip's dynamic image M_v (Eq. 6, frames scaled to [0, 1], colour averaged) summarises
    its motion; the dataset's map is Eq. 7 applied to their mean magnitude (1/V) Σ_v |M_v|.
    Only training clips may be passed: the map is part of training."""
    magnitudes = []
    for video in videos:
        frames = np.asarray(video.frames, np.float64) / 255.0
        if frames.ndim == 4:
            frames = frames.mean(-1)
        magnitudes.append(np.abs(dynamic_image(frames)))
    return normalize_attention(np.mean(magnitudes, axis=0), background)


def human_attention(roi: np.ndarray, background: float = 0.1) -> np.ndarray:
    """ADL Eq. 1: A = M + B for a binary region-of-interest mask M."""
    return np.asarray(roi, np.float64) + background


def roi_mask(dataset: str, size: tuple[int, int]) -> np.ndarray:
    """The human-drawn ROI of ``dataset`` at ``size`` (bool ``(H, W)``): synthped's walkway,
    or the polygon shipped in ``vadcore/assets/<dataset>_walkway.json`` (how it was drawn is
    recorded in the file)."""
    from skimage.draw import polygon2mask

    height, width = size
    if dataset == "synthped":
        from vadcore.data.synthped import walkway_mask
        from vadcore.data.video import resize_masks

        return resize_masks(walkway_mask()[None], size)[0]
    asset = files("vadcore") / "assets" / f"{dataset}_walkway.json"
    if not asset.is_file():
        raise ValueError(f"no human ROI is shipped for {dataset!r} (expected {asset})")
    vertices = np.asarray(json.loads(asset.read_text())["polygon_xy"], np.float64)
    rows_cols = np.stack([vertices[:, 1] * height, vertices[:, 0] * width], axis=1)
    return polygon2mask((height, width), rows_cols)


def attention_map(kind: str, videos, dataset: str, size: tuple[int, int], background: float = 0.1) -> np.ndarray:
    """The loss weight map ``(H, W)`` a prediction or reconstruction run trains with:
    ``"learned"`` (Eq. 7 on the training clips) or ``"human"`` (Eq. 1 on the dataset's ROI)."""
    if kind == "learned":
        return learned_attention(videos, background)
    if kind == "human":
        return human_attention(roi_mask(dataset, size), background)
    raise ValueError(f"unknown attention map {kind!r}; choose 'learned' or 'human'")
