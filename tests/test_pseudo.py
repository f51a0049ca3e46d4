"""Pseudo-anomalies (vadcore.data.pseudo): each alteration by hand, labels and masks where the
alteration is, the same clips from the same seed, and a score that sees motion finds them."""
import importlib

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from vadcore.baselines import frame_difference_scores
from vadcore.data.pseudo import detection_auc, patch, pseudo_anomalies, reverse, skip
from vadcore.data.splits import validation_split
from vadcore.data.video import Video, VideoSource


def indexed(n=12, size=(4, 6)):
    """Frame t is filled with the value t: which frame went where can be read off the result."""
    return np.repeat(np.arange(n, dtype=np.uint8)[:, None, None], size[0], 1).repeat(size[1], 2)


def test_skip_plays_the_stretch_faster_and_the_rest_follows():
    out = skip(indexed(), start=2, length=3, speed=2)
    assert list(out[:, 0, 0]) == [0, 1, 2, 4, 6, 8, 9, 10, 11]
    with pytest.raises(ValueError, match="needs 14 frames"):
        skip(indexed(), start=2, length=3, speed=4)


def test_reverse_plays_the_stretch_backwards():
    assert list(reverse(indexed(), start=3, length=4)[:, 0, 0]) == [0, 1, 2, 6, 5, 4, 3, 7, 8, 9, 10, 11]


def test_a_patch_moves_across_the_frame_in_time_with_its_source():
    frames = np.zeros((8, 10, 12), np.uint8)
    other = indexed(8, (10, 12)) + 100
    out, masks = patch(frames, other, start=2, length=4, side=3, rng=np.random.default_rng(0))
    assert not masks[:2].any() and not masks[6:].any() and (masks[2:6].sum((1, 2)) == 9).all()
    assert (out[masks] >= 100).all() and (out[~masks] == 0).all()
    for t in range(2, 6):  # the patch of frame t is cut from frame t of the other clip
        assert (out[t][masks[t]] == 100 + t).all()
    columns = [np.flatnonzero(masks[t].any(0))[0] for t in range(2, 6)]
    assert sorted([columns[0], columns[-1]]) == [0, 9] and len(set(np.diff(columns))) == 1  # edge to edge, steadily


def clips(n_clips=3, n=30, size=(16, 16), seed=0):
    """Clips of a bright square moving one pixel per frame over a noisy background."""
    rng = np.random.default_rng(seed)
    videos = []
    for c in range(n_clips):
        frames = rng.integers(0, 30, (n, *size), dtype=np.uint8)
        for t in range(n):
            x = (t + 3 * c) % (size[1] - 4)
            frames[t, 6:10, x : x + 4] = 220
        videos.append(Video(f"c{c}", "train", VideoSource(f"c{c}", n, lambda f=frames: f), size))
    return videos


def test_labels_mark_the_altered_frames_and_the_same_seed_gives_the_same_clips():
    made, alterations = pseudo_anomalies(clips(), seed=3)
    again, _ = pseudo_anomalies(clips(), seed=3)
    other, _ = pseudo_anomalies(clips(), seed=4)
    assert [v.name for v in made] == [f"c{c}~{k}" for c in range(3) for k in ("skip", "reverse", "patch")]
    assert len(alterations) == len(again) == 9 and [a.kind for a in alterations] == ["skip", "reverse", "patch"] * 3
    for video, copy, alteration in zip(made, again, alterations):
        np.testing.assert_array_equal(video.frames, copy.frames)
        assert video.split == "pseudo" and len(video.labels) == video.n_frames == len(video.frames)
        assert list(np.flatnonzero(video.labels)) == list(range(alteration.start, alteration.start + alteration.length))
        assert alteration.start >= 1  # a clip starts normal
    assert alterations[0].speed in (2, 3, 4) and len(made[0].frames) == 30 - (alterations[0].speed - 1) * alterations[0].length
    assert (made[2].masks.any((1, 2)) == made[2].labels.astype(bool)).all()
    assert any(not np.array_equal(a.frames, b.frames) for a, b in zip(made, other))


def test_frame_difference_finds_the_faster_motion():
    made, _ = pseudo_anomalies(clips(6), seed=0, kinds=("skip",))
    scores = frame_difference_scores(made)  # frame 2 … T
    labels = np.concatenate([v.labels[1:] for v in made])
    assert roc_auc_score(labels, np.concatenate(scores)) > 0.8  # 0.5 if the stretch were not faster


def test_detection_auc_normalises_each_clip_before_pooling():
    scores = [np.array([0.0, 1.0, 2.0]), np.array([10.0, 20.0, 30.0])]
    labels = [np.array([0, 0, 1]), np.array([0, 1, 1])]
    # each clip min–max → [0, ½, 1] twice: of the 9 anomalous/normal pairs, 8 ordered and 1 tie: 8.5 / 9
    # (pooling the raw scores instead gives 8 / 9)
    assert detection_auc(scores, labels) == pytest.approx(8.5 / 9)
    from vadcore import metrics
    assert detection_auc(scores, labels) == pytest.approx(metrics.frame_metrics(scores, labels).micro_auc)
    with pytest.raises(ValueError, match="2 scores for 3 labels"):
        detection_auc([np.zeros(2)], [np.array([0, 1, 1])])


