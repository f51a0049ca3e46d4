"""SEUNet's saliency mask: Otsu, union and small-region removal on drawn masks, SGSP's graph on a
moving square, and the cached training mask."""
import numpy as np
import pytest

from vadcore.data.video import Video, VideoSource
from vadcore.maps import saliency


def test_otsu_splits_a_bimodal_map_between_its_modes():
    image = np.full((10, 10), 0.2)
    image[3:7, 2:9] = 0.8  # two grey levels: the salient one is exactly the high mode
    np.testing.assert_array_equal(saliency.binarise(image), image > 0.5)
    rng = np.random.default_rng(0)
    noisy = np.where(image > 0.5, rng.normal(0.8, 0.05, image.shape), rng.normal(0.2, 0.05, image.shape))
    assert (saliency.binarise(noisy) == (image > 0.5)).mean() >= 0.98
    assert not saliency.binarise(np.full((4, 4), 0.3)).any()  # a flat map has nothing salient


def test_union_keeps_every_frames_region_and_drops_small_ones():
    maps = np.zeros((3, 12, 12), bool)
    maps[0, 1:4, 1:4] = True  # 9 pixels in frame 0
    maps[1, 2:5, 2:5] = True  # overlapping, 9 pixels in frame 1: the union is 14 pixels
    maps[2, 9, 9] = True  # a 1-pixel speck in frame 2
    maps[2, 8:11, 0:2] = True  # a 6-pixel region in frame 2
    mask = saliency.union_mask(maps, min_area=7)
    expected = np.zeros((12, 12), bool)
    expected[1:4, 1:4] = expected[2:5, 2:5] = True
    np.testing.assert_array_equal(mask, expected)  # the speck and the 6-pixel region are gone
    assert saliency.union_mask(maps, min_area=6).sum() == 14 + 6
    assert saliency.min_area((96, 96)) == 46


def moving_square(n_frames=6, size=(32, 32), step=2, top=12, side=8):
    rng = np.random.default_rng(1)
    background = 0.3 + 0.1 * rng.random(size)  # static, textured
    frames = np.repeat(background[None], n_frames, axis=0)
    for t in range(n_frames):
        frames[t, top : top + side, 4 + step * t : 4 + side + step * t] = 0.9
    return (frames * 255).astype(np.uint8)


def test_shortest_path_saliency_ranks_the_moving_square_above_the_static_background():
    frames = moving_square()
    settings = saliency.SGSPSettings(superpixel_area=16)
    frame = frames[3] / 255.0
    labels = saliency.superpixels(frame, settings)
    flow = np.zeros((2, 32, 32))
    flow[0, 12:20, 10:18] = 2.0  # the square moves 2 pixels right, the background not at all
    raw = saliency.shortest_path_saliency(labels, saliency.motion_histograms(labels, flow, settings))
    per_pixel = raw[labels]
    assert per_pixel[13:19, 11:17].min() > per_pixel[:8].max()  # every square pixel above the top rows
    # the whole pipeline, with its own Lucas–Kanade flow, on frames large enough for its windows
    frames = moving_square(size=(96, 96), top=40, side=12)
    maps = saliency.sgsp(frames, saliency.SGSPSettings())
    assert maps.shape == frames.shape and maps.min() >= 0 and maps.max() <= 1
    # each frame's map min–max normalised on its own: every frame spans [0, 1] (raw maps peak at 0.28–0.56)
    np.testing.assert_allclose(maps.max(axis=(1, 2)), 1.0)
    np.testing.assert_allclose(maps.min(axis=(1, 2)), 0.0, atol=1e-12)
    square = np.zeros(frames.shape, bool)
    for t in range(len(frames)):
        square[t, 40:52, 4 + 2 * t : 16 + 2 * t] = True
    assert maps[square].mean() > 3 * maps[~square].mean()
    with pytest.raises(ValueError, match="two frames"):
        saliency.sgsp(frames[:1])


def test_chi_square_distance():
    a, b = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    assert saliency.chi_square(a, b) == pytest.approx(1.0) and saliency.chi_square(a, a) == 0.0
    assert saliency.chi_square(np.array([0.5, 0.5]), a) == pytest.approx(0.5 * (0.25 / 1.5 + 0.25 / 0.5))


def test_training_mask_is_the_union_over_clips_and_is_cached(isolated_data):
    frames = moving_square(n_frames=8)
    videos = [Video(f"c{i}", "train", VideoSource(f"c{i}", 8, lambda: frames), (32, 32)) for i in range(2)]
    mask = saliency.training_mask("motion", videos)
    assert mask.dtype == bool and mask.shape == (32, 32)
    assert mask[12:20, 4:26].mean() > 0.5 and not mask[:8].any()  # the square's path, not the top rows
    cached = list((isolated_data / "cache" / "saliency").glob("motion-*.npy"))
    assert len(cached) == 1
    np.testing.assert_array_equal(saliency.training_mask("motion", videos), mask)
    with pytest.raises(ValueError, match="unknown saliency"):
        saliency.saliency_maps("edges", frames)
