"""Method families: one small shape for every model family of the notebooks.

Each family is a package ``vadcore.methods.<family>`` (``reconstruction``: notebook 01's
autoencoders; ``prediction``: AnoPred and its ADL and SEUNet variants, notebooks 02–03;
``dissociation``: notebook 04; ``fewshot``: the key-region TRX of notebook 05) that exposes the
same five names (and, where a family reads other splits than ``data.train`` and ``data.test``,
``training_data(data)`` and ``test_data(data)``):

- ``Config`` — a frozen dataclass (a :class:`MethodConfig`) holding *everything* that can change
  the family's numbers: sizes, schedule, loss weights, which attention map or mask, the flow
  estimator's settings;
- ``PROFILES`` — the family's settings per profile (``smoke``/``cpu``/``full``) as flat literals,
  and ``profile_config(profile, dataset, seed, **overrides)`` that builds a ``Config`` from them;
- ``build(config, channels)`` — the network that gets scored;
- ``train(config, videos, run=None)`` → :class:`Trained` — the training loop (resumable through
  ``run``, see :mod:`vadcore.methods.loop`);
- ``score(config, model, videos)`` → per-clip score arrays by name, and, in the family's
  ``evaluation`` module, ``evaluate(config, scores, videos, name=None)`` → the protocol's metrics
  of one of them. Metrics are recomputed from stored scores whenever a run is read, so the
  evaluation code is not part of a run's key (:mod:`vadcore.methods.code`).

:func:`cached_run` is the one cached run of all families: key (config, data fingerprint, code
fingerprint of the family), training, scoring, timings, checkpoint. :func:`load_model` returns the
trained network of a finished run (for figures). Notebooks call these; they never define a model,
a loss or a loop.
"""
from __future__ import annotations

import importlib
import time
from types import ModuleType

import torch

from vadcore.data.video import VideoSet
from vadcore.methods.base import MethodConfig, Trained
from vadcore.methods.code import code_fingerprint
from vadcore.atomic import lock
from vadcore.runs import RunCache, RunResult, set_aside

__all__ = ["FAMILIES", "MethodConfig", "Trained", "cached_run", "evaluate", "family_of", "load_model", "run_code"]

FAMILIES = ("reconstruction", "prediction", "dissociation", "fewshot")


def family_of(config: MethodConfig) -> ModuleType:
    """The family package of a config (``vadcore.methods.<config.family>``)."""
    if config.family not in FAMILIES:
        raise ValueError(f"{type(config).__name__} names no known method family ({config.family!r})")
    return importlib.import_module(f"vadcore.methods.{config.family}")


def training_data(config: MethodConfig, data):
    """What a family trains on: ``data.train``, unless the family says otherwise (few-shot
    families read several splits of an :class:`~vadcore.data.actions.ActionSet`)."""
    family = family_of(config)
    return family.training_data(data) if hasattr(family, "training_data") else data.train


def test_data(config: MethodConfig, data):
    """What a family scores: ``data.test``, unless the family says otherwise."""
    family = family_of(config)
    return family.test_data(data) if hasattr(family, "test_data") else data.test


def evaluate(config: MethodConfig, result: RunResult, data: VideoSet, name: str | None = None) -> dict:
    """The protocol's metrics of one score of a run (default: the family's headline score)."""
    evaluation = importlib.import_module(f"{family_of(config).__name__}.evaluation")
    return evaluation.evaluate(config, result.scores, test_data(config, data), name)


def run_code(config: MethodConfig) -> str:
    """The code fingerprint of a config's runs: its family and the optional modules it names."""
    parts = [code_fingerprint(family_of(config).__name__)]
    parts += [code_fingerprint(module) for module in config.code_modules()]
    return "+".join(parts)


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
        trained = family.train(config, training_data(config, data), run)
        tick = time.perf_counter()
        scores = family.score(config, trained.model, test_data(config, data))
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
    if checkpoint is None:  # finished without its network (a GPU slot's records, a damaged file): train again
        with lock(cache.root / ".locks" / f"{run.key}.lock", f"training run {run.key}"):
            if run.load_checkpoint() is None and run.dir.exists():
                set_aside(run.dir, FileNotFoundError("no trained network in the run's checkpoint"), "it is trained again")
        cached_run(config, data, cache)
        checkpoint = run.load_checkpoint()
    model = family_of(config).build(config, 1 if data.gray else 3)
    model.load_state_dict(checkpoint["state"]["model"])
    return model.eval()
