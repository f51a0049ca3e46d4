"""Looking inside a trained dissociation model (notebook 04): the variance-attention maps of the
motion encoder, the codes that deep k-means clusters, and the two parts of the fused score."""
from __future__ import annotations

import numpy as np
import torch

from vadcore.models.dissociation import DissociationAE


@torch.no_grad()
def attention_maps(model: DissociationAE, window: torch.Tensor) -> list[np.ndarray]:
    """The spatial weights of each variance-attention module for one window ``(T, C, H, W)`` in
    [−1, 1], after each motion-encoder stage (coarser each time), each scaled to sum to 1."""
    encoder = model.motion_encoder
    if encoder.attention is None:
        return []
    x = encoder.stem(window[None, :-1].flatten(1, 2))
    maps = []
    for stage, attention in zip(encoder.stages, encoder.attention):
        x = stage(x)
        maps.append(attention.weights(x)[0, 0].numpy())
        x = attention(x)
    return maps


@torch.no_grad()
def most_distant_codes(model: DissociationAE, windows: torch.Tensor) -> np.ndarray:
    """For each window ``(n, T, C, H, W)``, the concatenated code at the position farthest from
    every cluster centre ``(n, D)``: what makes the window look least like training."""
    _, _, spatial, motion = model(windows)
    codes = model.codes(spatial, motion)  # (n, D, h, w)
    farthest = model.kmeans.nearest(codes).flatten(1).argmax(1)
    return codes.flatten(2)[torch.arange(len(codes)), :, farthest].numpy()


def fusion_parts(scores: dict[str, list[np.ndarray]]) -> dict[str, list[np.ndarray]]:
    """The fused score of each scored frame split in two. The mean over pixels of error × cluster
    distance equals the product of the two frame means plus the covariance of the two maps over
    the frame's pixels: ``frame_product`` (mean error · mean distance: how wrong and how unfamiliar
    the frame is as a whole) and ``covariance`` (``fused − frame_product``: whether the two maps
    are high at the same pixels). Per clip, like ``scores``."""
    product = [error * cluster for error, cluster in zip(scores["error"], scores["cluster"])]
    return {"frame_product": product, "covariance": [fused - p for fused, p in zip(scores["fused"], product)]}
