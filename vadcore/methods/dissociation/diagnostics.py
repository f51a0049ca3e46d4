"""Looking inside a trained dissociation model (notebook 04): the variance-attention maps of the
motion encoder, the codes that deep k-means clusters, and the two parts of the fused score. Each
runs on the network's device (what :func:`vadcore.methods.read_off` gives it) and returns arrays."""
from __future__ import annotations

import numpy as np
import torch

from vadcore.data.clips import frames_to_tensor
from vadcore.data.video import Video
from vadcore.engine import device_of
from vadcore.models.dissociation import DissociationAE


@torch.no_grad()
def attention_maps(model: DissociationAE, window: torch.Tensor) -> list[np.ndarray]:
    """The spatial weights of each variance-attention module for one window ``(T, C, H, W)`` in
    [−1, 1], after each motion-encoder stage (coarser each time), each scaled to sum to 1."""
    encoder = model.motion_encoder
    if encoder.attention is None:
        return []
    x = encoder.stem(window[None, :-1].flatten(1, 2).to(device_of(model)))
    maps = []
    for stage, attention in zip(encoder.stages, encoder.attention):
        x = stage(x)
        maps.append(attention.weights(x)[0, 0].cpu().numpy())
        x = attention(x)
    return maps


@torch.no_grad()
def most_distant_codes(model: DissociationAE, windows: torch.Tensor) -> np.ndarray:
    """For each window ``(n, T, C, H, W)``, the concatenated code at the position farthest from
    every cluster centre ``(n, D)``: what makes the window look least like training."""
    _, _, spatial, motion = model(windows.to(device_of(model)))
    codes = model.codes(spatial, motion)  # (n, D, h, w)
    farthest = model.kmeans.nearest(codes).flatten(1).argmax(1)
    return codes.flatten(2)[torch.arange(len(codes)), :, farthest].cpu().numpy()


def codes_and_centres(model: DissociationAE, videos: list[Video], frames: int, first: int, every: int = 4
                      ) -> dict[str, np.ndarray]:
    """:func:`most_distant_codes` of every ``every``-th window of ``frames`` frames of each clip
    (``codes`` ``(n, D)``), whether the frame each window scores (window ``j``: frame ``j +
    first``) is ``anomalous`` ``(n,)``, and the k-means ``centres`` ``(K, D)``: what notebook 04
    projects on the centres' principal axes."""
    codes, anomalous = [], []
    for video in videos:
        clip = frames_to_tensor(video.frames)  # (T, C, H, W) in [−1, 1]
        windows = clip.unfold(0, frames, 1).movedim(-1, 1)[::every]
        codes.append(most_distant_codes(model, windows))
        anomalous.append(np.asarray(video.labels)[first::every][: len(windows)].astype(bool))
    return {"codes": np.concatenate(codes), "anomalous": np.concatenate(anomalous),
            "centres": model.kmeans.centres.detach().cpu().numpy()}


def fusion_parts(scores: dict[str, list[np.ndarray]]) -> dict[str, list[np.ndarray]]:
    """The fused score of each scored frame split in two. The mean over pixels of error × cluster
    distance equals the product of the two frame means plus the covariance of the two maps over
    the frame's pixels: ``frame_product`` (mean error · mean distance: how wrong and how unfamiliar
    the frame is as a whole) and ``covariance`` (``fused − frame_product``: whether the two maps
    are high at the same pixels). Per clip, like ``scores``."""
    product = [error * cluster for error, cluster in zip(scores["error"], scores["cluster"])]
    return {"frame_product": product, "covariance": [fused - p for fused, p in zip(scores["fused"], product)]}
