"""Saliency masks of SEUNet (notebook 03): the spatio-temporal saliency SGSP, and the mask made of it.

SEUNet (a Chinese-language paper on video anomaly detection with a saliency-extraction U-Net;
see ``vadcore.papers.seunet``) masks every training frame with the salient region of the scene
before training an AnoPred predictor (Eqs. 1–3), weights its losses with the mask (Eqs. 4–5) and
scores only the salient region (Eqs. 9–10). Its saliency is SGSP (Z. Liu, J. Li, L. Ye, G. Sun,
L. Shen, "Saliency detection for unconstrained videos using superpixel-level graph and
spatiotemporal propagation", IEEE TCSVT 27(12), 2017), built here from scikit-image and scipy:

1. **Superpixels** (SLIC) of every frame, and per superpixel a **motion histogram** (flow
   orientation weighted by magnitude, plus a "still" bin; flow from :class:`vadcore.flow.LucasKanade`)
   and an **intensity histogram**.
2. **Motion saliency by shortest paths**: an undirected graph over adjacent superpixels whose edge
   weights are the χ² distances of their motion histograms, plus a background node joined to the
   superpixels on the frame border (weighted by their own motion). A superpixel's saliency is the
   length of its shortest path to the background: a moving object is separated from the static
   border by motion edges, the static scene is not.
3. **Temporal propagation**, forward and backward: each superpixel takes in the saliency of the
   superpixels of the previous (next) frame near its position, weighted by their intensity and
   motion similarity — salient regions stay salient across frames.
4. **Spatial propagation**, local (adjacent superpixels) and global (every superpixel of the frame),
   weighted by feature similarity; the map is normalised to [0, 1] per frame.

The mask (Eqs. 1–3): each map binarised at its Otsu threshold g (the paper's "best segmentation
threshold"), the union over all training frames, connected regions smaller than ``min_area``
pixels removed (``bwareaopen`` → ``skimage.morphology.remove_small_objects``). The named baseline
``"motion"`` replaces SGSP by background subtraction (:func:`vadcore.maps.foreground.motion_foreground`),
so notebook 03 shows what the graph and the propagation add.

Masks are cached per training set and code under ``data/cache/saliency/``.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra
from skimage.filters import threshold_otsu
from skimage.segmentation import slic

from vadcore import paths
from vadcore.atomic import atomic_path
from vadcore.flow import LucasKanade
from vadcore.maps.foreground import motion_foreground
from vadcore.maps.morphology import remove_objects_up_to
from vadcore.progress import progress

KINDS = ("sgsp", "motion")


@dataclass(frozen=True)
class SGSPSettings:
    """SGSP's settings (the paper's defaults where it gives them, scaled to small frames)."""

    superpixel_area: int = 40  # pixels per SLIC superpixel (n_segments = H·W / area)
    compactness: float = 0.1  # SLIC on intensities in [0, 1]
    orientation_bins: int = 8
    intensity_bins: int = 16
    still: float = 0.2  # flow magnitude (pixels) below which a pixel counts as still
    temporal_weight: float = 0.5  # share of the propagated saliency in the temporal step
    radius: float = 2.0  # temporal neighbours: centroid distance within radius × superpixel size
    similarity: float = 0.5  # σ of the χ² feature distance in the propagation weights
    flow_ridge: float = 1e-2  # Lucas–Kanade's ridge: flat, noisy regions read as still (its default: 1e-4)


# --------------------------------------------------------------------------------------------
# Superpixels and their features
# --------------------------------------------------------------------------------------------
def superpixels(frame: np.ndarray, settings: SGSPSettings = SGSPSettings()) -> np.ndarray:
    """SLIC labels ``(H, W)`` (0 … n−1) of a grayscale frame ``(H, W)`` in [0, 1]."""
    n_segments = max(4, frame.size // settings.superpixel_area)
    labels = slic(frame, n_segments=n_segments, compactness=settings.compactness, channel_axis=None, start_label=0)
    return np.unique(labels, return_inverse=True)[1].reshape(labels.shape)


def _histograms(labels: np.ndarray, bins: np.ndarray, weights: np.ndarray, n_bins: int) -> np.ndarray:
    n = labels.max() + 1
    counts = np.bincount(labels.ravel() * n_bins + bins.ravel(), weights.ravel(), minlength=n * n_bins)
    counts = counts.reshape(n, n_bins)
    return counts / np.maximum(counts.sum(1, keepdims=True), 1e-12)


def motion_histograms(labels: np.ndarray, flow: np.ndarray, settings: SGSPSettings = SGSPSettings()) -> np.ndarray:
    """Per superpixel, the histogram of flow orientations weighted by magnitude, with a last bin
    for still pixels (weight 1 each) — ``(n, orientation_bins + 1)``, rows summing to 1."""
    dx, dy = flow
    magnitude = np.hypot(dx, dy)
    orientation = ((np.arctan2(dy, dx) + np.pi) / (2 * np.pi) * settings.orientation_bins).astype(int)
    orientation = np.clip(orientation, 0, settings.orientation_bins - 1)
    still = magnitude < settings.still
    bins = np.where(still, settings.orientation_bins, orientation)
    weights = np.where(still, 1.0, magnitude)
    return _histograms(labels, bins, weights, settings.orientation_bins + 1)


def intensity_histograms(labels: np.ndarray, frame: np.ndarray, settings: SGSPSettings = SGSPSettings()) -> np.ndarray:
    """Per superpixel, the histogram of intensities (the grayscale form of SGSP's colour
    histogram) — ``(n, intensity_bins)``, rows summing to 1."""
    bins = np.clip((frame * settings.intensity_bins).astype(int), 0, settings.intensity_bins - 1)
    return _histograms(labels, bins, np.ones_like(frame), settings.intensity_bins)


def chi_square(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """χ² distance ½ Σ (a − b)² / (a + b) between histograms (rows), in [0, 1]."""
    return 0.5 * np.sum((a - b) ** 2 / np.maximum(a + b, 1e-12), axis=-1)


def adjacent_pairs(labels: np.ndarray) -> np.ndarray:
    """``(m, 2)`` pairs ``(i, j)``, i < j, of superpixels that share an edge (4-neighbourhood)."""
    pairs = np.concatenate([np.stack([labels[:, :-1].ravel(), labels[:, 1:].ravel()], 1),
                            np.stack([labels[:-1].ravel(), labels[1:].ravel()], 1)])
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return np.unique(np.sort(pairs, axis=1), axis=0)


# --------------------------------------------------------------------------------------------
# The four steps of SGSP
# --------------------------------------------------------------------------------------------
def shortest_path_saliency(labels: np.ndarray, motion: np.ndarray) -> np.ndarray:
    """Step 2: each superpixel's shortest-path length to a background node joined to the border
    superpixels, over edges weighted by the χ² distance of adjacent motion histograms (the border
    links cost each border superpixel's own motion: 1 − its "still" share)."""
    n = len(motion)
    pairs = adjacent_pairs(labels)
    weights = chi_square(motion[pairs[:, 0]], motion[pairs[:, 1]]) + 1e-6
    border = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    rows = np.concatenate([pairs[:, 0], pairs[:, 1], np.full(len(border), n)])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0], border])
    values = np.concatenate([weights, weights, 1.0 - motion[border, -1] + 1e-6])
    graph = coo_matrix((values, (rows, cols)), shape=(n + 1, n + 1)).tocsr()
    return dijkstra(graph, directed=False, indices=n)[:n]


