"""The run cache: stable keys over config, data and code, computed once, resumable, atomic, fresh."""
from dataclasses import dataclass

import numpy as np
import pytest

from vadcore import runs
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


def test_key_covers_data_and_code():
    key = config_hash(Config(), data="d1", code="c1")
    assert config_hash(Config(), data="d2", code="c1") != key  # other frames: another run
    assert config_hash(Config(), data="d1", code="c2") != key  # other code: another run
    assert config_hash(Config(), data="d1", code="c1") == key


def test_ledger_counts_computed_and_reused_runs(tmp_path):
    runs.ledger.clear()
    cache = RunCache(tmp_path)
    compute = lambda run: RunResult(metrics={"a": 1}, timings={"train_s": 2.0, "score_s": 0.5})  # noqa: E731
    cache.get_or_compute(Config(), compute)
    cache.get_or_compute(Config(), compute)  # the same session: not "reused"
    assert runs.ledger.summary()["runs_computed"] == 1 and runs.ledger.summary()["runs_reused"] == 0
    runs.ledger.clear()
    cache.get_or_compute(Config(), compute)
    summary = runs.ledger.summary()
    assert summary["runs_reused"] == 1 and summary["compute_s_of_reused_runs"] == 2.5


def test_fresh_recomputes_once_per_session(tmp_path):
    runs.ledger.clear()
    calls = []

    def compute(run):
        calls.append(run.load_checkpoint())
        run.save_checkpoint({"step": 1})
        return RunResult(metrics={"n": len(calls)})

    RunCache(tmp_path).get_or_compute(Config(), compute)
    runs.ledger.clear()  # a new session
    fresh = RunCache(tmp_path, fresh=True)
    assert fresh.get_or_compute(Config(), compute).metrics == {"n": 2}
    assert calls[1] is None  # started from scratch, not from the old checkpoint
    assert fresh.get_or_compute(Config(), compute).metrics == {"n": 2}  # once per session


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
    assert (run.dir / "identity.json").is_file() and run.finished
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


def test_a_finished_run_keeps_only_its_network(tmp_path):
    cache = RunCache(tmp_path)

    def compute(run):
        run.save_checkpoint({"state": {"model": {"w": 1}, "optimizer": {"m": [0] * 1000}}, "step": 7, "curves": {}})
        return RunResult(metrics={"micro_auc": 0.5})

    cache.get_or_compute(Config(), compute)
    assert cache.run(Config()).load_checkpoint() == {"state": {"model": {"w": 1}}, "step": 7}
