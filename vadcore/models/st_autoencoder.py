"""The spatio-temporal autoencoder of Chong & Tay ("Abnormal event detection in videos using
spatiotemporal autoencoder", ISNN 2017) exactly as the ConvLSTM tutorial of notebook 01 builds it::

    per frame:  Conv 128 11×11 /4 → LN → Conv 64 5×5 /2 → LN            (spatial encoder)
    sequence:   ConvLSTM 64 → LN → ConvLSTM 32 → LN → ConvLSTM 64 → LN   (temporal encoder–decoder)
    per frame:  Deconv 64 5×5 ×2 → LN → Deconv 128 11×11 ×4 → LN → Conv 1 11×11, sigmoid

The convolutions are linear (no activation), as in the tutorial's Keras code; LN is Keras'
``LayerNormalization`` over the channels of each position. Input and output: ``(B, T, C, H, W)``
in [0, 1], H and W multiples of 8. ``width`` scales every channel count (1.0 = the tutorial).
"""
from __future__ import annotations

import torch
from torch import nn

from vadcore.models.convlstm import ConvLSTM


class ChannelLayerNorm(nn.Module):
    """Layer normalisation over the channels of each pixel (Keras ``LayerNormalization(axis=-1)``)."""

    def __init__(self, channels: int):
        super().__init__()
        self.norm = nn.LayerNorm(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (..., C, H, W)
        return self.norm(x.movedim(-3, -1)).movedim(-1, -3)


class SpatioTemporalAE(nn.Module):
    def __init__(self, channels: int = 1, width: float = 1.0):
        super().__init__()
        c128, c64, c32 = (max(4, round(c * width)) for c in (128, 64, 32))
        self.encoder = nn.Sequential(
            nn.Conv2d(channels, c128, 11, stride=4, padding=5), ChannelLayerNorm(c128),
            nn.Conv2d(c128, c64, 5, stride=2, padding=2), ChannelLayerNorm(c64),
        )
        self.temporal = nn.ModuleList([ConvLSTM(c64, c64), ConvLSTM(c64, c32), ConvLSTM(c32, c64)])
        self.temporal_norms = nn.ModuleList([ChannelLayerNorm(c) for c in (c64, c32, c64)])
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(c64, c64, 5, stride=2, padding=2, output_padding=1), ChannelLayerNorm(c64),
            nn.ConvTranspose2d(c64, c128, 11, stride=4, padding=4, output_padding=1), ChannelLayerNorm(c128),
            nn.Conv2d(c128, channels, 11, padding=5), nn.Sigmoid(),
        )
        for module in self.modules():  # Xavier initialisation, as in the tutorial
            if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.xavier_uniform_(module.weight)
                nn.init.zeros_(module.bias)

    def forward(self, clip: torch.Tensor) -> torch.Tensor:
        batch, steps = clip.shape[:2]
        if clip.shape[-1] % 8 or clip.shape[-2] % 8:
            raise ValueError(f"frame size {tuple(clip.shape[-2:])} must be a multiple of 8")
        x = self.encoder(clip.flatten(0, 1))
        x = x.unflatten(0, (batch, steps))
        for layer, norm in zip(self.temporal, self.temporal_norms):
            x = norm(layer(x))
        return self.decoder(x.flatten(0, 1)).unflatten(0, (batch, steps))
