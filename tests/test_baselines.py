"""Trivial scores of notebook 00: frame difference by hand, and its metrics on chosen frames."""
import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from vadcore import baselines
from vadcore.data.video import Video, VideoSource


def clip(name: str, frames: np.ndarray, labels: np.ndarray) -> Video:
    return Video(name, "test", VideoSource(name, len(frames), lambda: frames, labels=labels))


def moving_square(steps: list[int], length: int = 10) -> np.ndarray:
    """Frames with a 2×2 white square that jumps ``steps[t]`` pixels right before frame t + 1."""
    frames = np.zeros((length, 8, 16), np.uint8)
    x = 0
    for t in range(length):
        frames[t, 3:5, x:x + 2] = 255
        x += steps[t] if t < len(steps) else 0
    return frames


def test_frame_difference_is_the_mean_absolute_change():
    frames = moving_square([0, 1, 2])  # still, then a 1-pixel and a 2-pixel move
    scores = baselines.frame_difference(clip("a", frames, np.zeros(10)))
    # a 1-pixel move changes 2 columns × 2 rows, a 2-pixel move 4 × 2, each by 1.0, out of 128 pixels
    np.testing.assert_allclose(scores[:4], [0, 4 / 128, 8 / 128, 0])
    assert len(scores) == 9


def test_frame_difference_metrics_on_a_predictors_frames():
    rng = np.random.default_rng(0)
    videos = []
    for i in range(3):
        steps = list(rng.integers(0, 4, size=19))
        labels = (np.array(steps + [0]) >= 2).astype(np.uint8)  # frame t + 1 anomalous after a fast move
        videos.append(clip(f"c{i}", moving_square(steps, 20), np.roll(labels, 1)))
    first = 4
    result = baselines.frame_difference_metrics(videos, first)
    scores = [baselines.frame_difference(v)[first - 1:] for v in videos]
    normalized = np.concatenate([(s - s.min()) / (s.max() - s.min()) for s in scores])
    expected = roc_auc_score(np.concatenate([v.labels[first:] for v in videos]), normalized)
    assert result.micro_auc == pytest.approx(expected)
    assert result.n_frames == 3 * (20 - first)
    assert baselines.frame_difference_metrics(videos).n_frames == 3 * 19
    with pytest.raises(ValueError, match="first 1"):
        baselines.frame_difference_metrics(videos, 0)
