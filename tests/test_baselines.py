"""Trivial scores of notebook 00: frame difference by hand, and its metrics on chosen frames; the
random key regions of notebook 05."""
import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from vadcore import baselines, metrics
from vadcore.data.video import Video, VideoSource


def clip(name: str, frames: np.ndarray, labels: np.ndarray) -> Video:
    return Video(name, "test", VideoSource(name, len(frames), lambda: frames, labels=labels))


def moving_square(steps: list[int], length: int = 10, grey: int = 255) -> np.ndarray:
    """Frames with a 2×2 square (white, or ``grey``) that jumps ``steps[t]`` pixels right before frame t + 1."""
    frames = np.zeros((length, 8, 16), np.uint8)
    x = 0
    for t in range(length):
        frames[t, 3:5, x:x + 2] = grey
        x += steps[t] if t < len(steps) else 0
    return frames


def test_frame_difference_is_the_mean_absolute_change():
    frames = moving_square([0, 1, 2], grey=51)  # still, then a 1-pixel and a 2-pixel move
    scores = baselines.frame_difference(clip("a", frames, np.zeros(10)))
    # a 1-pixel move changes 2 columns × 2 rows, a 2-pixel move 4 × 2, each by 0.2, out of 128 pixels
    # (a change of 0.2, not 1: the mean squared change would be 0.04 per pixel, not 0.2)
    np.testing.assert_allclose(scores[:4], [0, 4 * 0.2 / 128, 8 * 0.2 / 128, 0], rtol=1e-6)
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


def test_trivial_predictors_on_a_clip_with_known_psnr():
    from vadcore.data.video import VideoSet
    from vadcore.methods import prediction

    # every frame is 10 grey levels brighter than the last: copying the last frame misses by 10/255
    # everywhere (PSNR 20·log10(25.5)); extrapolating the change is exact (the 100 dB floor)
    ramp = (np.arange(12, dtype=np.uint8) * 10)[:, None, None].repeat(8, 1).repeat(16, 2)
    labels = np.zeros(12)
    labels[6:] = 1
    test = [Video(f"t{i}", "test", VideoSource(f"t{i}", 12, lambda: ramp, labels=labels), (8, 16)) for i in range(2)]
    train = [Video("a", "train", VideoSource("a", 12, lambda: ramp), (8, 16))]
    config = prediction.Config(dataset="synthped", size=(8, 16), width=4, depth=2)
    results = baselines.trivial_predictions(config, VideoSet("synthped", None, train, test))
    copy, linear = results["copy last frame"], results["linear extrapolation"]
    np.testing.assert_allclose(copy["scores"]["psnr"][0], 20 * np.log10(25.5), rtol=1e-5)
    np.testing.assert_allclose(linear["scores"]["psnr"][0], 100.0)
    assert len(copy["scores"]["psnr"][0]) == 12 - 4  # the frames a predictor from 4 frames scores
    assert np.isnan(copy["val_psnr"])  # no validation clips in this config


def test_frame_difference_maps_are_aligned_with_the_masks_of_their_frame():
    # a square sits still in frames 0–4 and jumps 6 pixels right at frame 5; only frame 5 is anomalous.
    # |I5 − I4| lights both positions, so frame 5's own mask (the new position) is covered.
    frames = np.zeros((10, 8, 16), np.uint8)
    frames[:5, 2:5, 1:4] = 255
    frames[5:, 2:5, 7:10] = 255
    masks = np.zeros((10, 8, 16), bool)
    masks[5, 2:5, 7:10] = True
    labels = masks.any(axis=(1, 2)).astype(np.uint8)
    video = Video("v", "test", VideoSource("v", 10, lambda: frames, labels=labels, read_masks=lambda: masks))
    result = baselines.evaluate_trivial([video], seeds=[0])["frame difference"][0]
    maps = baselines.frame_difference_maps(video)
    aligned = metrics.pixel_auc([maps], [masks[1:]], [labels[1:]])[0]
    shifted = metrics.pixel_auc([maps], [masks[:-1]], [labels[:-1]])[0]
    assert result.pixel_auc == pytest.approx(aligned) and aligned != pytest.approx(shifted)


def test_random_regions_stay_in_the_valid_range_and_cover_by_area():
    rng = np.random.default_rng(0)
    centres = baselines.random_region_centres((50, 8), 16, (32, 48), rng)  # 32 high, 48 wide
    assert centres.shape == (50, 8, 2)
    x, y = centres[..., 0], centres[..., 1]
    assert x.min() >= 7.5 and x.max() <= 48 - 1 - 7.5 and x.max() > 32 - 1 - 7.5  # x spans the width
    assert y.min() >= 7.5 and y.max() <= 32 - 1 - 7.5
    # an actor filling the frame holds every valid region: the covered share is the region's area over the frame's
    frame = np.array([[-0.5, -0.5, 31.5, 47.5], [np.nan] * 4])
    covered = baselines.random_region_coverage(frame, 16, (32, 48), rng)
    assert covered[0] == pytest.approx(16 * 16 / (32 * 48)) and np.isnan(covered[1])
    # the same generator state gives the same regions
    again = baselines.random_region_centres((3,), 16, (32, 48), np.random.default_rng(1))
    assert np.array_equal(again, baselines.random_region_centres((3,), 16, (32, 48), np.random.default_rng(1)))
