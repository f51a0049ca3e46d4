"""AnoPred's patch discriminator (least-squares GAN; ADL Eqs. 11, 13): 4×4 convolutions with
stride 2 and leaky ReLU (AnoPred: 128, 256, 512, 512 channels), then a 4×4 convolution to one
score per patch. Outputs are raw scores, as least-squares losses expect. Notebooks 02–03."""
from __future__ import annotations

import torch
from torch import nn


class PatchDiscriminator(nn.Module):
    def __init__(self, channels: int = 1, widths: tuple[int, ...] = (128, 256, 512, 512)):
        super().__init__()
        layers, previous = [], channels
        for i, width in enumerate(widths):
            layers += [nn.Conv2d(previous, width, 4, stride=2 if i < len(widths) - 1 else 1, padding=1),
                       nn.LeakyReLU(0.2, inplace=True)]
            previous = width
        layers.append(nn.Conv2d(previous, 1, 4, padding=1))
        self.net = nn.Sequential(*layers)

    def forward(self, frame: torch.Tensor) -> torch.Tensor:
        """``(B, C, H, W)`` → ``(B, 1, h, w)`` patch scores."""
        return self.net(frame)
