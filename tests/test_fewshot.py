"""The few-shot family (notebook 05): configs, trivial scores, diagnostics, a cached run, and the
notebook's tables and verdicts built from hand-made runs."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from vadcore import baselines, figures, report
from vadcore.data.actions import ActionClip, ActionSet
from vadcore.data.synthactions import SynthActionsConfig, generate_synthactions
from vadcore.methods import cached_run, fewshot
from vadcore.methods.fewshot import diagnostics
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


def test_actor_boxes_follow_the_frames_resize_and_centre_crop(monkeypatch):
    """32×32 clips seen at 14×14: resized to 16×16 (× 0.5), then the centre crop moves boxes by 1
    and cuts them to the 14×14 frame."""
    import torch

    from vadcore.methods.fewshot import diagnostics

    boxes = np.tile([4.0, 8.0, 12.0, 30.0], (8, 1))
    clip = ActionClip("c", "a", np.zeros((8, 32, 32, 3), np.uint8), boxes=boxes)
    config = fewshot.Config(size=(14, 14), frames=8, crop=4)
    monkeypatch.setattr(diagnostics, "embed_clips", lambda *a: {"centres": torch.full((1, 8, 2), 5.5)})
    found = diagnostics.key_regions(config, None, [clip])
    np.testing.assert_allclose(found["actors"][0], np.tile([1.0, 3.0, 5.0, 14.0], (8, 1)))  # right: 15 − 1, cut
    np.testing.assert_allclose(found["regions"][0, 0], [3.5, 3.5, 7.5, 7.5])


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
    data = generate_synthactions(SynthActionsConfig(**fewshot.SYNTHACTIONS["smoke"]), progress_bar=False)  # notebook 05's
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


def test_interval_cell_is_the_mean_and_its_95_percent_half_width():
    # mean 50, population std 50, N = 4: 1.96 · 50 / 2 = 49
    assert paper.interval_cell([0.0, 100.0, 0.0, 100.0]) == "50.0 ± 49.0"
    assert paper.interval_cell(np.full(10, 20.0)) == "20.0 ± 0.0"


def test_the_seeds_interval_is_the_spread_of_the_seeds_means():
    """Two seeds of two episodes, 20 % and 40 %: pooled as four episodes the interval is
    1.96 · 10 / 2 = 9.8; between the two seeds' means it is t(0.975, 1) · 14.14 / √2 = 127.1."""
    per_seed = [np.array([20.0, 20.0]), np.array([40.0, 40.0])]
    assert paper.interval_cell(np.concatenate(per_seed), per_seed) == "30.0 ± 9.8 (seeds ± 127.1)"
    assert paper.interval_cell(per_seed[0], per_seed[:1]) == "20.0 ± 0.0"  # one seed: no seeds' interval
    assert np.isnan(report.mean_interval([20.0]))


def test_validation_curves_table_and_the_verdict_read_off_them():
    """Ours ahead of TRX at step 100 by 10 on both seeds, behind at 200 by 5 on both: the verdict
    says so and that it depends on the schedule; steps 300 differ by +4 and −2 (within)."""
    steps = np.array([100, 200, 300])
    curves = {"TRX": (steps, np.array([[20.0, 30.0, 30.0], [22.0, 34.0, 30.0]])),
              paper.OURS: (steps, np.array([[30.0, 25.0, 34.0], [32.0, 29.0, 28.0]]))}
    header, rows = paper.curve_rows(curves)
    assert header == ["step", "TRX (val %)", f"{paper.OURS} (val %)", f"{paper.OURS} − TRX"]
    # step 300: differences +4, −2: mean +1, SD 4.24, t(0.975, 1) · 4.24 / √2 = 38.1
    assert rows[0] == ["100", "21.0 ± 12.7", "31.0 ± 12.7", "+10.0 ± 0.0"]
    assert rows[2][-1] == "+1.0 ± 38.1"
    text = paper.curve_verdict(curves)
    assert "ahead at steps 100" in text and "behind at steps 200" in text and "within the seeds' spread" in text
    assert "depends on the schedule" in text
    same = {m: (steps[:1], c[:, :1]) for m, (_, c) in curves.items()}
    assert "does not depend on the schedule" in paper.curve_verdict(same)
    one_seed = {m: (steps, c[:1]) for m, (_, c) in curves.items()}  # no interval between trained models
    text = paper.curve_verdict(one_seed)
    assert "Undecided" in text and "+10.0 at 100, -5.0 at 200, +4.0 at 300" in text and "depend" not in text


