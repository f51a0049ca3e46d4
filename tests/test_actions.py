"""Few-shot action data: synthactions, the TRX folder layout, frame sampling, episodes."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from vadcore.data.actions import (ActionClip, ActionSet, load_action_folders, load_action_set, read_list,
                                  sample_frames, write_action_folders)
from vadcore.data.episodes import fixed_episodes, sample_episode
from vadcore.data.errors import DatasetError
from vadcore.data import synthactions
from vadcore.data.synthactions import (ANOMALIES, CLASS_SPLITS, Pose, SynthActionsConfig, normal_classes, render_clip,
                                       render_synthactions, skeleton)

SMALL = SynthActionsConfig(size=32, frames=8, clips_per_class=3, anomalous_clips_per_class=2, distractors=1)


@pytest.fixture(scope="module")
def small_set() -> ActionSet:
    return render_synthactions(SMALL, progress_bar=False)


def test_synthactions_splits_are_class_disjoint_and_sized_like_kinetics_100(small_set):
    assert {s: len(small_set.classes(s)) for s in CLASS_SPLITS} == CLASS_SPLITS
    assert small_set.classes("anomalous") == sorted(ANOMALIES)
    seen = [set(small_set.classes(s)) for s in small_set.splits]
    assert sum(map(len, seen)) == len(set().union(*seen))
    assert len(normal_classes()) == 112
    assert Counter(c.label for c in small_set.splits["train"]) == Counter(
        {label: 3 for label in small_set.classes("train")})


def test_a_clip_depends_only_on_its_seed_class_and_number(small_set):
    clip = small_set.splits["test"][4]
    again = render_synthactions(SMALL, progress_bar=False).splits["test"][4]
    assert np.array_equal(clip.frames, again.frames)
    other = render_synthactions(SynthActionsConfig(**{**SMALL.__dict__, "seed": 1}), progress_bar=False)
    assert not np.array_equal(clip.frames, other.splits["test"][4].frames)


def test_a_cached_set_is_the_generated_one_and_is_rendered_once(small_set, isolated_data, monkeypatch, tmp_path, capsys):
    """The data folder keeps a rendered set: the first load renders it, every later one reads the
    same clips (names, labels, frame and box bytes: the runs' keys) without rendering; other
    settings, or other rendering code, are another set; a folder that cannot be written to still
    gives the set, rendered in memory."""
    first = load_action_set("synthactions", synth=SMALL)
    assert first.fingerprint() == small_set.fingerprint()
    assert len(list((isolated_data / "cache" / "synthactions").glob("*.npz"))) == 1

    def render(*_):
        raise AssertionError("rendered again")

    with monkeypatch.context() as patch:
        patch.setattr(synthactions, "render_clip", render)
        again = load_action_set("synthactions", synth=SMALL)
        assert again.fingerprint() == small_set.fingerprint() and again.splits.keys() == small_set.splits.keys()
        pairs = [(a, b) for split in small_set.splits
                 for a, b in zip(again.splits[split], small_set.splits[split], strict=True)]
        assert len(pairs) == sum(map(len, small_set.splits.values())) == 100 * 3 + 8 * 2
        assert all(np.array_equal(a.boxes, b.boxes) and a.boxes.dtype == b.boxes.dtype for a, b in pairs)
        with pytest.raises(AssertionError, match="rendered again"):
            load_action_set("synthactions", synth=SynthActionsConfig(**{**SMALL.__dict__, "seed": 1}))
        edited = tmp_path / "synthactions.py"
        edited.write_text(Path(synthactions.__file__).read_text() + "\n# an edit of the renderer\n")
        patch.setattr(synthactions, "__file__", str(edited))
        with pytest.raises(AssertionError, match="rendered again"):
            load_action_set("synthactions", synth=SMALL)
    (tmp_path / "a file").write_text("")
    unwritable = synthactions.generate_synthactions(SMALL, progress_bar=False, folder=tmp_path / "a file" / "cache")
    assert unwritable.fingerprint() == small_set.fingerprint() and "rendered in memory" in capsys.readouterr().err


def test_actor_box_holds_the_actor_pixels():
    """Drawn on a flat grey background with no distractors, the pixels that differ from the
    background lie inside the recorded box."""
    config = SynthActionsConfig(size=48, frames=6, distractors=0, clutter=0.0)
    clip = render_clip("x", "right-walk-fast", np.random.default_rng(0), config)
    assert len(clip.frames) == len(clip.boxes) == 6
    for frame, (top, left, bottom, right) in zip(clip.frames, clip.boxes):
        changed = np.argwhere(np.abs(frame.astype(int) - frame[0, 0]).max(axis=-1) > 3)
        assert changed.size and bottom > top and right > left
        assert changed[:, 0].min() >= np.floor(top) - 1 and changed[:, 0].max() <= np.ceil(bottom) + 1
        assert changed[:, 1].min() >= np.floor(left) - 1 and changed[:, 1].max() <= np.ceil(right) + 1


def test_normal_trajectories_move_the_actor_as_named():
    config = SynthActionsConfig(size=64, frames=8, distractors=0)
    centre = lambda boxes: np.stack([(boxes[:, 1] + boxes[:, 3]) / 2, (boxes[:, 0] + boxes[:, 2]) / 2], axis=1)
    right = centre(render_clip("x", "right-none-slow", np.random.default_rng(0), config).boxes)
    up = centre(render_clip("x", "up-none-slow", np.random.default_rng(0), config).boxes)
    still = centre(render_clip("x", "still-none-slow", np.random.default_rng(0), config).boxes)
    assert right[-1, 0] - right[0, 0] > 10 and abs(right[-1, 1] - right[0, 1]) < 1
    assert up[0, 1] - up[-1, 1] > 8 and abs(up[-1, 0] - up[0, 0]) < 1
    assert np.allclose(still, still[0])


def test_skeleton_arm_angle_points_the_hand():
    """Angle 0 hangs the arm down, π raises it above the neck; the tilt turns the whole body."""
    down, up = (skeleton(Pose(50, 50, 40, arms=(a, a)))[2] for a in (0.0, np.pi))
    assert down[2] > down[0] and up[2] < up[0]  # hand (y1) below / above the neck (y0)
    lying = skeleton(Pose(50, 50, 40, tilt=np.pi / 2))[1]  # torso
    assert abs(lying[0] - lying[2]) < 1e-9 and abs(lying[1] - lying[3]) > 10


def test_sample_frames_follows_trx():
    clip = ActionClip("c/v", "c", np.arange(20)[:, None, None, None] * np.ones((1, 2, 2, 3), np.uint8))
    test = sample_frames(clip, 8)[:, 0, 0, 0]
    assert test.tolist() == np.linspace(1, 18, 8).astype(int).tolist()
    train = sample_frames(clip, 8, np.random.default_rng(0))[:, 0, 0, 0]
    assert train[0] <= 5 and train[-1] >= 14 and np.all(np.diff(train) > 0)
    exact = ActionClip("c/w", "c", clip.frames[:8])
    assert sample_frames(exact, 8)[:, 0, 0, 0].tolist() == list(range(8))
    with pytest.raises(DatasetError, match="7 frames"):
        sample_frames(ActionClip("c/x", "c", clip.frames[:7]), 8)


def test_trx_folder_layout_round_trip(tmp_path, small_set):
    clips = {split: small_set.splits[split][:6] for split in ("train", "test")}
    for chosen in clips.values():
        write_action_folders(chosen, tmp_path / "frames")
    (tmp_path / "lists").mkdir()
    for split, chosen in clips.items():
        (tmp_path / "lists" / f"{split}list03.txt").write_text("".join(f"{c.name}\n" for c in chosen))
    loaded = load_action_folders(tmp_path / "frames", tmp_path / "lists", name="mini")
    assert set(loaded.splits) == {"train", "test"}  # no val list, no val split
    for split, chosen in clips.items():
        assert [c.name for c in loaded.splits[split]] == [c.name for c in chosen]
        assert np.array_equal(sample_frames(loaded.splits[split][0], 8), sample_frames(chosen[0], 8))
    (tmp_path / "lists" / "testlist03.txt").write_text("nowhere/video\n")
    with pytest.raises(DatasetError, match="nowhere"):
        load_action_folders(tmp_path / "frames", tmp_path / "lists")


def _trx_folder(root, splits: dict[str, list[ActionClip]]) -> None:
    """Write clips in the TRX layout with their split lists (list number 03)."""
    (root / "splits").mkdir(parents=True)
    for split, chosen in splits.items():
        write_action_folders(chosen, root)
        (root / "splits" / f"{split}list03.txt").write_text("".join(f"{c.name}\n" for c in chosen))


def test_a_second_dataset_gives_the_anomalous_split(tmp_path, small_set):
    normal = {split: small_set.splits[split][:6] for split in ("train", "test")}
    _trx_folder(tmp_path / "kinetics100", normal)
    _trx_folder(tmp_path / "ucfcrime_v2", {"train": small_set.splits["val"][:3], "test": small_set.splits["anomalous"][:4]})
    data = load_action_set("kinetics100", tmp_path / "kinetics100", anomalous="ucfcrime_v2",
                           anomalous_root=tmp_path / "ucfcrime_v2")
    assert data.name == "kinetics100+ucfcrime_v2" and set(data.splits) == {"train", "test", "anomalous"}
    assert [c.name for c in data.splits["anomalous"]] == [c.name for c in small_set.splits["anomalous"][:4]]
    assert [c.name for c in data.splits["test"]] == [c.name for c in normal["test"]]
    with pytest.raises(ValueError, match="unknown few-shot dataset"):
        load_action_set("kinetics100", tmp_path / "kinetics100", anomalous="ucf_crime")


def test_read_list_formats(tmp_path):
    listing = tmp_path / "trainlist03.txt"
    listing.write_text("blasting sand/-kYzxMKp514_000086_000096\nBrushHair/clip_a.avi 3\n\n")
    assert read_list(listing) == [("blasting sand", "-kYzxMKp514_000086_000096"), ("BrushHair", "clip_a")]
    listing.write_text("no_class_here\n")
    with pytest.raises(DatasetError):
        read_list(listing)


def test_action_set_rejects_a_class_in_two_splits():
    clip = ActionClip("a/1", "a", np.zeros((8, 2, 2, 3), np.uint8))
    with pytest.raises(DatasetError, match="'a'"):
        ActionSet("bad", {"train": [clip], "test": [clip]})


def test_episode_rules():
    labels = [c for c in "abcdefg" for _ in range(6)] + ["h"] * 3  # h has too few clips
    rng = np.random.default_rng(0)
    for _ in range(200):
        episode = sample_episode(labels, way=5, shot=2, queries=3, rng=rng)
        assert len(set(episode.classes)) == 5 and "h" not in episode.classes
        assert not set(episode.support) & set(episode.query)
        assert len(set(episode.support)) == 10 and len(set(episode.query)) == 15
        for index, label in zip(episode.support, episode.support_labels):
            assert labels[index] == episode.classes[label]
        for index, label in zip(episode.query, episode.query_labels):
            assert labels[index] == episode.classes[label]
        assert Counter(episode.query_labels) == {k: 3 for k in range(5)}
    with pytest.raises(ValueError, match="needs 8 classes"):
        sample_episode(labels, way=8, shot=2, queries=3, rng=rng)


def test_fixed_episodes_are_the_same_on_every_call():
    labels = [c for c in "abcdef" for _ in range(5)]
    assert fixed_episodes(labels, 5, 1, 2, 20, seed=3) == fixed_episodes(labels, 5, 1, 2, 20, seed=3)
    assert fixed_episodes(labels, 5, 1, 2, 20, seed=3) != fixed_episodes(labels, 5, 1, 2, 20, seed=4)


def test_data_check_reads_a_trx_folder_and_names_a_broken_frame(tmp_path, small_set, capsys):
    from vadcore.cli import main

    clips = small_set.splits["test"][:6]
    write_action_folders(clips, tmp_path / "kinetics100")
    (tmp_path / "kinetics100" / "splits").mkdir()
    for split, listed in (("train", clips[:3]), ("test", clips[3:])):
        (tmp_path / "kinetics100" / "splits" / f"{split}list03.txt").write_text("".join(f"{c.name}\n" for c in listed))
    assert main(["data", "check", "kinetics100", str(tmp_path / "kinetics100")]) == 0
    out = capsys.readouterr().out
    assert "train          1 classes, 3 clips, 8–8 frames per clip" in out and "32×32" in out
    broken = tmp_path / "kinetics100" / clips[4].label / clips[4].name.rpartition("/")[2] / "00003.png"
    broken.write_bytes(b"not an image")
    assert main(["data", "check", "kinetics100", str(tmp_path / "kinetics100")]) != 0
    assert "00003.png" in capsys.readouterr().err


def test_frames_are_resized_with_a_margin_then_cropped():
    """§4.1.2: resized to 256/224 of the input size, then cropped — the centre at test time, a drawn
    place and a flip half of the time in training — the same crop on every frame of a clip."""
    from vadcore.data.actions import crop_clip, resized_for_crop

    assert resized_for_crop((224, 224)) == (256, 256) and resized_for_crop((64, 64)) == (73, 73)
    frames = np.arange(2 * 5 * 6).reshape(2, 5, 6)[..., None].repeat(3, -1)  # pixel values name their place
    centre = crop_clip(frames, (3, 2))
    assert centre.shape == (2, 3, 2, 3) and centre[0, :, :, 0].tolist() == [[8, 9], [14, 15], [20, 21]]
    rng = np.random.default_rng(0)
    seen = set()
    for _ in range(40):
        crop = crop_clip(frames, (3, 2), rng)[..., 0]
        assert (crop[1] - crop[0] == 30).all()  # one place for every frame
        flipped = crop[0, 0, 0] > crop[0, 0, 1]
        seen.add((int(crop[0].min()), bool(flipped)))
    assert len({place for place, _ in seen}) > 5 and {flip for _, flip in seen} == {True, False}
    with pytest.raises(ValueError, match="cannot crop"):
        crop_clip(frames, (6, 2))
