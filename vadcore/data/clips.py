"""Clip sampling for training and scoring: windows of frames, drawn on the host, gathered on the device.

A run's frames live on its device as one uint8 tensor (:class:`FrameBank`): a training step draws
which windows it takes with the run's CPU generator (a few integers) and gathers them there by index
arithmetic, so no frame is copied from the host per step and the windows of a seed are the same on
every device. Two ways of drawing windows: :func:`draw_clip_first` (AnoPred's loader: a clip
uniformly, then a start within it) and :class:`ClipDataset` (every window equally likely).

Temporal-stride augmentation is the ConvLSTM tutorial's: a stride-``s`` window takes frames
``i, i+s, …, i+(L-1)s``, so strides (1, 2, 3) triple the training set with faster motion.
Used by the training loops of the frame-scoring families.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from vadcore.data.video import Video


def frames_to_tensor(frames: np.ndarray, value_range: tuple[float, float] = (-1.0, 1.0),
                     device: str | torch.device = "cpu") -> torch.Tensor:
    """uint8 ``(T, H, W)`` or ``(T, H, W, 3)`` → float ``(T, C, H, W)`` scaled to ``value_range``,
    on ``device`` (the uint8 frames are copied there, then converted)."""
    return to_range(channels_first(frames).to(device), value_range)


def channels_first(frames: np.ndarray) -> torch.Tensor:
    """uint8 ``(T, H, W)`` or ``(T, H, W, 3)`` → uint8 tensor ``(T, C, H, W)`` (a copy: cached
    frames are read-only memmaps)."""
    tensor = torch.from_numpy(np.array(frames))
    return tensor.unsqueeze(1) if tensor.ndim == 3 else tensor.permute(0, 3, 1, 2).contiguous()


def to_range(frames: torch.Tensor, value_range: tuple[float, float] = (-1.0, 1.0)) -> torch.Tensor:
    """uint8 frames → float32 scaled from [0, 255] to ``value_range``, on their device."""
    low, high = value_range
    return frames.float().mul_((high - low) / 255.0).add_(low)


def draw_clip_first(lengths: Sequence[int], length: int, batch: int,
                    generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """``(clip, start)`` of ``batch`` windows of ``length`` frames, drawn as AnoPred's loader does:
    a clip uniformly at random, then a start frame uniformly within it (long clips are not
    favoured). Draws on the CPU with ``generator``."""
    clips = torch.randint(len(lengths), (batch,), generator=generator)
    room = torch.as_tensor(lengths)[clips] - length + 1
    starts = (torch.rand(batch, generator=generator, dtype=torch.float64) * room).long()
    return clips, starts


class FrameBank:
    """Every frame of ``videos`` as one uint8 tensor ``(N, C, H, W)`` on ``device`` (Ped2's
    training frames at 256×256 grey: 167 MB), with each clip's first row, so that windows are
    gathered there by index arithmetic (:meth:`windows`). With ``foreground`` the clips'
    moving-object masks (``Video.foreground``, or any bool ``(T, H, W)`` arrays given) come along.
    """

    def __init__(self, videos: Sequence[Video], device: str | torch.device = "cpu",
                 foreground: Sequence[np.ndarray] | None = None):
        self.device = torch.device(device)
        self.lengths = [v.n_frames for v in videos]
        self.first = torch.as_tensor(np.concatenate([[0], np.cumsum(self.lengths)[:-1]]), dtype=torch.long)
        self.frames = torch.cat([channels_first(v.frames) for v in videos]).to(self.device)
        self.foreground = None if foreground is None else \
            torch.cat([torch.from_numpy(np.array(m, bool)) for m in foreground]).unsqueeze(1).to(self.device)

    def rows(self, clips: torch.Tensor, starts: torch.Tensor, length: int, strides: torch.Tensor | int = 1) -> torch.Tensor:
        """Row indices ``(B, length)`` of windows given by clip, start and stride (host tensors),
        moved to the device in one asynchronous copy."""
        strides = torch.as_tensor(strides).expand_as(starts)
        rows = self.first[clips, None] + starts[:, None] + torch.arange(length)[None] * strides[:, None]
        if self.device.type == "cuda":
            return rows.pin_memory().to(self.device, non_blocking=True)
        return rows

    def windows(self, rows: torch.Tensor, value_range: tuple[float, float] = (-1.0, 1.0)) -> torch.Tensor:
        """The frames of ``rows`` (:meth:`rows`) as float windows ``(B, L, C, H, W)`` in ``value_range``."""
        return to_range(self.frames[rows], value_range)


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

    def draw(self, batch: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(clip, start, stride)`` of ``batch`` windows drawn uniformly among all of them (on the
        CPU, with ``generator``): window ``i`` of this dataset is ``self[i]``."""
        picked = self.table[torch.randint(len(self.windows), (batch,), generator=generator)]
        return picked[:, 0], picked[:, 1], picked[:, 2]

    @property
    def table(self) -> torch.Tensor:
        """``(clip, start, stride)`` of every window, ``(len(self), 3)``."""
        if not hasattr(self, "_table"):
            self._table = torch.as_tensor(self.windows, dtype=torch.long).reshape(-1, 3)
        return self._table