def scored(test: list[float], anomalous: list[float]) -> SimpleNamespace:
    """A finished run's stand-in: per-episode accuracies (fractions) at its one tested K."""
    return SimpleNamespace(scores={"test": [np.array(test)], "anomalous": [np.array(anomalous)]})


def test_ablation_tables_from_hand_made_runs():
    config = fewshot.Config(shot=5)  # tested at 5 shots only
    plan = {("ablation", "modules", row): config for row in ("TRX", "+ key-region selection")}
    results = {("ablation", "modules", "TRX"): scored([0.2, 0.4], [1.0, 0.0]),
               ("ablation", "modules", "+ key-region selection"): scored([0.6, 0.6], [0.0, 0.0])}
    measured = paper.ablation_accuracies(plan, results, "modules", ["TRX", "+ key-region selection"], 5)
    assert {row: {s: v.tolist() for s, v in splits.items()} for row, splits in measured.items()} == {
        "TRX": {"test": [20.0, 40.0], "anomalous": [100.0, 0.0]},
        "+ key-region selection": {"test": [60.0, 60.0], "anomalous": [0.0, 0.0]}}
    header, rows = paper.ablation_rows(paper.TABLE2, measured, 5)
    assert header == ["row", "paper HMDB51 5-shot", "paper Kinetics 5-shot", "paper UCF-Crime v2 5-shot",
                      "ours unseen normal", "ours anomalous"]
    # 1.96 · 10 / √2 = 13.9; 1.96 · 50 / √2 = 69.3
    assert rows == [["TRX", "73.3", "84.9", "48.2", "30.0 ± 13.9", "50.0 ± 69.3"],
                    ["+ key-region selection", "73.7", "86.0", "49.5", "60.0 ± 0.0", "0.0 ± 0.0"],
                    ["chance", "20.0", "20.0", "20.0", "20.0", "20.0"]]
    verdicts = paper.ablation_verdicts(measured, 5)  # one claim has both rows: key-region selection vs TRX
    assert len(verdicts) == 2 and all("key-region selection improves TRX" in v for v in verdicts)
    assert "chance 20.0; above it: all" in verdicts[0]  # 60 and 30 on unseen normal
    assert "above it: TRX" in verdicts[1]  # anomalous: TRX 50, the key region 0
    # TRX 30 ± 13.9 reaches chance, 60 ± 0 does not: a verdict; anomalous 50 ± 69.3 and 0 ± 0 both
    # reach chance (or lie below it): undecided, whatever the means say
    assert "Verdict: within the spread over episodes" in verdicts[0] and "both at chance" not in verdicts[0]
    assert verdicts[1].endswith("**Verdict: undecided (both at chance).**")
    assert paper.at_chance([20.0, 24.0]) and not paper.at_chance([30.0, 30.0]) and paper.at_chance([0.0, 0.0])
    assert "unseen normal, 5-shot" in verdicts[0] and "anomalous, 5-shot" in verdicts[1]
    with pytest.raises(ValueError, match="not 1"):
        paper.ablation_accuracies(plan, results, "modules", ["TRX"], 1)


def test_table1_from_hand_made_runs():
    config = fewshot.Config(shot=5, test_shots=(1, 5))  # one model tested at both K
    runs = {"TRX": ([0.2, 0.2], [0.4, 0.4]), paper.OURS: ([0.6, 0.6], [0.4, 0.4])}  # (1-shot, 5-shot) episodes
    plan = {(m, k, seed): config for m in runs for k in (1, 5) for seed in (0, 1)}
    results = {(m, k, seed): SimpleNamespace(scores={s: [np.array(one), np.array(five)] for s in paper.SPLITS})
               for m, (one, five) in runs.items() for k in (1, 5) for seed in (0, 1)}
    trivial = {k: {"mean frame": {s: np.full(4, 20.0) for s in paper.SPLITS},
                   "random ResNet": {s: np.full(4, 30.0) for s in paper.SPLITS}} for k in (1, 5)}
    accuracies = paper.headline_accuracies(plan, results, "TRX", 1, "test", [0, 1])
    assert accuracies.tolist() == [20.0] * 4  # both seeds' episodes, one after the other
    header, rows = paper.table1_rows(plan, results, trivial, [0, 1], [1, 5])
    assert header == ["method", "unseen normal 1-shot", "unseen normal 5-shot", "anomalous 1-shot", "anomalous 5-shot"]
    assert rows == [["TRX"] + ["20.0 ± 0.0 (seeds ± 0.0)", "40.0 ± 0.0 (seeds ± 0.0)"] * 2,
                    [paper.OURS] + ["60.0 ± 0.0 (seeds ± 0.0)", "40.0 ± 0.0 (seeds ± 0.0)"] * 2,
                    ["mean frame (reference)"] + ["20.0 ± 0.0"] * 4,
                    ["random ResNet (reference)"] + ["30.0 ± 0.0"] * 4]
    assert paper.strongest_reference(trivial, 1, "test") == "random ResNet"
    assert paper.key_region_gain(plan, results, 1, [0, 1]) == {"test": pytest.approx(40.0),
                                                                 "anomalous": pytest.approx(40.0)}
    verdicts = paper.table1_verdicts(plan, results, trivial, [0, 1], [1, 5])
    assert len(verdicts) == 4 and "random ResNet 30.0" in verdicts[0] and "Kinetics" in verdicts[0]
    assert "UCF-Crime v2" in verdicts[2]


