"""The run cache (DESIGN §2): a run is named by the hash of its config.

``data/runs/<hash>/`` holds ``config.json``, ``checkpoint.pt`` (while training), ``scores.npz``,
``timings.json`` and ``metrics.json``, written last, which marks the run finished (the last
checkpoint stays: figures of a trained model load it). A finished run
is never recomputed; an interrupted one resumes from its checkpoint; two tables that need the same
config share one run. Every write is atomic.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vadcore import paths
from vadcore.atomic import atomic_path, write_text
from vadcore.data import synthped


def canonical_config(config) -> dict:
    """A config as plain JSON types (dataclasses and tuples become dicts and lists).

    A run on the generated ``synthped`` dataset also records the generator's version, so that a
    new generator (new frames under the same name) never reuses runs on the old frames."""
    if dataclasses.is_dataclass(config):
        config = dataclasses.asdict(config)
    config = json.loads(json.dumps(config, sort_keys=True))
    if isinstance(config, dict) and config.get("dataset") == "synthped":
        config["synthped_generator"] = synthped.GENERATOR_VERSION
    return config


def config_hash(config) -> str:
    """12 hex digits of the SHA-256 of the config's canonical JSON (key order does not matter)."""
    text = json.dumps(canonical_config(config), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass
class RunResult:
    """What a finished run keeps: per-video score arrays by name, metrics, timings, curves."""

    scores: dict[str, list[np.ndarray]] = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    curves: dict[str, np.ndarray] = field(default_factory=dict)


class Run:
    """One run's folder in the cache."""

    def __init__(self, root: Path, config):
        self.config = canonical_config(config)
        self.key = config_hash(self.config)
        self.dir = Path(root) / self.key

    def __repr__(self) -> str:
        return f"Run({self.key}, finished={self.finished})"

    @property
    def finished(self) -> bool:
        return (self.dir / "metrics.json").is_file()

    @property
    def checkpoint_path(self) -> Path:
        return self.dir / "checkpoint.pt"

    def start(self) -> None:
        write_text(self.dir / "config.json", json.dumps(self.config, indent=2, sort_keys=True))

    def save_checkpoint(self, state: dict) -> None:
        import torch

        with atomic_path(self.checkpoint_path) as tmp:
            torch.save(state, tmp)

    def load_checkpoint(self) -> dict | None:
        """The last checkpoint, or ``None`` when the run has not saved one yet."""
        import torch

        if not self.checkpoint_path.is_file():
            return None
        return torch.load(self.checkpoint_path, map_location="cpu", weights_only=False)

    def save(self, result: RunResult) -> None:
        arrays = {f"scores__{name}__{i}": np.asarray(a) for name, videos in result.scores.items() for i, a in enumerate(videos)}
        arrays.update({f"curves__{name}": np.asarray(a) for name, a in result.curves.items()})
        with atomic_path(self.dir / "scores.npz") as tmp:
            with open(tmp, "wb") as stream:
                np.savez_compressed(stream, **arrays)
        write_text(self.dir / "timings.json", json.dumps(result.timings, indent=2))
        write_text(self.dir / "metrics.json", json.dumps(result.metrics, indent=2))

    def load(self) -> RunResult:
        if not self.finished:
            raise FileNotFoundError(f"run {self.key} has not finished ({self.dir})")
        result = RunResult(
            metrics=json.loads((self.dir / "metrics.json").read_text()),
            timings=json.loads((self.dir / "timings.json").read_text()),
        )
        indexed: dict[str, dict[int, np.ndarray]] = {}
        with np.load(self.dir / "scores.npz") as stored:
            for key in stored.files:
                kind, name, *index = key.split("__")
                if kind == "scores":
                    indexed.setdefault(name, {})[int(index[0])] = stored[key]
                else:
                    result.curves[name] = stored[key]
        result.scores = {name: [v[i] for i in sorted(v)] for name, v in indexed.items()}
        return result


class RunCache:
    """``RunCache().get_or_compute(config, compute)``: the stored result of ``config``, or
    ``compute(run)`` (which may checkpoint into ``run`` and resume from it) stored and returned."""

    def __init__(self, root: str | Path | None = None):
        self.root = Path(root) if root is not None else paths.data_dir() / "runs"

    def run(self, config) -> Run:
        return Run(self.root, config)

    def get_or_compute(self, config, compute: Callable[[Run], RunResult]) -> RunResult:
        run = self.run(config)
        if run.finished:
            return run.load()
        run.start()
        result = compute(run)
        run.save(result)
        return result
