"""Clip sampling for training and scoring: sliding windows over videos as a torch ``Dataset``.

Temporal-stride augmentation is the ConvLSTM tutorial's: a stride-``s`` window takes frames
``i, i+s, …, i+(L-1)s``, so strides (1, 2, 3) triple the training set with faster motion.
Used by the training loops of notebooks 01–03.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from vadcore.data.video import Video


def frames_to_tensor(frames: np.ndarray, value_range: tuple[float, float] = (-1.0, 1.0)) -> torch.Tensor:
    """uint8 ``(T, H, W)`` or ``(T, H, W, 3)`` → float ``(T, C, H, W)`` scaled to ``value_range``."""
    tensor = torch.from_numpy(np.array(frames))  # a copy: cached frames are read-only memmaps
    tensor = tensor.unsqueeze(1) if tensor.ndim == 3 else tensor.permute(0, 3, 1, 2)
    low, high = value_range
    return tensor.float().mul_((high - low) / 255.0).add_(low)


class ClipDataset(torch.utils.data.Dataset):
    """Windows of ``length`` frames: item ``i`` is a float tensor ``(length, C, H, W)``.

    Args:
        videos: the clips to sample from.
        length: frames per window (AnoPred: ``t + 1`` — ``t`` inputs and the frame to predict).
        strides: temporal strides (tutorial augmentation: ``(1, 2, 3)``).
        step: distance between the first frames of consecutive windows.
        value_range: intensity range of the returned tensors.
    """

    def __init__(
        self,
        videos: Sequence[Video],
        length: int,
        strides: Sequence[int] = (1,),
        step: int = 1,
        value_range: tuple[float, float] = (-1.0, 1.0),
    ):
        if length < 1 or step < 1 or not strides or min(strides) < 1:
            raise ValueError("length, step and every stride must be positive")
        self.videos = list(videos)
        self.length = length
        self.value_range = value_range
        self.windows = [
            (v, start, stride)
            for v, video in enumerate(self.videos)
            for stride in strides
            for start in range(0, video.n_frames - (length - 1) * stride, step)
        ]

    def __len__(self) -> int:
        return len(self.windows)

    def frame_indices(self, i: int) -> range:
        """The frames of window ``i`` in its video."""
        _, start, stride = self.windows[i]
        return range(start, start + (self.length - 1) * stride + 1, stride)

    def __getitem__(self, i: int) -> torch.Tensor:
        video = self.videos[self.windows[i][0]]
        indices = self.frame_indices(i)
        return frames_to_tensor(video.frames[indices.start : indices.stop : indices.step], self.value_range)
