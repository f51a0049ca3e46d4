"""Method families and the one cached run of all of them.

A family is a package that keeps the contract of :mod:`vadcore.methods.family` (``Config``,
``PROFILES``, ``profile_config``, ``training_data``, ``test_data``, ``build``, ``train``,
``score``, ``headline``, ``evaluate``) and registers itself at import. Four are built in, each
imported here: ``reconstruction`` (notebook 01's autoencoders), ``prediction`` (AnoPred and its
ADL and SEUNet variants, notebooks 02–03), ``dissociation`` (notebook 04) and ``fewshot`` (the
key-region TRX of notebook 05). A family of your own registers the same way; nothing below names
a family.

:func:`cached_run` is the one cached run of all families: key (config, data fingerprint, code
fingerprint of the family), training, scoring, timings, checkpoint. The metrics are recomputed
from the stored scores whenever a run is read, so the evaluation code is not part of a run's key
(:mod:`vadcore.methods.code`). :func:`load_model` returns the trained network of a finished run
(for figures); :func:`read_off` what a notebook reads off that network, kept with the run so that
its records alone render the notebook (:mod:`vadcore.methods.readings`). Notebooks call these;
they never define a model, a loss or a loop.
"""
from __future__ import annotations

import time

import torch

from vadcore import engine
from vadcore.atomic import lock
from vadcore.data.video import VideoSet
from vadcore.methods.base import MethodConfig, Trained
from vadcore.methods.code import code_fingerprint
from vadcore.methods.family import Family, families, family_of, register
from vadcore.methods.readings import TRAINED, digest, with_network
from vadcore.runs import MissingRun, RunCache, RunResult, set_aside

# the built-in families, registered as they are imported
from vadcore.methods import dissociation, fewshot, prediction, reconstruction  # noqa: E402,F401  isort: skip

__all__ = ["TRAINED", "Family", "MethodConfig", "Trained", "cached_run", "evaluate", "families", "family_of",
           "load_model", "read_off", "register", "run_code"]


def evaluate(config: MethodConfig, result: RunResult, data, name: str | None = None) -> dict:
    """The protocol's metrics of one score of a run (default: the family's headline score)."""
    family = family_of(config)
    return family.evaluate(config, result.scores, family.test_data(data), name)


def run_code(config: MethodConfig) -> str:
    """The code fingerprint of a config's runs: its family's package and what that imports."""
    return code_fingerprint(family_of(config).__name__)


def _check(config: MethodConfig, data: VideoSet) -> None:
    if data.name != config.dataset or (data.size is not None and tuple(data.size) != tuple(config.size)):
        raise ValueError(f"config is for {config.dataset} at {config.size}, data is {data.name} at {data.size}: "
                         f"load the data with load_dataset({config.dataset!r}, size={tuple(config.size)})")


def cached_run(config: MethodConfig, data: VideoSet, cache: RunCache | None = None) -> RunResult:
    """Train ``config`` on ``data.train``, score ``data.test`` and keep the result in the run cache
    (or return the stored result). The metrics are computed from the stored scores with the
    current protocol code each time, so a change to ``vadcore.metrics`` never needs retraining."""
    _check(config, data)
    family = family_of(config)
    cache = cache or RunCache()

    def compute(run) -> RunResult:
        trained = family.train(config, family.training_data(data), run)
        tick = time.perf_counter()
        scores = family.score(config, trained.model, family.test_data(data))
        score_seconds = time.perf_counter() - tick
        items = sum(len(s) for s in next(iter(scores.values())))
        result = RunResult(scores=scores, curves=trained.curves,
                           timings={"train_s": trained.seconds, "score_s": score_seconds,
                                    "train_steps_per_s": config.iterations / max(trained.seconds, 1e-9),
                                    "scored": items, "scored_per_s": items / max(score_seconds, 1e-9),
                                    "engine": trained.engine})
        result.metrics = evaluate(config, result, data)
        return result

    result = cache.get_or_compute(config, compute, data=data.fingerprint(), code=run_code(config))
    result.metrics = evaluate(config, result, data)
    return result


def load_model(config: MethodConfig, data: VideoSet, cache: RunCache | None = None) -> torch.nn.Module:
    """The trained network of ``config``'s finished run on ``data``, from its last checkpoint
    (trained first if needed), in evaluation mode."""
    cache = cache or RunCache()
    cached_run(config, data, cache)
    run = cache.run(config, data.fingerprint(), run_code(config))
    checkpoint = run.load_checkpoint()
    if checkpoint is None and cache.read_only:
        raise MissingRun(f"run {run.key} holds no trained network here (records only, {run.dir}): read what the "
                         "notebook needs of it with read_off in a GPU slot")
    if checkpoint is None:  # finished without its network (a GPU slot's records, a damaged file): train again
        with lock(cache.root / ".locks" / f"{run.key}.lock", f"training run {run.key}"):
            if run.load_checkpoint() is None and run.dir.exists():
                set_aside(run.dir, FileNotFoundError("no trained network in the run's checkpoint"), "it is trained again")
        cached_run(config, data, cache)
        checkpoint = run.load_checkpoint()
    model = family_of(config).build(config, 1 if data.gray else 3)
    model.load_state_dict(checkpoint["state"]["model"])
    return model.eval()


def read_off(config: MethodConfig, data, function, *args, cache: RunCache | None = None, **kwargs):
    """``function(*args, **kwargs)`` with the trained network of ``config``'s run on ``data`` in
    place of :data:`TRAINED` (if it is among them: a reading may also be what the run's device
    computes without it) — an error map, gradient shares, a speed — kept in the run's folder
    and read from there the next time, with or without the network (see
    :mod:`vadcore.methods.readings`). A read-only cache (a GPU slot's records, rendered where no
    GPU is) that lacks the reading is a :class:`~vadcore.runs.MissingRun` naming the run."""
    cache = cache or RunCache()
    cached_run(config, data, cache)
    run = cache.run(config, data.fingerprint(), run_code(config))
    key = digest(function, args, kwargs)
    found, value = run.reading(key)
    if found:
        return value
    if cache.read_only:
        raise MissingRun(f"{function.__qualname__} of run {run.key}'s network was not read where the network was "
                         f"(its records hold no reading {key}): render this notebook in a GPU slot (tools/gpu-run.sh), "
                         "which keeps what it reads off each network")
    if any(value is TRAINED for value in (*args, *kwargs.values())):
        network = load_model(config, data, cache).to(engine.resolve(config.device))
        args, kwargs = with_network(network, args, kwargs)
    value = function(*args, **kwargs)
    run.keep_reading(key, value)
    return value
