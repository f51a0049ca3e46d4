"""Looking inside a trained dissociation model (notebook 04): the variance-attention maps of the
motion encoder and the codes that deep k-means clusters."""
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
