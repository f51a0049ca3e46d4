"""The few-shot family (notebook 05): configs, trivial scores, diagnostics, a cached run."""
from __future__ import annotations

import numpy as np
import pytest

from vadcore.data.actions import ActionClip, ActionSet
from vadcore.data.synthactions import SynthActionsConfig, generate_synthactions
from vadcore.methods import cached_run, fewshot
from vadcore.methods.fewshot import baselines, diagnostics
from vadcore.methods.fewshot.evaluation import at_shot
from vadcore.papers import fewshot_key_region as paper
from vadcore.runs import RunCache


def test_config_rejects_parts_without_the_branch():
    with pytest.raises(ValueError, match="TRX"):
        fewshot.Config(key_region=False)
    fewshot.Config(**paper.MODULE_ROWS["TRX"])  # the baseline itself is valid
    with pytest.raises(ValueError, match="crop"):
        fewshot.Config(size=(32, 32), crop=40)
    with pytest.raises(ValueError, match="adam"):
        fewshot.Config(optimizer="rmsprop")


def test_prototype_accuracy_by_hand():
    config = fewshot.Config(way=5, shot=2, test_queries=1)
    labels = [c for c in "abcdefg" for _ in range(4)]
    separable = np.array([[ord(c) * 10.0, 0.0] for c in labels])  # each class its own point
    assert baselines.prototype_accuracies(config, separable, labels, 50, 0).tolist() == [1.0] * 50
    constant = np.zeros((len(labels), 2))  # every class ties: the first class wins every query
    assert np.allclose(baselines.prototype_accuracies(config, constant, labels, 50, 0), 0.2)


def test_covered_fraction_by_hand():
    region = np.array([0.0, 0.0, 10.0, 10.0])
    assert diagnostics.covered_fraction(region, np.array([5.0, 5.0, 15.0, 15.0])) == pytest.approx(0.25)
    assert diagnostics.covered_fraction(region, np.array([2.0, 2.0, 4.0, 4.0])) == pytest.approx(1.0)
    assert diagnostics.covered_fraction(region, np.array([20.0, 20.0, 30.0, 30.0])) == 0.0
    assert diagnostics.region_boxes(np.array([5.0, 8.0]), 4).tolist() == [6.0, 3.0, 10.0, 7.0]


def test_trivial_scores_are_near_chance_on_synthactions_and_perfect_on_easy_data():
    """synthactions hides the class in the motion of a small actor: a class's mean frame says
    nothing (chance is 20 %). A set where each class has its own colour is solved by it."""
    config = fewshot.profile_config("smoke", "synthactions", test_episodes=100)
    data = generate_synthactions(SynthActionsConfig(**fewshot.SYNTHACTIONS["smoke"]), progress_bar=False)
    scores = baselines.trivial_accuracies(config, {"test": data.splits["test"]})
    assert all(15 < s["test"].mean() < 30 for s in scores.values())
    easy = [ActionClip(f"{k}/{i}", str(k), np.full((8, 32, 32, 3), 30 * k, np.uint8)) for k in range(6) for i in range(8)]
    easy_scores = baselines.trivial_accuracies(config, {"test": easy})
    assert easy_scores["mean frame"]["test"].mean() == 100.0


def test_cached_run_trains_scores_and_is_deterministic(tmp_path):
    synth = SynthActionsConfig(size=32, frames=8, clips_per_class=8, anomalous_clips_per_class=8, distractors=0)
    data = generate_synthactions(synth, progress_bar=False)
    config = fewshot.profile_config("smoke", "synthactions", shot=1, iterations=3, test_episodes=20)
    first = cached_run(config, data, RunCache(tmp_path / "a"))
    again = cached_run(config, data, RunCache(tmp_path / "b"))
    assert set(first.scores) == {"test", "anomalous"} and len(first.scores["test"][0]) == 20
    assert np.array_equal(first.scores["test"][0], again.scores["test"][0])
    assert 0 <= first.metrics["accuracy"] <= 100 and first.metrics["episodes"] == 20
    assert first.metrics["ci95"] == pytest.approx(196 * first.scores["test"][0].std() / np.sqrt(20))
    # one model, tested at every K of test_shots (the smoke profile's (1, 5)); each K its own episodes
    assert config.evaluated_shots == (1, 5) and len(first.scores["anomalous"]) == 2
    assert at_shot(config, first.scores, "test", 5) is first.scores["test"][1]
    with pytest.raises(ValueError, match="not 3"):
        at_shot(config, first.scores, "test", 3)


def test_action_set_fingerprint_follows_the_frames():
    clip = ActionClip("a/1", "a", np.zeros((8, 4, 4, 3), np.uint8))
    other = ActionClip("a/1", "a", np.ones((8, 4, 4, 3), np.uint8))
    assert ActionSet("s", {"train": [clip]}).fingerprint() == ActionSet("s", {"train": [clip]}).fingerprint()
    assert ActionSet("s", {"train": [clip]}).fingerprint() != ActionSet("s", {"train": [other]}).fingerprint()
    assert ActionSet("s", {"train": [clip]}).size == (4, 4)


def test_clip_frames_are_imagenet_normalised_and_read_through_the_cache_once():
    from vadcore.data.actions import FrameCache

    frames = np.zeros((8, 4, 6, 3), np.uint8)
    frames[..., 0], frames[..., 1], frames[..., 2] = 255, 0, 128
    clip = ActionClip("c", "a", frames)
    config = fewshot.Config(size=(4, 6), frames=8, crop=2)
    x = fewshot.clips_tensor(config, [clip])
    expected = [(1 - 0.485) / 0.229, (0 - 0.456) / 0.224, (128 / 255 - 0.406) / 0.225]
    np.testing.assert_allclose(x[0, :, :, 0, 0].numpy(), np.tile(expected, (8, 1)), rtol=1e-5)
    cache = FrameCache((2, 3))  # frames of another size are resized once, then kept
    first = fewshot.clips_tensor(fewshot.Config(size=(2, 3), frames=8, crop=2), [clip], cache=cache)
    assert len(cache.frames) == 8 and first.shape == (1, 8, 3, 2, 3)  # an 8-frame clip: every frame
    fewshot.clips_tensor(fewshot.Config(size=(2, 3), frames=8, crop=2), [clip], cache=cache)
    assert len(cache.frames) == 8  # read once
