"""The run cache: a run is named by the hash of everything that can change its numbers.

A run's *key* hashes three things (see the README's "Run cache" section):

- its **config**: a frozen dataclass holding every setting of the method, attention maps and
  flow estimator included (``vadcore.methods``);
- its **data**: the fingerprint of the frames, labels and masks it reads
  (:meth:`vadcore.data.VideoSet.fingerprint`);
- its **code**: the fingerprint of the method family's source (:mod:`vadcore.methods.code`), so
  an edited loss never returns a run trained with the old one.

``data/runs/<key>/`` (``VADCORE_RUNS``) holds ``identity.json`` (those three), ``checkpoint.pt``
(while training; afterwards only the trained network, so figures can load it), ``scores.npz``, ``timings.json`` and
``metrics.json``, written last, which marks the run finished, and ``readings/``: what notebooks
read off the trained network (:func:`vadcore.methods.read_off`), so that the run's *records* —
everything but the checkpoint, what a GPU slot brings back — render a notebook without the weights.
A finished run is never recomputed;
an interrupted one resumes from its checkpoint (said in one line on stderr), and a Ctrl-C while it
trains raises :class:`Stopped`, whose one line says at which step it stopped and from which it will
resume; two tables that need the same run share it. Every write is atomic, and a full device
raises :class:`vadcore.atomic.DiskFull` naming the file. A run whose ``metrics.json`` is gone
while its checkpoint already holds only the finished network (nothing to resume from) has that
checkpoint set aside, said so, and is trained again. ``RunCache(fresh=True)`` (or
``VADCORE_FRESH=1``, which ``vadcore reproduce --fresh`` sets) recomputes every run once per
session, from scratch.

:data:`ledger` counts, for provenance, the runs computed in this process and the runs reused.
Every notebook that trains reads and writes it.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import pickle
import shutil
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vadcore import environment
from vadcore import paths
from vadcore.atomic import atomic_path, lock, write_text


def canonical_config(config) -> dict:
    """A config as plain JSON types (dataclasses and tuples become dicts and lists), without its
    execution settings (fields marked ``vadcore.engine.EXECUTION``: they change a run's numbers by
    rounding at most, so they are not part of its identity)."""
    if dataclasses.is_dataclass(config):
        config = {f.name: getattr(config, f.name) for f in dataclasses.fields(config)
                  if not f.metadata.get("execution")}
    return json.loads(json.dumps(config, sort_keys=True))


def config_hash(config, data: str = "", code: str = "") -> str:
    """12 hex digits of the SHA-256 of the run's identity (key order does not matter)."""
    identity = {"config": canonical_config(config), "data": data, "code": code}
    text = json.dumps(identity, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass
class RunResult:
    """What a finished run keeps: per-video score arrays by name, metrics, timings, curves."""

    scores: dict[str, list[np.ndarray]] = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    curves: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def compute_seconds(self) -> float:
        """Training plus scoring time of the run when it was computed (not its replay time)."""
        return float(self.timings.get("train_s", 0.0) + self.timings.get("score_s", 0.0))


@dataclass
class Ledger:
    """The runs this process computed and reused, for provenance."""

    computed: dict[str, float] = field(default_factory=dict)  # key → seconds spent here
    reused: dict[str, float] = field(default_factory=dict)  # key → the run's original compute time

    def summary(self) -> dict:
        return {
            "runs_computed": len(self.computed),
            "runs_reused": len(self.reused),
            "compute_s_this_session": round(sum(self.computed.values()), 1),
            "compute_s_of_reused_runs": round(sum(self.reused.values()), 1),
        }

    def clear(self) -> None:
        self.computed.clear()
        self.reused.clear()


ledger = Ledger()


class Stopped(KeyboardInterrupt):
    """A Ctrl-C while a run trained; its text is the one line that says at which step it stopped
    and from which step the next run resumes."""


def is_finished_network(checkpoint: dict) -> bool:
    """Whether ``checkpoint`` is what :meth:`Run.keep_only_the_model` leaves of a finished run: the
    trained network and its step, without the optimizer and sampler states a resume needs."""
    return set(checkpoint) == {"state", "step"} and set(checkpoint["state"]) == {"model"}


def interrupted_step(error: BaseException) -> int | None:
    """The step :func:`vadcore.methods.loop.train_loop` was running when ``error`` went through it,
    read from the loop's frame in the traceback (the loop is part of every run's key, so what only
    reports on it lives here); ``None`` when the error came from elsewhere (scoring, loading)."""
    loop = sys.modules.get("vadcore.methods.loop")
    code = getattr(getattr(loop, "train_loop", None), "__code__", None)
    for frame, _ in traceback.walk_tb(error.__traceback__):
        if frame.f_code is code:
            return frame.f_locals.get("i", frame.f_locals.get("start"))
    return None


class Run:
    """One run's folder in the cache."""

    def __init__(self, root: Path, config, data: str = "", code: str = ""):
        self.config = canonical_config(config)
        self.identity = {"config": self.config, "data": data, "code": code}
        self.key = config_hash(config, data, code)
        self.dir = Path(root) / self.key
        self.saved_step = 0  # the step of the checkpoint on disk that training would resume from

    def __repr__(self) -> str:
        return f"Run({self.key}, finished={self.finished})"

    @property
    def finished(self) -> bool:
        return (self.dir / "metrics.json").is_file()

    @property
    def checkpoint_path(self) -> Path:
        return self.dir / "checkpoint.pt"

    def start(self) -> None:
        write_text(self.dir / "identity.json", json.dumps(self.identity, indent=2, sort_keys=True))

    def save_checkpoint(self, state: dict) -> None:
        """Write ``state`` atomically. torch writes through a Python file here: given a path, its
        writer reports a full device only as ``unexpected pos …``; through a file, that error is
        raised while handling the file's ENOSPC, which :func:`~vadcore.atomic.atomic_path` turns
        into a :class:`~vadcore.atomic.DiskFull` naming the checkpoint."""
        import torch

        with atomic_path(self.checkpoint_path) as tmp:
            with open(tmp, "wb") as stream:
                torch.save(state, stream)
        self.saved_step = state.get("step") or 0

    def keep_only_the_model(self) -> None:
        """Once the run is finished, its checkpoint keeps only the trained network (``state.model``,
        what :func:`vadcore.methods.load_model` reads): optimizer and discriminator states are only
        needed to resume, and are most of its size."""
        checkpoint = self.load_checkpoint()
        if checkpoint is not None and set(checkpoint.get("state", {})) - {"model"}:
            self.save_checkpoint({"state": {"model": checkpoint["state"]["model"]}, "step": checkpoint.get("step")})

    def load_checkpoint(self) -> dict | None:
        """The last checkpoint, or ``None`` when the run has not saved one yet — or when the file
        cannot be read (a disk that filled up, a copy cut short): it is then set aside, said so,
        and training starts over. In a run that has not finished, it is where training resumes,
        said in one line; a finished run's network alone found there (its ``metrics.json`` gone)
        is no resume point: it is set aside, said so, and training starts over."""
        import torch

        if not self.checkpoint_path.is_file():
            return None
        try:
            checkpoint = torch.load(self.checkpoint_path, map_location="cpu", weights_only=False)
        except Exception as error:  # noqa: BLE001 — whatever broke the file, the run goes on without it
            aside = set_aside(self.checkpoint_path, error, "its training starts over")
            print(f"vadcore: the checkpoint of run {self.key} could not be read; moved to {aside}", file=sys.stderr)
            return None
        if self.finished:
            return checkpoint
        if is_finished_network(checkpoint):
            problem = (f"{self.checkpoint_path} holds a finished run's network alone, nothing to resume from, "
                       f"and {self.dir / 'metrics.json'} is missing")
            aside = set_aside(self.checkpoint_path, ValueError(problem), "its training starts over")
            print(f"vadcore: run {self.key}: {problem}; moved to {aside}, and the run is trained again", file=sys.stderr)
            return None
        self.saved_step = checkpoint.get("step") or 0
        print(f"vadcore: run {self.key} resumes from step {self.saved_step}{self._of_iterations()} "
              f"({self.checkpoint_path})", file=sys.stderr)
        return checkpoint

    def _of_iterations(self) -> str:
        """`` of N`` where the config says how many steps the run trains."""
        iterations = self.config.get("iterations") if isinstance(self.config, dict) else None
        return f" of {iterations}" if iterations else ""

    def stopped(self, error: BaseException) -> Stopped:
        """The :class:`Stopped` of a Ctrl-C (``error``) while this run trained or was scored."""
        step = interrupted_step(error)
        where = f" at step {step}{self._of_iterations()}" if step is not None else \
            f" after step {self.saved_step}{self._of_iterations()}" if self.saved_step else ""
        resume = f"resumes from step {self.saved_step} ({self.checkpoint_path})" if self.saved_step else \
            "starts over from step 0 (no checkpoint saved yet)"
        return Stopped(f"run {self.key} stopped{where}; the next run {resume}")

    def save(self, result: RunResult) -> None:
        arrays = {f"scores__{name}__{i}": np.asarray(a) for name, videos in result.scores.items() for i, a in enumerate(videos)}
        arrays.update({f"curves__{name}": np.asarray(a) for name, a in result.curves.items()})
        with atomic_path(self.dir / "scores.npz") as tmp:
            with open(tmp, "wb") as stream:
                np.savez_compressed(stream, **arrays)
        write_text(self.dir / "timings.json", json.dumps(result.timings, indent=2))
        write_text(self.dir / "metrics.json", json.dumps(result.metrics, indent=2))

    def reading(self, digest: str) -> tuple[bool, object]:
        """``(True, value)`` of a reading kept under ``digest`` (:func:`vadcore.methods.read_off`),
        else ``(False, None)``."""
        path = self.dir / "readings" / f"{digest}.pkl"
        if not path.is_file():
            return False, None
        with open(path, "rb") as stream:
            return True, pickle.load(stream)  # the project's own records, as its checkpoints are

    def keep_reading(self, digest: str, value) -> None:
        with atomic_path(self.dir / "readings" / f"{digest}.pkl") as tmp:
            tmp.write_bytes(pickle.dumps(value, protocol=4))

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


class MissingRun(LookupError):
    """A read-only run cache does not hold a run (or a reading of one) that was asked for."""


class RunCache:
    """``RunCache().get_or_compute(config, compute, data=…, code=…)``: the stored result of the
    run, or ``compute(run)`` (which may checkpoint into ``run`` and resume from it) stored and
    returned; with ``read_only`` the stored result or :class:`MissingRun`."""

    def __init__(self, root: str | Path | None = None, fresh: bool | None = None, read_only: bool = False):
        self.root = Path(root) if root is not None else paths.runs_dir()
        self.fresh = fresh if fresh is not None else environment.flag("VADCORE_FRESH")
        self.read_only = read_only
        self.expected: set[str] | None = None  # the only keys it serves once a notebook's study ran

    def run(self, config, data: str = "", code: str = "") -> Run:
        return Run(self.root, config, data, code)

    def get_or_compute(self, config, compute: Callable[[Run], RunResult], data: str = "", code: str = "") -> RunResult:
        """The finished run of ``config``, or ``compute(run)`` stored. Under a lock per key: of
        several processes asking for one missing run, one trains it and the others then read it.
        A finished entry that cannot be read is set aside (named on stderr) and trained again."""
        run = self.run(config, data, code)
        if self.expected is not None and run.key not in self.expected:
            raise ValueError(f"run {run.key} is not in this notebook's study: declare it in its paper module's "
                             f"study() (vadcore plan lists what a notebook runs); config {run.config}")
        redo = self.fresh and run.key not in ledger.computed and not self.read_only
        result = None if redo else self.stored(run)
        if result is not None:
            return result
        if self.read_only:
            raise MissingRun(f"run {run.key} is not in the run cache {self.root}, which is read only here (records, "
                             f"no training); config {run.config}")
        with lock(self.root / ".locks" / f"{run.key}.lock", f"training run {run.key}"):
            result = None if redo else self.stored(run, repair=True)  # another process may have trained it meanwhile
            if result is not None:
                return result
            if redo:
                shutil.rmtree(run.dir, ignore_errors=True)
            run.start()
            tick = time.perf_counter()
            try:
                result = compute(run)
            except KeyboardInterrupt as error:  # where it stopped is all a Ctrl-C needs to say
                raise run.stopped(error) from None
            run.save(result)
            run.keep_only_the_model()
            ledger.computed[run.key] = time.perf_counter() - tick
            return result

    def stored(self, run: Run, repair: bool = False) -> RunResult | None:
        """The result of ``run`` if it finished and can be read; with ``repair`` (under the run's
        lock) a damaged entry is set aside, to be trained again."""
        if not run.finished:
            return None
        try:
            result = run.load()
        except Exception as error:  # noqa: BLE001 — a damaged entry is set aside, never a dead end
            if not repair:
                return None
            aside = set_aside(run.dir, error, "it is trained again")
            print(f"vadcore: run {run.key} could not be read ({type(error).__name__}: {error}); "
                  f"moved to {aside}, and it is trained again", file=sys.stderr)
            return None
        if run.key not in ledger.computed:
            ledger.reused.setdefault(run.key, result.compute_seconds)
        return result


def install(folder: Path, target: Path, weights: bool = True) -> None:
    """Put a finished run's folder (unpacked from an archive, or another cache's) at ``target`` in
    one step — a run half copied is never "finished" — replacing what an interrupted training left
    there; ``weights=False`` leaves its checkpoint out (records only)."""
    staging = target.with_name(f".{target.name}.importing")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(folder, staging, ignore=None if weights else shutil.ignore_patterns("checkpoint.pt"))
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)


def set_aside(path: Path, error: BaseException, consequence: str) -> Path:
    """Move a damaged run folder or file into ``<runs>/.damaged/`` (kept for a look, out of the
    way), with a note of what was wrong; returns where it went."""
    runs_root = path.parent if path.is_dir() else path.parent.parent
    target = runs_root / ".damaged" / f"{path.name if path.is_dir() else path.parent.name + '-' + path.name}-{time.strftime('%Y%m%d-%H%M%S')}"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(path), str(target))
    note = f"{type(error).__name__}: {error}\n{consequence}\n"
    write_text(target / "DAMAGED.txt" if target.is_dir() else target.with_name(target.name + ".txt"), note)
    return target