def test_bad_requests_are_refused():
    with pytest.raises(ValueError, match="kinds must be among"):
        pseudo_anomalies(clips(), kinds=("blur",))
    with pytest.raises(ValueError, match="another clip"):
        pseudo_anomalies(clips(1), kinds=("patch",))
    with pytest.raises(ValueError, match="needs"):
        pseudo_anomalies(clips(1, n=5), kinds=("skip",))


def test_a_prediction_run_measures_the_pseudo_anomalies_of_its_held_out_clips(monkeypatch):
    from tests.test_family import noise_set
    from vadcore.methods import prediction

    monkeypatch.setenv("VADCORE_DRY_RUN", "1")  # two steps
    config = prediction.profile_config("smoke", "synthped", size=(32, 32), validation_clips=2, validate_every=2)
    data = noise_set("synthped", (32, 32))
    trained = prediction.train(config, data.train)
    assert list(trained.curves["val_step"]) == [0, 2] and len(trained.curves["val_pseudo_auc"]) == 2
    _, held_out = validation_split(data.train, 2)
    clips, _ = pseudo_anomalies(held_out, config.seed)
    value = prediction.pseudo_auc(config, trained.model, clips)
    assert trained.curves["val_pseudo_auc"][-1] == pytest.approx(value)
    # it is the protocol's micro AUC of those frames (vadcore.metrics), computed without it
    from vadcore import metrics
    from vadcore.methods.prediction import _psnr_scores

    psnr = [_psnr_scores(trained.model, v, config.frames, step=4)["psnr"].double().numpy() for v in clips]
    labels = [np.asarray(v.labels)[config.frames:][::4] for v in clips]
    assert value == pytest.approx(metrics.frame_metrics(psnr, labels, higher_is_normal=True).micro_auc)


def test_criteria_agreement_is_spearmans_rho_over_the_trials():
    from types import SimpleNamespace

    from vadcore.methods.validation import Choice, Trial

    test = [0.6, 0.8, 0.7, 0.9]
    psnr = [30.0, 29.0, 31.0, 28.0]  # ranks 3, 2, 4, 1 against the test's 1, 3, 2, 4
    auc = [0.1, 0.3, 0.2, 0.4]  # the test's order exactly: ρ = +1
    choice = Choice("pseudo_auc", True)
    for i in range(4):
        result = SimpleNamespace(metrics={"micro_auc": test[i]},
                                 curves={"val_step": np.array([0, 5]), "val_psnr": np.array([0.0, psnr[i]]),
                                         "val_pseudo_auc": np.array([0.0, auc[i]])})
        choice.trials.append(Trial(0, {}, f"config {i}", result, auc[i]))
    agreement = choice.agreement()
    assert agreement["pseudo_auc"] == pytest.approx(1.0)
    assert agreement["psnr"] == pytest.approx(-0.8)  # Σd² = 4 + 1 + 4 + 9 = 18: 1 − 6·18 / (4·15)


def test_a_chosen_decay_keeps_its_share_of_a_shorter_schedule():
    from vadcore.methods.prediction.profiles import PROFILES, on_schedule

    assert PROFILES["cpu"]["iterations"] == 1200
    assert on_schedule({"flow": 0.2, "decay_at": 900}, 600, "cpu") == {"flow": 0.2, "decay_at": 450, "iterations": 600}
    assert on_schedule({"decay_at": 900, "iterations": 3000}, 600, "cpu")["decay_at"] == 180  # the settings' own schedule
    assert on_schedule({"decay_at": None}, 600, "cpu") == {"decay_at": None, "iterations": 600}


def test_the_search_trains_on_the_schedule_it_chooses_for():
    """The trials run the profile's schedule, so the chosen trial is the first seed's headline run
    (one key, trained once)."""
    from vadcore.methods import prediction
    from vadcore.methods.prediction.profiles import VALIDATION, validation_steps

    steps = validation_steps("cpu", "ucsd_ped2", device="cpu")
    first = next(steps)
    trial = next(iter(first.values()))
    assert trial == prediction.profile_config("cpu", "ucsd_ped2")
    assert {"decay_at"} in [set().union(*stage) for stage in VALIDATION["cpu"]["stages"]]


def test_reconstruction_windows_every_4th_frame_still_cover_every_frame():
    """A model that outputs zeros makes e(t) = Σ I(t)² whichever windows hold frame t: windows
    every 4th frame (plus one on the last frame) give the same errors; a frame left uncovered
    would be NaN."""
    from vadcore.methods.reconstruction import _frame_errors

    frames = np.random.default_rng(1).integers(0, 256, (23, 8, 8), dtype=np.uint8)
    video = Video("v", "test", VideoSource("v", 23, lambda: frames, np.zeros(23, np.uint8)), (8, 8))

    class Zeros(torch.nn.Module):
        def forward(self, x):
            return torch.zeros_like(x)

    expected = (frames.astype(float) / 255) ** 2
    every, strided = (_frame_errors(Zeros(), video, 10, stride=s)[0].numpy() for s in (1, 4))
    np.testing.assert_allclose(every, expected.sum((1, 2)), rtol=1e-5)
    np.testing.assert_allclose(strided, every, rtol=1e-6)


