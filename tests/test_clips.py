import numpy as np
import pytest
import torch

from vadcore.data.clips import ClipDataset, frames_to_tensor
from vadcore.data.video import Video, VideoSource


def make_video(n, name="v"):
    frames = np.arange(n, dtype=np.uint8)[:, None, None].repeat(2, 1).repeat(3, 2)
    return Video(name, "train", VideoSource(name, n, lambda: frames))


def test_windows_with_temporal_strides():
    data = ClipDataset([make_video(10)], length=4, strides=(1, 2, 3), value_range=(0.0, 255.0))
    # stride 1: starts 0..6 (7), stride 2: 0..3 (4), stride 3: 0 (1)
    assert len(data) == 7 + 4 + 1
    assert list(data.frame_indices(7)) == [0, 2, 4, 6]
    assert list(data.frame_indices(11)) == [0, 3, 6, 9]
    clip = data[11]
    assert clip.shape == (4, 1, 2, 3)
    assert clip[:, 0, 0, 0].tolist() == [0.0, 3.0, 6.0, 9.0]


def test_value_range_and_channels():
    tensor = frames_to_tensor(np.array([[[0, 255]]], np.uint8))
    assert tensor.tolist() == [[[[-1.0, 1.0]]]]
    rgb = frames_to_tensor(np.zeros((2, 4, 5, 3), np.uint8), (0.0, 1.0))
    assert rgb.shape == (2, 3, 4, 5) and rgb.dtype == torch.float32


def test_several_videos_and_step():
    data = ClipDataset([make_video(5, "a"), make_video(6, "b")], length=3, step=2)
    assert data.windows == [(0, 0, 1), (0, 2, 1), (1, 0, 1), (1, 2, 1)]
    with pytest.raises(ValueError):
        ClipDataset([make_video(5)], length=0)
