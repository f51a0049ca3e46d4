"""The family contract (vadcore.methods.family): every family keeps it, a family that leaves out
a part is refused, and a toy family in one folder outside vadcore runs through ``cached_run``."""
import dataclasses
import sys
import types

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from vadcore import profiles
from vadcore.data.synthactions import SynthActionsConfig, generate_synthactions
from vadcore.data.video import Video, VideoSet, VideoSource
from vadcore.methods import cached_run, families, family_of, fewshot, register, run_code
from vadcore.methods.family import PARTS, check
from vadcore.runs import RunCache


def video_set(name: str, train: list[np.ndarray], test: list[np.ndarray]) -> VideoSet:
    """Clips from arrays; a test clip's second half is labelled anomalous."""
    def wrap(split, i, array):
        labels = (np.arange(len(array)) >= len(array) // 2).astype(np.uint8) if split == "test" else None
        source = VideoSource(f"{split}{i}", len(array), lambda: array, labels=labels,
                             fingerprint=f"{name}-{split}{i}-{array.sum()}")
        return Video(f"{split}{i}", split, source, tuple(array.shape[1:3]))

    return VideoSet(name, None, [wrap("train", i, a) for i, a in enumerate(train)],
                    [wrap("test", i, a) for i, a in enumerate(test)], gray=train[0].ndim == 3)


def noise_set(name: str, size, channels: tuple = ()) -> VideoSet:
    """Four training clips and two test clips of random frames."""
    rng = np.random.default_rng(0)
    clips = [rng.integers(0, 256, (16, *size, *channels), dtype=np.uint8) for _ in range(6)]
    return video_set(name, clips[:4], clips[4:])


def family_data(name: str, config):
    if name == "fewshot":
        return generate_synthactions(SynthActionsConfig(**fewshot.SYNTHACTIONS["smoke"]))  # notebook 05's, made once
    return noise_set(config.dataset, config.size, (3,) if name == "dissociation" else ())


BUILT_IN = ["reconstruction", "prediction", "dissociation", "fewshot"]


def test_the_contract_tests_cover_every_built_in_family():
    assert sorted(BUILT_IN) == sorted(name for name, f in families().items() if f.__name__.startswith("vadcore."))


@pytest.mark.parametrize("name", BUILT_IN)
def test_every_family_keeps_the_contract(name, monkeypatch):
    """Build, train two steps, score and evaluate each built-in family through its contract."""
    monkeypatch.setenv("VADCORE_DRY_RUN", "1")  # two steps, small frames
    family = families()[name]
    check(family)
    assert set(family.PROFILES) == set(profiles.PROFILES)
    dataset = "synthactions" if name == "fewshot" else "synthped"
    config = family.profile_config("smoke", dataset, 0, size=(32, 32), validate_every=0)
    assert config.iterations == 2 and family_of(config) is family
    data = family_data(name, config)
    trained = family.train(config, family.training_data(data))
    assert max(len(c) for c in trained.curves.values()) == 2  # a loss per step (a stage's terms fewer)
    assert all(np.isfinite(c).all() for c in trained.curves.values())
    model = family.build(config, 1 if getattr(data, "gray", False) else 3)
    assert sorted(model.state_dict()) == sorted(trained.model.state_dict())
    scores = family.score(config, trained.model, family.test_data(data))
    assert family.headline(config) in scores
    metrics = family.evaluate(config, scores, family.test_data(data))
    assert metrics == family.evaluate(config, scores, family.test_data(data), family.headline(config))
    if name != "fewshot":  # frame families: one score per frame from first_scored on, AUC as scikit-learn's
        first = family.first_scored(config)
        headline = scores[family.headline(config)]
        assert [len(s) for s in headline] == [v.n_frames - first for v in data.test]
        labels = np.concatenate([v.labels[first:] for v in data.test])
        sign = -1 if family.headline(config).startswith("psnr") else 1
        assert metrics["global_auc"] == pytest.approx(roc_auc_score(labels, sign * np.concatenate(headline)))


def partial_family(leave_out: str) -> types.ModuleType:
    from tests import toy_family as toy

    module = types.ModuleType("tests.partial_family")
    for part in PARTS:
        if part != leave_out:
            setattr(module, part, getattr(toy, part))
    return module


@pytest.mark.parametrize("part", PARTS)
def test_a_family_that_leaves_out_a_part_is_refused(part, monkeypatch):
    module = partial_family(part)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    with pytest.raises(TypeError, match=f"missing {part}"):
        register(module.__name__)


@pytest.mark.parametrize("part, wrong", [
    ("Config", dataclasses.make_dataclass("Config", [("size", tuple, (8, 8))])),  # no MethodConfig
    ("INPUTS", "audio"),  # neither frames nor action clips
], ids=["config-no-method-config", "unknown-input-kind"])
def test_a_family_with_a_wrong_part_is_refused(part, wrong, monkeypatch):
    module = partial_family("")
    setattr(module, part, wrong)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    with pytest.raises(TypeError, match=part):
        register(module.__name__)


def test_a_second_family_under_a_taken_name_is_refused(monkeypatch):
    module = partial_family("")
    module.__name__ = "tests.impostor"
    monkeypatch.setitem(sys.modules, module.__name__, module)
    with pytest.raises(ValueError, match="already"):
        register(module.__name__)


def test_a_toy_family_in_one_folder_runs_through_the_cached_run():
    from tests import toy_family

    assert families()["toy"] is toy_family
    rng = np.random.default_rng(1)
    dark = [rng.integers(0, 64, (16, 8, 8), dtype=np.uint8) for _ in range(5)]
    test = [np.concatenate([clip[:8], 255 - clip[8:]]) for clip in dark[3:]]  # bright second halves
    data = video_set("noise", dark[:3], test)
    config = toy_family.profile_config("smoke", "noise", iterations=20)
    cache = RunCache()
    result = cached_run(config, data, cache)
    assert result.metrics["global_auc"] == 1.0
    assert len(result.curves["loss"]) == 20 and result.curves["loss"][-1] < result.curves["loss"][0]
    # its code fingerprint covers its own folder and the vadcore code it imports
    assert run_code(config) and cache.run(config, data.fingerprint(), run_code(config)).dir.is_dir()
    again = cached_run(config, data, cache)  # read back from the cache, not trained again
    np.testing.assert_array_equal(again.scores["distance"][0], result.scores["distance"][0])


@pytest.mark.parametrize("name", ["reconstruction", "prediction", "dissociation"])
def test_held_out_clips_are_never_trained_on(name, monkeypatch):
    """``validation_clips`` held-out clips (here clips 1 and 3 of 5: all frames white, the others
    dark) never reach a training window, and training with them held out is training on the
    other clips alone (same curves, same weights) when validation is off."""
    from vadcore.data.clips import FrameBank
    from vadcore.data.splits import validation_split

    family = families()[name]
    rng = np.random.default_rng(0)
    shape = (16, 32, 32, 3) if name == "dissociation" else (16, 32, 32)
    clips = [np.full(shape, 255, np.uint8) if i in (1, 3) else rng.integers(0, 100, shape, dtype=np.uint8)
             for i in range(5)]
    data = video_set("synthped", clips, clips[:1])
    kept, held_out = validation_split(family.training_data(data), 2)
    assert [v.name for v in held_out] == ["train1", "train3"]

    windows = []
    original = FrameBank.windows

    def recording(self, rows, *args, **kwargs):
        batch = original(self, rows, *args, **kwargs)
        windows.append(batch.detach().clone())
        return batch

    monkeypatch.setattr(FrameBank, "windows", recording)
    overrides = dict(size=(32, 32), iterations=4, validate_every=0)
    if name == "dissociation":
        overrides.update(pretrain=2, kmeans_windows=4)
    config = family.profile_config("smoke", "synthped", 0, validation_clips=2, **overrides)
    trained = family.train(config, family.training_data(data))
    assert windows and sum(len(w) for w in windows) >= 4 * config.batch_size
    white = [int((batch == 1).flatten(2).all(-1).sum()) for batch in windows]  # (B, L, C, H, W): white is 1
    assert sum(white) == 0, f"held-out (white) frames in the training windows: {white} per batch"

    alone = family.train(dataclasses.replace(config, validation_clips=0), kept)
    assert set(trained.curves) == set(alone.curves)
    for curve in trained.curves:
        np.testing.assert_array_equal(trained.curves[curve], alone.curves[curve], err_msg=curve)
    for a, b in zip(trained.model.state_dict().values(), alone.model.state_dict().values()):
        assert torch.equal(a, b)



def _scores(name: str, batch: int | None) -> torch.Tensor:
    """One family's scores of one noise clip by a freshly initialised smoke model, ``batch``
    windows a batch (``None``: the engine's)."""
    from vadcore.methods import dissociation, prediction, reconstruction

    torch.manual_seed(0)
    config = families()[name].profile_config("smoke", "synthped", device="cpu")
    model = families()[name].build(config).eval()
    shape = (21, *config.size, 3) if name == "dissociation" else (21, *config.size)
    frames = np.random.default_rng(3).integers(0, 255, shape, dtype=np.uint8)
    clip = Video("noise", "test", VideoSource("noise", 21, lambda: frames, labels=np.zeros(21)), config.size)
    if name == "prediction":
        return prediction.predict_video(model, clip, config.frames, batch_size=batch)[0]
    if name == "reconstruction":
        return reconstruction.reconstruction_errors(model, clip, config.window, batch_size=batch)[0]
    return dissociation.outputs(config, model, clip, batch_size=batch)["fused"]


@pytest.mark.parametrize("name", ["dissociation", "prediction", "reconstruction"])
def test_a_score_does_not_depend_on_the_inference_batch(name):
    """Windows are scored in batches of ``Engine.inference_batch``: three windows a batch gives
    the same scores, so the engine may pick its batch for speed alone."""
    default, small = _scores(name, None), _scores(name, 3)
    assert len(default) > 3 and np.isfinite(np.asarray(default)).all()
    np.testing.assert_allclose(np.asarray(small), np.asarray(default), rtol=1e-6)