def test_actor_coverage_rows():
    actors = np.array([[[0.0, 0.0, 10.0, 10.0]]])
    regions = {"test": {"covered": np.array([[0.5, 1.0]]), "actors": actors},
               "anomalous": {"covered": np.array([[np.nan, 0.25]]), "actors": np.full((1, 1, 4), np.nan)}}
    with pytest.warns(RuntimeWarning, match="empty slice"):  # no actor box on the anomalous clips: no chance value
        rows = paper.coverage_rows(regions, 4, (10, 10))
        assert rows == paper.coverage_rows(regions, 4, (10, 10))  # the random regions are seeded
    assert rows[0][:2] == ["unseen normal", "75.0"] and rows[1] == ["anomalous", "25.0", "nan"]
    # the chance column is the mean share of the actor in a random 4×4 region of the 10×10 frame
    assert 0 < float(rows[0][2]) <= 100 * 16 / 100


def test_relation_maps_before_and_after_the_relation_module():
    torch.manual_seed(0)
    config = fewshot.Config(size=(32, 32), frames=4, crop=16, depth=18, width=4, maxpool=False, out_dim=8)
    clip = ActionClip("c", "a", np.random.default_rng(0).integers(0, 255, (4, 32, 32, 3), np.uint8))
    maps = diagnostics.relation_maps(config, fewshot.build(config).eval(), clip)
    assert maps["before"].shape == maps["after"].shape == (4, 32, 32)
    assert not np.allclose(maps["before"], maps["after"])  # the relation module gates the maps
    trx = fewshot.Config(size=(32, 32), frames=4, crop=16, depth=18, width=4, maxpool=False, out_dim=8,
                         **paper.MODULE_ROWS["TRX"])
    plain = diagnostics.relation_maps(trx, fewshot.build(trx).eval(), clip)
    assert np.array_equal(plain["before"], plain["after"])  # no relation module: the same maps
    fig = figures.relation_maps(np.zeros((4, 32, 32, 3), np.uint8), maps["before"], maps["after"], step=2)
    assert len(fig.axes) == 2 * 3 + 2 * 2  # two rows of three images, a colour bar per map


def test_search_verdict_tells_trials_from_guessing():
    """100 validation episodes × 5 ways × 1 query = 500 predictions: chance is 20 ± 1.96 · √(0.16 / 500)
    = 20 ± 3.5 %. Trials at 23.0 / 22.2 / 21.6 % are all inside (the rate is noise); one at 25 % is
    above it (it would be inside a 7.8-point interval counted over episodes instead of predictions)."""
    from dataclasses import replace

    from vadcore.methods.validation import Choice, Trial

    config = fewshot.Config(validation_episodes=100, way=5, test_queries=1, iterations=300)

    def choice(values):
        trials = [Trial(0, {"lr": lr}, replace(config, lr=lr), None, v)
                  for lr, v in zip((3e-4, 1e-3, 3e-3), values)]
        return Choice("accuracy", True, trials)

    text = paper.search_verdict(choice([0.23, 0.222, 0.216]))
    assert "20.0 ± 3.5 %" in text and "500 validation predictions" in text and "23.0, 22.2, 21.6 %" in text
    assert "Every trial is within chance" in text and "300 steps" in text
    text = paper.search_verdict(choice([0.25, 0.222, 0.216]))
    assert "1 of 3 trial(s) above chance" in text
