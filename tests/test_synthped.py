"""The synthetic dataset: deterministic, in the UCSD layout, labels consistent with masks."""
import dataclasses

import numpy as np
import pytest

from vadcore.data import SynthPedConfig, generate_synthped, load_dataset
from vadcore.data.synthped import ANOMALY_KINDS, capsule_alpha, is_current

SMALL = SynthPedConfig(seed=3, height=64, width=96, n_train=2, n_test=4, train_frames=30, test_frames=90)


@pytest.fixture
def small(tmp_path):
    return load_dataset("synthped", tmp_path / "synthped", synth=SMALL)


def test_official_ucsd_layout(small, tmp_path):
    root = tmp_path / "synthped"
    assert (root / "Train" / "Train001" / "001.tif").is_file()
    assert (root / "Test" / "synthped.m").read_text().startswith("TestVideoFile = {};")
    assert (root / "Test" / "Test001_gt" / "090.bmp").is_file()
    assert (root / "foreground" / "Train" / "Train002" / "030.png").is_file()
    assert is_current(root, SMALL) and not is_current(root, SynthPedConfig(seed=4))
    assert not list(tmp_path.glob(".synthped-*"))  # no temporary folder left behind


def test_deterministic_from_seed(small, tmp_path):
    again = load_dataset("synthped", generate_synthped(tmp_path / "again", SMALL, progress=False), cache=False)
    assert len(small.videos) == len(again.videos) == SMALL.n_train + SMALL.n_test
    for a, b in zip(small.videos, again.videos):
        np.testing.assert_array_equal(a.frames, b.frames)
    other = load_dataset("synthped", tmp_path / "other", synth=SynthPedConfig(**{**SMALL.__dict__, "seed": 4}))
    assert not np.array_equal(other.train[0].frames, small.train[0].frames)


def test_labels_masks_and_foreground_agree(small):
    assert (len(small.train), len(small.test)) == (SMALL.n_train, SMALL.n_test)
    assert all(v.labels is None for v in small.train)
    for video in small.test:
        assert 0 < video.labels.sum() < video.n_frames  # every test clip has normal and anomalous frames
        np.testing.assert_array_equal(video.masks.any(axis=(1, 2)), video.labels.astype(bool))
        assert not (video.masks & ~video.foreground).any()  # anomalies are foreground
    for video in small.videos:
        assert video.foreground.any(axis=(1, 2)).mean() > 0.5  # pedestrians in most frames


def test_objects_move_and_the_camera_does_not(small):
    frames = small.train[0].frames.astype(float)
    foreground = small.train[0].foreground
    still = ~foreground[:-1] & ~foreground[1:]
    moving = foreground[:-1] ^ foreground[1:]
    difference = np.abs(np.diff(frames, axis=0))
    assert difference[still].mean() < 6  # noise and drift only
    assert difference[moving].mean() > 3 * difference[still].mean()


def test_every_anomaly_kind_appears_with_default_settings():
    from vadcore.data.synthped import test_events

    rng = np.random.default_rng(0)
    kinds = {kind for i in range(SynthPedConfig().n_test) for _, kind in test_events(rng, i, SynthPedConfig(), 150)}
    assert kinds == set(ANOMALY_KINDS)


def test_capsule_alpha_covers_a_disc():
    alpha, value, (top, left) = capsule_alpha((20, 20), [(10.0, 10.0, 10.0, 10.0, 3.0, 0.7)])
    area = alpha.sum()
    assert area == pytest.approx(np.pi * 3.0**2, rel=0.03)  # a one-pixel ramp centred on the radius
    assert value.max() == pytest.approx(0.7) and (top, left) == (5, 5)


def test_a_folder_that_holds_another_dataset_is_never_overwritten(tmp_path):
    """`--data-root` at `smoke` names a synthped copy: a Ped2 folder given there by mistake is
    refused, not replaced by a new synthped (the generator swaps its copy in for the folder)."""
    from vadcore.data import DatasetError

    ped2 = tmp_path / "ped2"
    (ped2 / "testing" / "frames" / "01").mkdir(parents=True)
    (ped2 / "ped2.mat").write_bytes(b"the class's ground truth")
    tiny = SynthPedConfig(n_train=1, n_test=1, train_frames=8, test_frames=8, height=32, width=48)
    for make in (lambda: load_dataset("synthped", ped2), lambda: load_dataset("synthped", ped2, synth=tiny),
                 lambda: generate_synthped(ped2, tiny, progress=False)):
        with pytest.raises(DatasetError, match="no synthped copy"):
            make()
    assert (ped2 / "ped2.mat").read_bytes() == b"the class's ground truth" and (ped2 / "testing" / "frames" / "01").is_dir()
    (tmp_path / "empty").mkdir()  # an empty folder, or a synthped copy of other settings, is made anew
    assert is_current(generate_synthped(tmp_path / "empty", tiny, progress=False), tiny)
    other = dataclasses.replace(tiny, seed=1)
    assert is_current(load_dataset("synthped", tmp_path / "empty", synth=other, cache=False).root, other)
