"""Predictors that learn nothing, scored exactly like a learned one (notebooks 00, 02, 03): a
learned predictor's AUC means little until it beats them at the same size on the same frames.

Both take the prediction model's input ``(B, t, C, H, W)`` in [−1, 1] and return the "predicted"
frame t+1 ``(B, C, H, W)``.
"""
from __future__ import annotations

import torch
from torch import nn


class CopyLast(nn.Module):
    """Î_{t+1} = I_t: nothing moves."""

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        return frames[:, -1]


class LinearExtrapolation(nn.Module):
    """Î_{t+1} = 2 I_t − I_{t−1}, clipped to the image range: every pixel keeps its last change."""

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        return (2 * frames[:, -1] - frames[:, -2]).clamp(-1.0, 1.0)
