"""AnoPred's generator (Liu et al. 2018), used by the attention-driven-loss paper (notebook 02):
a U-Net that predicts frame t+1 from t frames stacked on the channels.

``depth`` levels of two 3×3 convolutions + ReLU, ``width`` channels at the top doubling per level
(AnoPred: 4 levels, 64–512), 2×2 max pooling down, 2×2 transposed convolutions up with skip
connections, a 3×3 output convolution and tanh (frames in [−1, 1]). H and W must be multiples of
2^(depth−1).
"""
from __future__ import annotations

import torch
from torch import nn


def double_conv(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(out_channels, out_channels, 3, padding=1), nn.ReLU(inplace=True),
    )


class UNet(nn.Module):
    def __init__(self, in_frames: int = 4, channels: int = 1, width: int = 64, depth: int = 4):
        super().__init__()
        if depth < 2:
            raise ValueError("depth must be at least 2")
        widths = [width * 2**level for level in range(depth)]
        self.down = nn.ModuleList([double_conv(in_frames * channels, widths[0])])
        self.down.extend(double_conv(a, b) for a, b in zip(widths[:-1], widths[1:]))
        self.upsample = nn.ModuleList(nn.ConvTranspose2d(b, a, 2, stride=2) for a, b in zip(widths[:-1], widths[1:]))
        self.up = nn.ModuleList(double_conv(2 * a, a) for a in widths[:-1])
        self.output = nn.Conv2d(widths[0], channels, 3, padding=1)
        self.factor = 2 ** (depth - 1)

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        """``(B, t, C, H, W)`` input frames → ``(B, C, H, W)`` predicted next frame."""
        if frames.shape[-1] % self.factor or frames.shape[-2] % self.factor:
            raise ValueError(f"frame size {tuple(frames.shape[-2:])} must be a multiple of {self.factor}")
        x = frames.flatten(1, 2)
        skips = []
        for level, block in enumerate(self.down):
            x = block(x if level == 0 else nn.functional.max_pool2d(x, 2))
            skips.append(x)
        for upsample, block, skip in zip(reversed(self.upsample), reversed(self.up), reversed(skips[:-1])):
            x = block(torch.cat([skip, upsample(x)], dim=1))
        return torch.tanh(self.output(x))