def _affinity(features_a: np.ndarray, features_b: np.ndarray, sigma: float) -> np.ndarray:
    """exp(−χ²/σ) between every row of ``a`` and every row of ``b`` (features: concatenated histograms)."""
    return np.exp(-chi_square(features_a[:, None, :], features_b[None, :, :]) / sigma)


def temporal_propagation(saliency: list[np.ndarray], features: list[np.ndarray], centroids: list[np.ndarray],
                         scale: float, settings: SGSPSettings = SGSPSettings()) -> list[np.ndarray]:
    """Step 3: forward and backward passes; in each, a superpixel's saliency becomes
    (1 − w)·its own + w·the similarity-weighted mean of the previous frame's propagated saliency
    over the superpixels within ``radius × scale`` of its centroid; the result is their mean."""
    def sweep(order):
        out = [None] * len(saliency)
        for k, t in enumerate(order):
            if k == 0:
                out[t] = saliency[t]
                continue
            s = order[k - 1]
            near = np.linalg.norm(centroids[t][:, None] - centroids[s][None], axis=-1) <= settings.radius * scale
            weights = _affinity(features[t], features[s], settings.similarity) * near
            carried = (weights @ out[s]) / np.maximum(weights.sum(1), 1e-12)
            has = weights.sum(1) > 0
            out[t] = np.where(has, (1 - settings.temporal_weight) * saliency[t] + settings.temporal_weight * carried,
                              saliency[t])
        return out

    forward, backward = sweep(list(range(len(saliency)))), sweep(list(range(len(saliency)))[::-1])
    return [(f + b) / 2 for f, b in zip(forward, backward)]


def spatial_propagation(saliency: np.ndarray, labels: np.ndarray, features: np.ndarray, centroids: np.ndarray,
                        scale: float, settings: SGSPSettings = SGSPSettings()) -> np.ndarray:
    """Step 4: local propagation over each superpixel and its adjacent ones, global propagation
    over every superpixel of the frame (similarity × spatial closeness), multiplied."""
    n = len(saliency)
    affinity = _affinity(features, features, settings.similarity)
    adjacency = np.eye(n, dtype=bool)
    pairs = adjacent_pairs(labels)
    adjacency[pairs[:, 0], pairs[:, 1]] = adjacency[pairs[:, 1], pairs[:, 0]] = True
    local = (affinity * adjacency) @ saliency / (affinity * adjacency).sum(1)
    closeness = np.exp(-np.sum((centroids[:, None] - centroids[None]) ** 2, -1) / (2 * (2 * scale) ** 2))
    global_ = (affinity * closeness) @ saliency / (affinity * closeness).sum(1)
    return local * global_


