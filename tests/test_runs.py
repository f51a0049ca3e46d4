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


# Numeric fields that no single-field change can vary while the config's own checks still pass
# (family, field) → why. Each is still checked to be part of the hashed identity.
UNVARIABLE = {
    ("fewshot", "key_region"): "key_region=False requires relation, refined, extra_losses and random_regions off",
}


# the only fields kept out of the run key (vadcore.engine.EXECUTION): they change numbers by rounding at most
EXECUTION = {"compile", "cuda_graphs", "deterministic"}


def _numeric(field, value) -> bool:
    return isinstance(value, (bool, int, float, tuple)) or any(
        word in str(field.type) for word in ("int", "float", "bool", "tuple"))


def _other_values(value):
    """Candidate other values of a numeric field, most natural first."""
    if isinstance(value, bool):
        return [not value]
    if value is None:  # an optional number (e.g. decay_at)
        return [1, 2, 10, 0.5]
    if isinstance(value, int):
        return [value + 1, value + 2, value * 2, value - 1]
    if isinstance(value, float):
        return [value * 2, value / 2, value + 0.1, value - 0.05]
    if isinstance(value, tuple):
        candidates = [value[:-1], value[1:]] if len(value) > 1 else []
        for i, item in enumerate(value):
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                candidates.append(value[:i] + (item + 1,) + value[i + 1:])
        if value and isinstance(value[-1], (int, float)):
            candidates.append(value + (value[-1] + 1,))
        return candidates
    return []


def test_every_numeric_field_of_every_family_changes_the_run_key():
    """Changing any numeric (int, float, bool, tuple) field of any family's config to another valid
    value gives another run key; changing an execution field (metadata ``execution``) does not."""
    import dataclasses

    from vadcore.methods import families

    varied, unvariable = [], set()
    for name, family in sorted(families().items()):
        config = family.profile_config("smoke", "synthactions" if name == "fewshot" else "synthped")
        key = config_hash(config)
        for field in dataclasses.fields(config):
            value = getattr(config, field.name)
            if field.metadata.get("execution"):
                assert field.name in EXECUTION, f"{name}.{field.name} is marked an execution setting"
                for other in _other_values(value):
                    assert config_hash(dataclasses.replace(config, **{field.name: other})) == key, \
                        f"{name}.{field.name} is an execution setting but changes the run key"
                continue
            if not _numeric(field, value):
                continue
            for other in _other_values(value):
                try:
                    changed = dataclasses.replace(config, **{field.name: other})
                except (ValueError, TypeError):
                    continue  # not a valid value of this config: try the next
                assert config_hash(changed) != key, f"{name}.{field.name}: {value!r} → {other!r} keeps the run key"
                varied.append((name, field.name))
                break
            else:
                unvariable.add((name, field.name))
                assert field.name in runs.canonical_config(config), f"{name}.{field.name} is not hashed"
    assert unvariable == set(UNVARIABLE), f"fields no valid change reaches: {sorted(unvariable)}"
    assert {name for name, _ in varied} == set(families()) and len(varied) > 60
