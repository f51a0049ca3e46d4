"""The run cache: stable hashes, computed once, resumable, atomic."""
from dataclasses import dataclass

import numpy as np
import pytest

from vadcore.runs import RunCache, RunResult, config_hash


@dataclass(frozen=True)
class Config:
    model: str = "unet"
    lr: float = 2e-4
    strides: tuple = (1, 2)


def test_hash_ignores_key_order_and_container_types():
    assert config_hash({"a": 1, "b": [1, 2]}) == config_hash({"b": (1, 2), "a": 1})
    assert config_hash(Config()) == config_hash({"model": "unet", "lr": 2e-4, "strides": [1, 2]})
    assert config_hash(Config(lr=1e-4)) != config_hash(Config())
    assert len(config_hash(Config())) == 12


def test_synthped_runs_are_keyed_by_the_generator_version(monkeypatch):
    from vadcore.data import synthped

    config = {"dataset": "synthped", "lr": 1e-4}
    before, ped2 = config_hash(config), config_hash({"dataset": "ucsd_ped2", "lr": 1e-4})
    monkeypatch.setattr(synthped, "GENERATOR_VERSION", synthped.GENERATOR_VERSION + 1)
    assert config_hash(config) != before  # new frames: the old runs no longer apply
    assert config_hash({"dataset": "ucsd_ped2", "lr": 1e-4}) == ped2  # real data: unchanged


def test_finished_run_is_reused(tmp_path):
    cache, calls = RunCache(tmp_path), []

    def compute(run):
        calls.append(run.key)
        return RunResult(scores={"psnr": [np.array([30.0, 31.0]), np.array([29.0])]},
                         metrics={"micro_auc": 0.9}, timings={"train_s": 1.5}, curves={"loss": np.arange(3.0)})

    first = cache.get_or_compute(Config(), compute)
    second = cache.get_or_compute(Config(), compute)
    assert len(calls) == 1
    assert second.metrics == {"micro_auc": 0.9} and second.timings == {"train_s": 1.5}
    assert [a.tolist() for a in second.scores["psnr"]] == [[30.0, 31.0], [29.0]]
    np.testing.assert_array_equal(second.curves["loss"], first.curves["loss"])
    run = cache.run(Config())
    assert (run.dir / "config.json").is_file() and run.finished
    assert not list(tmp_path.rglob("*.tmp"))


def test_interrupted_run_resumes_from_checkpoint(tmp_path):
    cache = RunCache(tmp_path)

    def train(run, stop_at=None):
        state = run.load_checkpoint() or {"step": 0, "seen": []}
        while state["step"] < 5:
            if state["step"] == stop_at:
                raise KeyboardInterrupt
            state["seen"].append(state["step"])
            state["step"] += 1
            run.save_checkpoint(state)
        return RunResult(metrics={"seen": state["seen"]})

    with pytest.raises(KeyboardInterrupt):
        cache.get_or_compute(Config(), lambda run: train(run, stop_at=3))
    assert not cache.run(Config()).finished
    assert cache.run(Config()).load_checkpoint()["step"] == 3
    result = cache.get_or_compute(Config(), train)
    assert result.metrics["seen"] == [0, 1, 2, 3, 4]  # steps 0–2 were not repeated


def test_unfinished_run_cannot_be_loaded(tmp_path):
    with pytest.raises(FileNotFoundError, match="has not finished"):
        RunCache(tmp_path).run(Config()).load()