def _normalise(values: np.ndarray) -> np.ndarray:
    span = values.max() - values.min()
    return np.zeros_like(values) if span == 0 else (values - values.min()) / span


def sgsp(frames: np.ndarray, settings: SGSPSettings = SGSPSettings(), progress_bar: bool = False) -> np.ndarray:
    """SGSP saliency maps ``(T, H, W)`` in [0, 1] of a clip ``(T, H, W)`` (uint8 or [0, 1]; colour
    is averaged). The flow of frame t is Lucas–Kanade from frame t−1 to t (from t to t+1 for the
    first frame)."""
    frames = np.asarray(frames, np.float64)
    frames = (frames.mean(-1) if frames.ndim == 4 else frames) / (255.0 if frames.max() > 1 else 1.0)
    if len(frames) < 2:
        raise ValueError("SGSP needs at least two frames (it reads motion)")
    with torch.no_grad():
        stack = torch.from_numpy(frames).float()[:, None] * 2 - 1
        flows = LucasKanade(ridge=settings.flow_ridge)(stack[:-1], stack[1:]).numpy()  # flow of t → t+1, t = 0 … T−2
    flows = np.concatenate([flows[:1], flows])  # the motion that arrives at each frame (first: leaving it)
    scale = float(np.sqrt(settings.superpixel_area))
    labels, features, centroids, saliency = [], [], [], []
    for t in progress(range(len(frames)), desc="SGSP", leave=False, disable=not progress_bar):
        lab = superpixels(frames[t], settings)
        motion = motion_histograms(lab, flows[t], settings)
        feats = np.concatenate([motion, intensity_histograms(lab, frames[t], settings)], axis=1) / 2
        n = lab.max() + 1
        ys, xs = np.indices(lab.shape)
        counts = np.bincount(lab.ravel(), minlength=n)
        centroid = np.stack([np.bincount(lab.ravel(), ys.ravel(), n), np.bincount(lab.ravel(), xs.ravel(), n)], 1) / counts[:, None]
        labels.append(lab)
        features.append(feats)
        centroids.append(centroid)
        saliency.append(shortest_path_saliency(lab, motion))
    saliency = temporal_propagation(saliency, features, centroids, scale, settings)
    maps = [spatial_propagation(s, lab, f, c, scale, settings)[lab]
            for s, lab, f, c in zip(saliency, labels, features, centroids)]
    return np.stack([_normalise(m) for m in maps])


# --------------------------------------------------------------------------------------------
# The mask of SEUNet Eqs. 1–3
# --------------------------------------------------------------------------------------------
def binarise(saliency: np.ndarray) -> np.ndarray:
    """SEUNet Eq. 1: S_b = S > g with g the Otsu threshold of the map (all False if it is flat)."""
    return np.zeros(saliency.shape, bool) if np.ptp(saliency) == 0 else saliency > threshold_otsu(saliency)


def union_mask(binary_maps, min_area: int) -> np.ndarray:
    """SEUNet Eqs. 2–3: the union of binarised maps ``(…, H, W)``, connected regions smaller than
    ``min_area`` pixels removed (``bwareaopen``)."""
    union = np.any(np.asarray(binary_maps, bool).reshape(-1, *np.shape(binary_maps)[-2:]), axis=0)
    return remove_objects_up_to(union, min_area - 1)


def saliency_maps(kind: str, frames: np.ndarray) -> np.ndarray:
    """Per-frame saliency ``(T, H, W)`` of one clip: ``"sgsp"`` in [0, 1], or the ``"motion"``
    baseline's binary moving-object masks."""
    if kind == "sgsp":
        return sgsp(frames)
    if kind == "motion":
        return motion_foreground(frames).astype(np.float64)
    raise ValueError(f"unknown saliency {kind!r}; choose one of {KINDS}")


def min_area(shape: tuple[int, int]) -> int:
    """``bwareaopen``'s size: regions under 0.5 % of the frame are removed."""
    return max(1, round(0.005 * shape[0] * shape[1]))


def training_mask(kind: str, videos) -> np.ndarray:
    """SEUNet's mask M ``(H, W)`` (bool) of a set of training clips: Eq. 1 on every frame's
    saliency, the union over all frames (Eq. 2), small regions removed (Eq. 3). Cached under
    ``data/cache/saliency/`` by the clips' fingerprints and this module's source, so every run on
    the same training clips shares one computation."""
    code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    key = hashlib.sha256(f"{kind}|{code}|{'|'.join(v.fingerprint() for v in videos)}".encode()).hexdigest()[:16]
    path = paths.data_dir() / "cache" / "saliency" / f"{kind}-{key}.npy"
    if path.is_file():
        return np.load(path)
    shape = videos[0].frames.shape[1:3]
    binary = [np.stack([binarise(m) for m in saliency_maps(kind, v.frames)])
              for v in progress(videos, desc=f"{kind} saliency", unit="clip")]
    mask = union_mask(np.concatenate(binary), min_area(shape))
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as stream:
            np.save(stream, mask)
    return mask
