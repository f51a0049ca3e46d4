"""The spatio-temporal dissociation autoencoder of Chang et al. ("Video anomaly detection with
spatio-temporal dissociation", Pattern Recognition 122, 2022; notebook 04).

Two autoencoders share nothing but the clip:

- the **spatial** one reconstructs the clip's first frame (FIF);
- the **motion** one reads the first t−1 frames stacked on the channels and outputs the RGB
  difference between the last frame (LIF) and the FIF;

their sum predicts the LIF. Encoders and decoders are three residual stages with LeakyReLU; the
encoders halve the resolution with strided convolutions, the decoders double it with pixel
shuffle. A **variance attention** module follows every motion-encoder stage, and a **deep k-means**
layer holds the cluster centres of the concatenated spatial and motion codes (one code per
position of the code map).
"""
from __future__ import annotations

import torch
from torch import nn


class ResidualBlock(nn.Module):
    """conv 3×3 (stride) → BN → LeakyReLU → conv 3×3 → BN, plus a 1×1 shortcut where the shape
    changes, then LeakyReLU (a ResNet basic block with LeakyReLU, as the paper replaces ReLU)."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False), nn.BatchNorm2d(out_channels),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False), nn.BatchNorm2d(out_channels),
        )
        self.shortcut = nn.Identity() if stride == 1 and in_channels == out_channels else nn.Sequential(
            nn.Conv2d(in_channels, out_channels, 1, stride, bias=False), nn.BatchNorm2d(out_channels))
        self.activation = nn.LeakyReLU(0.2, inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.activation(self.body(x) + self.shortcut(x))


class VarianceAttention(nn.Module):
    """The paper's variance attention: a 1×1 convolution W_g, the variance across its output
    channels at every position, turned into a spatial weight (a softmax over the positions of each
    sample), and the input multiplied by exp(weight) — the authors' code. Positions whose
    projected features disagree across channels (large motion) are amplified."""

    def __init__(self, channels: int, embedding: int | None = None):
        super().__init__()
        self.project = nn.Conv2d(channels, embedding or channels, 1, bias=False)

    def weights(self, x: torch.Tensor) -> torch.Tensor:
        """The spatial weights ``(B, 1, H, W)``, summing to 1 over each sample's positions."""
        projected = self.project(x)
        variance = (projected - projected.mean(1, keepdim=True)).pow(2).sum(1, keepdim=True)
        return torch.softmax(variance.flatten(1), dim=1).view_as(variance)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.exp(self.weights(x)) * x


class Encoder(nn.Module):
    """A stem convolution and ``stages`` residual stages, each halving the resolution and doubling
    the channels (``width`` … ``width·2^stages``), with variance attention after each stage when
    ``attention``."""

    def __init__(self, in_channels: int, width: int = 32, stages: int = 3, attention: bool = False):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(in_channels, width, 3, 1, 1), nn.LeakyReLU(0.2, inplace=True))
        self.stages = nn.ModuleList(ResidualBlock(width * 2**i, width * 2 ** (i + 1), stride=2) for i in range(stages))
        self.attention = nn.ModuleList(VarianceAttention(width * 2 ** (i + 1)) for i in range(stages)) if attention else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        for i, stage in enumerate(self.stages):
            x = stage(x)
            if self.attention is not None:
                x = self.attention[i](x)
        return x


class Decoder(nn.Module):
    """``stages`` stages that each double the resolution with a 3×3 convolution to 4× the channels
    and a pixel shuffle (no strided transposed convolution), then a residual block; a 3×3 output
    convolution (tanh for frames in [−1, 1], linear for differences)."""

    def __init__(self, out_channels: int, width: int = 32, stages: int = 3, tanh: bool = True):
        super().__init__()
        layers = []
        for i in reversed(range(stages)):
            channels_in, channels_out = width * 2 ** (i + 1), width * 2**i
            layers += [nn.Conv2d(channels_in, 4 * channels_out, 3, 1, 1), nn.PixelShuffle(2), nn.LeakyReLU(0.2, inplace=True),
                       ResidualBlock(channels_out, channels_out)]
        layers.append(nn.Conv2d(width, out_channels, 3, 1, 1))
        if tanh:
            layers.append(nn.Tanh())
        self.net = nn.Sequential(*layers)

    def forward(self, code: torch.Tensor) -> torch.Tensor:
        return self.net(code)


class KMeansLayer(nn.Module):
    """Deep k-means: ``clusters`` centres in the space of concatenated codes. A code map
    ``(B, D, h, w)`` has one code per position; :meth:`distances` gives their squared Euclidean
    distances to every centre ``(B, K, h, w)``."""

    def __init__(self, clusters: int, dim: int):
        super().__init__()
        self.centres = nn.Parameter(torch.zeros(clusters, dim))

    def distances(self, codes: torch.Tensor) -> torch.Tensor:
        flat = codes.permute(0, 2, 3, 1)  # (B, h, w, D)
        squared = (flat.unsqueeze(-2) - self.centres).pow(2).sum(-1)  # (B, h, w, K)
        return squared.permute(0, 3, 1, 2)

    def nearest(self, codes: torch.Tensor) -> torch.Tensor:
        """Each code's squared distance to its nearest centre ``(B, 1, h, w)``."""
        return self.distances(codes).min(1, keepdim=True).values


class DissociationAE(nn.Module):
    """The whole model. ``forward(clip)`` with ``clip`` ``(B, T, C, H, W)`` in [−1, 1] returns
    ``(first-frame reconstruction, predicted LIF − FIF, spatial code, motion code)``; H and W must
    be multiples of 2^stages."""

    def __init__(self, channels: int = 3, frames: int = 5, width: int = 32, stages: int = 3, attention: bool = True,
                 clusters: int = 32):
        super().__init__()
        self.factor = 2**stages
        self.spatial_encoder = Encoder(channels, width, stages)
        self.spatial_decoder = Decoder(channels, width, stages, tanh=True)
        self.motion_encoder = Encoder((frames - 1) * channels, width, stages, attention=attention)
        self.motion_decoder = Decoder(channels, width, stages, tanh=False)
        self.kmeans = KMeansLayer(clusters, 2 * width * 2**stages)

    def forward(self, clip: torch.Tensor):
        if clip.shape[-1] % self.factor or clip.shape[-2] % self.factor:
            raise ValueError(f"frame size {tuple(clip.shape[-2:])} must be a multiple of {self.factor}")
        first = clip[:, 0]
        spatial_code = self.spatial_encoder(first)
        motion_code = self.motion_encoder(clip[:, :-1].flatten(1, 2))
        return self.spatial_decoder(spatial_code), self.motion_decoder(motion_code), spatial_code, motion_code

    def codes(self, spatial_code: torch.Tensor, motion_code: torch.Tensor) -> torch.Tensor:
        """The concatenated code map that deep k-means clusters ``(B, 2·D, h, w)``."""
        return torch.cat([spatial_code, motion_code], dim=1)
