"""What a notebook reads off a trained network is kept with the run, so the run's records — a GPU
slot's, which carry no weights — render it; a read-only run cache (a GPU asked for where there is
none) trains nothing and names every run or reading it lacks."""
import numpy as np
import pytest
import torch

from tests import toy_family
from tests.test_family import video_set
from vadcore.methods import TRAINED, cached_run, dissociation, read_off, reconstruction, run_code
from vadcore.methods.readings import describe, digest
from vadcore.methods.study import Search, drive
from vadcore.runs import MissingRun, RunCache

CALLS = []


def mean_pixel(model, scale=1.0):
    """A reading: the network's learnt mean frame, scaled (counts its calls)."""
    CALLS.append(scale)
    return float(model.mean.detach().mean()) * scale


def no_network(frames):
    CALLS.append("no network")
    return int(frames.sum())


@pytest.fixture()
def toy(tmp_path):
    rng = np.random.default_rng(3)
    clips = [rng.integers(0, 64, (12, 8, 8), dtype=np.uint8) for _ in range(4)]
    data = video_set("noise", clips[:2], clips[2:])
    config = toy_family.profile_config("smoke", "noise", iterations=10)
    cache = RunCache(tmp_path / "runs")
    cached_run(config, data, cache)
    CALLS.clear()
    return config, data, cache


def test_a_reading_is_computed_with_the_network_once_and_kept(toy):
    config, data, cache = toy
    first = read_off(config, data, mean_pixel, TRAINED, scale=2.0, cache=cache)
    assert CALLS == [2.0] and first > 0  # the mean frame of frames in [0, 1]
    assert read_off(config, data, mean_pixel, TRAINED, scale=2.0, cache=cache) == first and CALLS == [2.0]
    assert read_off(config, data, mean_pixel, TRAINED, scale=3.0, cache=cache) == pytest.approx(first * 1.5)
    assert CALLS == [2.0, 3.0]  # another argument: another reading
    assert read_off(config, data, no_network, np.ones((2, 2)), cache=cache) == 4  # no TRAINED: no network loaded


def test_the_records_alone_give_the_kept_readings_and_name_what_they_lack(toy):
    config, data, cache = toy
    kept = read_off(config, data, mean_pixel, TRAINED, cache=cache)
    run = cache.run(config, data.fingerprint(), run_code(config))
    run.checkpoint_path.unlink()  # records only: no weights
    records = RunCache(cache.root, read_only=True)
    assert read_off(config, data, mean_pixel, TRAINED, cache=records) == kept and CALLS == [1.0]
    with pytest.raises(MissingRun, match=f"mean_pixel of run {run.key}'s network"):
        read_off(config, data, mean_pixel, TRAINED, scale=5.0, cache=records)
    with pytest.raises(MissingRun, match="holds no trained network"):
        from vadcore.methods import load_model

        load_model(config, data, records)
    assert run.dir.is_dir() and run.finished  # nothing set aside in a read-only cache
    other = toy_family.profile_config("smoke", "noise", iterations=11)
    with pytest.raises(MissingRun, match="read only here"):
        cached_run(other, data, records)


def test_a_readings_key_is_its_arguments_content():
    a = np.arange(6.0).reshape(2, 3)
    assert digest(mean_pixel, (TRAINED, a.copy()), {}) == digest(mean_pixel, (TRAINED, a), {})
    changed = a.copy()
    changed[1, 2] = 0.5
    assert digest(mean_pixel, (TRAINED, changed), {}) != digest(mean_pixel, (TRAINED, a), {})
    assert digest(mean_pixel, (TRAINED, torch.from_numpy(a)), {}) == digest(mean_pixel, (TRAINED, a), {})
    assert digest(mean_pixel, (TRAINED,), {"scale": 2}) != digest(mean_pixel, (TRAINED,), {"scale": 3})
    assert digest(no_network, (a,), {}) != digest(mean_pixel, (a,), {})  # another function
    assert describe(toy_family.Config(iterations=3)) != describe(toy_family.Config(iterations=4))
    with pytest.raises(TypeError, match="cannot key a reading on a object"):
        describe(object())


def test_a_read_only_study_lists_every_missing_run(toy, tmp_path):
    config, data, _ = toy
    records = RunCache(tmp_path / "empty", read_only=True)

    def study():
        chosen = yield Search({("search", 0): config, ("search", 1): toy_family.profile_config("smoke", "noise", iterations=12)})
        yield {("row", 0): config}
        return chosen

    with pytest.raises(MissingRun) as error:
        drive(study(), lambda c: data, records)
    text = str(error.value)
    assert "2 run(s) of this study are not in the read-only run cache" in text
    assert "search / 0: run" in text and "search / 1: run" in text and "depend on its validation search" in text


def test_one_frames_error_map_is_the_clips_map_at_that_frame():
    torch.manual_seed(0)
    config = reconstruction.Config(size=(16, 16), model="conv_ae", width=0.125, window=4)
    model = reconstruction.build(config).eval()
    rng = np.random.default_rng(0)
    from vadcore.data.video import Video, VideoSource

    frames = rng.integers(0, 256, (9, 16, 16), dtype=np.uint8)
    video = Video("clip", "test", VideoSource("clip", 9, lambda: frames), (16, 16))
    _, maps = reconstruction.reconstruction_errors(model, video, 4, maps=True)
    for t in (0, 2, 4, 8):  # the first frame (one window), the middle (four), the last (one)
        np.testing.assert_allclose(reconstruction.frame_error_map(model, video, t, 4), maps[t], rtol=1e-5)
    with pytest.raises(ValueError, match="frame 9 of clip clip"):
        reconstruction.frame_error_map(model, video, 9, 4)


def test_one_windows_outputs_are_that_window_of_the_clips():
    torch.manual_seed(0)
    config = dissociation.Config(size=(16, 16), width=4, clusters=2, iterations=2, pretrain=1)
    model = dissociation.build(config, 3).eval()
    from vadcore.data.video import Video, VideoSource

    frames = np.random.default_rng(1).integers(0, 256, (8, 16, 16, 3), dtype=np.uint8)
    video = Video("clip", "test", VideoSource("clip", 8, lambda: frames), (16, 16))
    every = dissociation.outputs(config, model, video)
    one = dissociation.outputs(config, model, video, window=2)
    for name in ("reconstruction", "difference", "error_map", "cluster_map"):
        np.testing.assert_allclose(one[name][0], every[name][2], rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="windows 0–3, not 4"):
        dissociation.outputs(config, model, video, window=4)
