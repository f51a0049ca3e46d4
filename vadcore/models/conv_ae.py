"""Conv-AE of Hasan et al. (2016), "Learning temporal regularity in video sequences" — the
"3DConv-AE" row of the ADL paper's Tables I and IV (notebooks 01, 02).

A fully convolutional autoencoder over a cuboid of ``T`` = 10 frames stacked as channels::

    Conv 512 11×11 /4 → pool 2 → Conv 256 5×5 → pool 2 → Conv 128 3×3
    → Deconv 128 3×3 → unpool → Deconv 256 5×5 → unpool → Deconv T 11×11 ×4

with ReLU after every hidden layer and a sigmoid output (frames in [0, 1]); pooling indices are
reused by the unpooling layers. ``width`` scales the channel counts (1.0 = the paper).
Input and output: ``(B, T, 1, H, W)``, H and W multiples of 16.
"""
from __future__ import annotations

import torch
from torch import nn


class ConvAE(nn.Module):
    def __init__(self, frames: int = 10, width: float = 1.0):
        super().__init__()
        c512, c256, c128 = (max(4, round(c * width)) for c in (512, 256, 128))
        self.conv1 = nn.Conv2d(frames, c512, 11, stride=4, padding=5)
        self.conv2 = nn.Conv2d(c512, c256, 5, padding=2)
        self.conv3 = nn.Conv2d(c256, c128, 3, padding=1)
        self.deconv3 = nn.ConvTranspose2d(c128, c256, 3, padding=1)
        self.deconv2 = nn.ConvTranspose2d(c256, c512, 5, padding=2)
        self.deconv1 = nn.ConvTranspose2d(c512, frames, 11, stride=4, padding=4, output_padding=1)
        self.pool = nn.MaxPool2d(2, return_indices=True)
        self.unpool = nn.MaxUnpool2d(2)
        for module in self.modules():
            if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.xavier_uniform_(module.weight)
                nn.init.zeros_(module.bias)

    def forward(self, clip: torch.Tensor) -> torch.Tensor:
        if clip.shape[-1] % 16 or clip.shape[-2] % 16:
            raise ValueError(f"frame size {tuple(clip.shape[-2:])} must be a multiple of 16")
        x = clip.squeeze(2)  # (B, T, H, W): frames as channels
        x, first = self.pool(torch.relu(self.conv1(x)))
        x, second = self.pool(torch.relu(self.conv2(x)))
        x = torch.relu(self.conv3(x))
        x = torch.relu(self.deconv3(x))
        x = torch.relu(self.deconv2(self.unpool(x, second)))
        x = self.deconv1(self.unpool(x, first))
        return torch.sigmoid(x).unsqueeze(2)