@pytest.mark.parametrize("name", ["reconstruction", "dissociation"])
def test_every_frame_family_measures_pseudo_anomalies(name, monkeypatch):
    """Reconstruction (e(t), windows every 4th frame or every ``score_stride``-th if that is more)
    and dissociation (its headline score, every 4th window) record ``val_pseudo_auc``: the
    protocol's micro AUC of those scores."""
    from tests.test_family import video_set
    from vadcore import metrics

    monkeypatch.setenv("VADCORE_DRY_RUN", "1")  # two steps
    family = importlib.import_module(f"vadcore.methods.{name}")
    config = family.profile_config("smoke", "synthped", validation_clips=2, validate_every=2)
    rng = np.random.default_rng(0)  # clips long enough for a ×4 skip to leave a 10-frame window
    data = video_set("synthped", [rng.integers(0, 256, (40, *config.size, *((3,) if name == "dissociation" else ())),
                                               dtype=np.uint8) for _ in range(4)], [])
    trained = family.train(config, data.train)
    _, held_out = validation_split(data.train, 2)
    made, _ = pseudo_anomalies(held_out, config.seed)
    if name == "reconstruction":
        assert config.score_stride == 10  # smoke: windows every 10th frame, which the pseudo-anomalies keep
        scores = [family._frame_errors(trained.model, v, config.window, stride=config.score_stride)[0].numpy()
                  for v in made]
        labels = [np.asarray(v.labels) for v in made]
    else:
        scores = [family._outputs(config, trained.model, v)[family.headline(config)][::4].numpy() for v in made]
        labels = [np.asarray(v.labels)[family.scored_frames(config, v.n_frames)][::4] for v in made]
    expected = metrics.frame_metrics(scores, labels).micro_auc
    assert trained.curves["val_pseudo_auc"][-1] == pytest.approx(expected)


def test_search_table_lists_every_measurement_the_criterion_first(tmp_path):
    from types import SimpleNamespace

    from vadcore import report
    from vadcore.methods.validation import Choice, Trial

    choice = Choice("pseudo_auc", True)
    for i, (auc, psnr, test) in enumerate([(0.6, 31.0, 0.7), (0.8, 30.0, 0.9), (0.7, 32.0, 0.8)]):
        result = SimpleNamespace(metrics={"micro_auc": test},
                                 curves={"val_step": np.array([5]), "val_psnr": np.array([psnr]),
                                         "val_pseudo_auc": np.array([auc])})
        choice.trials.append(Trial(0, {"clusters": 2 ** i}, f"config {i}", result, auc))
    text = report.search_table(tmp_path, "search", choice, "title")
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("| stage"))
    assert header.index("pseudo-anomaly AUC % (the criterion)") < header.index("validation PSNR (dB)")
    rows = [line for line in lines if line.startswith("| 1 ")]
    assert [r.split("|")[3:6] for r in rows] == [[" 60.0 ", " 31.00 ", "  "], [" 80.0 ", " 30.00 ", " chosen "],
                                                 [" 70.0 ", " 32.00 ", "  "]]
    choice.trials.append(Trial(1, {"lr": 1.0}, "config 1", choice.trials[1].result, 0.8))  # stage 2 repeats the choice
    assert report.search_table(tmp_path, "search", choice, "title") == text  # the same run, listed once
    criteria = report.criteria_table(tmp_path, "criteria", choice)
    # PSNR ranks 2, 1, 3 against the test's 1, 3, 2: Σd² = 6, ρ = 1 − 6·6 / (3·8) = −0.5
    assert "| pseudo-anomaly AUC % | +1.00 |" in criteria and "| validation PSNR (dB) | -0.50 |" in criteria


def test_the_dissociation_search_tries_clusters_on_the_profiles_schedule():
    from vadcore.methods import dissociation
    from vadcore.methods.dissociation.profiles import VALIDATION, validation_steps

    first = next(validation_steps("cpu", "ucsd_ped2", device="cpu"))
    assert sorted(label[0] for label in first) == ["clusters"] * 3
    assert [c.clusters for c in first.values()] == [16, 32, 64]
    assert first["clusters", 0, 1] == dissociation.profile_config("cpu", "ucsd_ped2")  # 32: the profile's
    assert "gpu" not in VALIDATION and next(validation_steps("gpu", "ucsd_ped2", device="cuda"), None) is None


def test_a_given_setting_skips_its_stage_and_the_rest_are_still_searched():
    from vadcore.methods.prediction.profiles import validation_steps

    first = next(validation_steps("cpu", "ucsd_ped2", flow=0.0, lr=1e-3, device="cpu"))  # λ_of and rates given: the decay stage
    assert [c.decay_at for c in first.values()] == [None, 600]
    assert {(c.flow, c.lr_generator, c.lr_discriminator) for c in first.values()} == {(0.0, 1e-3, 1e-4)}
