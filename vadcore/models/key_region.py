"""The key-region branch of Xiao et al., "Anomalous Action Recognition with Spatio-Temporal Key
Region Enhancement and Few-Shot Learning" (Chinese Journal of Computers 48(1), 2025; notebook 05):
the long/short-range spatio-temporal relation module (§3.2, Eqs. 1–3) and the spatially adaptive
key-region selection (§3.3, Eqs. 4–8).

One choice the paper leaves open: the weights ``u_i`` of Eq. 6 are the relation map's values, with
no scale given; raw values make the sum of offsets leave the valid range almost always, where the
clamp of Eq. 7 has no gradient. Here ``u`` is the map's spatial softmax, so that Â is a weighted
mean of the anchor offsets (the clamp is kept, as in the paper).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class RelationModule(nn.Module):
    """Temporal relation (Eqs. 1–2: channel mean, 1×1 convolution mixing the T frames, one 3×3×3
    single-channel 3-D convolution, sigmoid gate) plus motion relation (Eq. 3: 1×1 channel
    reduction, 3×3 convolution of frame t+1 minus frame t, zero for the last frame, sigmoid gate),
    both gating the input features ``(N, T, C, H, W)`` and summed."""

    def __init__(self, channels: int, frames: int):
        super().__init__()
        self.mix = nn.Conv2d(frames, frames, 1)  # Eq. 1
        self.temporal = nn.Conv3d(1, 1, 3, padding=1)  # Eq. 2
        self.reduce = nn.Conv2d(channels, 1, 1)
        self.motion = nn.Conv2d(1, 1, 3, padding=1)  # Eq. 3

    def gates(self, features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The temporal and motion gates ``(N, T, 1, H, W)``, before the sigmoid."""
        n, t, c, h, w = features.shape
        mixed = self.mix(features.mean(dim=2))  # (N, T, H, W): frames as channels
        temporal = self.temporal(mixed.unsqueeze(1)).squeeze(1).unsqueeze(2)
        reduced = self.reduce(features.flatten(0, 1)).view(n, t, 1, h, w)
        encoded = self.motion(reduced[:, 1:].flatten(0, 1)).view(n, t - 1, 1, h, w)
        motion = torch.cat([encoded - reduced[:, :-1], torch.zeros_like(reduced[:, :1])], dim=1)
        return temporal, motion

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        temporal, motion = self.gates(features)
        return torch.sigmoid(temporal) * features + torch.sigmoid(motion) * features


def valid_range(size: int, crop: int) -> tuple[float, float]:
    """``(l_a, h_a)`` of Eq. 4 along one axis: the centres whose ``crop`` pixels all lie inside."""
    if not 0 < crop <= size:
        raise ValueError(f"crop {crop} must be in 1 … {size}")
    return (crop - 1) / 2, size - 1 - (crop - 1) / 2


def anchor_points(grid: tuple[int, int], image: tuple[int, int], crop: int) -> torch.Tensor:
    """The grid's points spread evenly over the valid range (Eq. 5), ``(rows·cols, 2)`` as (x, y)
    pixel coordinates, row by row."""
    (x_low, x_high), (y_low, y_high) = valid_range(image[1], crop), valid_range(image[0], crop)
    ys = torch.linspace(y_low, y_high, grid[0]) if grid[0] > 1 else torch.tensor([(y_low + y_high) / 2])
    xs = torch.linspace(x_low, x_high, grid[1]) if grid[1] > 1 else torch.tensor([(x_low + x_high) / 2])
    y, x = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack([x.flatten(), y.flatten()], dim=1)


def key_region_centres(weights: torch.Tensor, image: tuple[int, int], crop: int) -> torch.Tensor:
    """Centres ``(N, 2)`` (x, y, pixels) from weight maps ``(N, h, w)``: the middle of the valid
    range plus Σ u_i·(anchor_i − middle) (Eq. 6), ``u`` the maps' spatial softmax, clamped to the
    valid range (Eq. 7)."""
    anchors = anchor_points(weights.shape[-2:], image, crop).to(weights)
    (x_low, x_high), (y_low, y_high) = valid_range(image[1], crop), valid_range(image[0], crop)
    low, high = anchors.new_tensor([x_low, y_low]), anchors.new_tensor([x_high, y_high])
    middle = (low + high) / 2
    u = torch.softmax(weights.flatten(1), dim=1)  # (N, L)
    point = middle + u @ (anchors - middle)
    return torch.maximum(torch.minimum(point, high), low)


def random_centres(n: int, image: tuple[int, int], crop: int, like: torch.Tensor) -> torch.Tensor:
    """``n`` centres ``(n, 2)`` (x, y) drawn uniformly over the valid range (Eq. 4): the completely
    random regions of the local-region augmentation (§3.5), drawn with torch's global generator."""
    (x_low, x_high), (y_low, y_high) = valid_range(image[1], crop), valid_range(image[0], crop)
    low, high = like.new_tensor([x_low, y_low]), like.new_tensor([x_high, y_high])
    return low + torch.rand(n, 2, dtype=like.dtype, device=like.device) * (high - low)


def crop_regions(images: torch.Tensor, centres: torch.Tensor, crop: int) -> torch.Tensor:
    """``crop × crop`` regions of ``images`` ``(N, C, H, W)`` centred on ``centres`` ``(N, 2)``,
    sampled bilinearly at fractional positions (Eq. 8), so that the gradient reaches the centres."""
    n, _, height, width = images.shape
    steps = torch.arange(crop, dtype=images.dtype, device=images.device) - (crop - 1) / 2
    x = centres[:, 0, None] + steps  # (N, crop)
    y = centres[:, 1, None] + steps
    grid = torch.stack([  # normalised to [−1, 1] with align_corners=True: −1 is pixel 0, 1 is the last
        (2 * x / (width - 1) - 1)[:, None, :].expand(n, crop, crop),
        (2 * y / (height - 1) - 1)[:, :, None].expand(n, crop, crop),
    ], dim=-1)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="border", align_corners=True)
