"""The one training loop every method family uses: a fixed number of iterations, resumable.

The loop saves a checkpoint (every module's and optimizer's state, the sampling generator, the
curves, the step) into the run every few minutes of training (``VADCORE_CHECKPOINT_SECONDS``,
default 300) and at the end; started
again on the same run, it continues from the last checkpoint and ends with the same weights as an
uninterrupted run. Every ``validate_every`` steps it calls ``validate()`` (e.g. the prediction
error on held-out *training* clips) and records the values as ``val_*`` curves with their steps in
``val_step``. There is no model selection: the state after the last step is the model that gets
evaluated, whatever the validation curve does.

A step returns its losses as 0-d tensors on the run's device; the loop keeps them there and reads
them every ``log_every`` steps in one transfer, so a step never waits for the GPU. The curves are
still one value per step.

``VADCORE_DEADLINE`` (seconds since the epoch) stops training cleanly when it passes: the loop
saves a checkpoint and raises :class:`DeadlineReached`; the next start resumes there (the GPU
script gives a slot's end this way).
Every family's ``train`` is :func:`fit`: it seeds the run, builds the engine, lets the family set
up its model, optimizer and step (a :class:`Session`), and runs the loop.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import torch

from vadcore import environment
from vadcore.engine import Engine
from vadcore.methods.base import MethodConfig, Trained
from vadcore.progress import progress
from vadcore.runs import Run

Curves = dict[str, np.ndarray]
CHECKPOINT_SECONDS = 300.0  # training time between checkpoints
LOG_EVERY = 50  # steps between reads of the losses from the device


class DeadlineReached(RuntimeError):
    """Training stopped at ``VADCORE_DEADLINE``, after saving a checkpoint to resume from."""


def checkpoint_seconds() -> float:
    """Training seconds between checkpoints: ``VADCORE_CHECKPOINT_SECONDS``, else :data:`CHECKPOINT_SECONDS`."""
    value = environment.get("VADCORE_CHECKPOINT_SECONDS")
    return float(value) if value else CHECKPOINT_SECONDS


def deadline() -> float | None:
    """``VADCORE_DEADLINE`` as seconds since the epoch, if set."""
    value = environment.get("VADCORE_DEADLINE")
    return float(value) if value else None


def _load_state(obj, state: dict) -> None:
    """``obj.load_state_dict(state)``; an optimizer keeps whether its step can be captured in a
    CUDA graph (the checkpoint may come from a run that replayed none, or the other way round)."""
    if not isinstance(obj, torch.optim.Optimizer):
        obj.load_state_dict(state)
        return
    capturable = [group.get("capturable", False) for group in obj.param_groups]
    obj.load_state_dict(state)
    for group, flag in zip(obj.param_groups, capturable):
        group["capturable"] = flag
        for parameter in group["params"]:
            step = obj.state.get(parameter, {}).get("step")
            if torch.is_tensor(step):
                obj.state[parameter]["step"] = step.to(parameter.device if flag else "cpu", torch.float32)


def train_loop(
    run: Run | None,
    step: Callable[[int], Mapping[str, torch.Tensor | float]],
    stateful: Mapping[str, object],
    generator: torch.Generator,
    iterations: int,
    desc: str = "training",
    validate: Callable[[], Mapping[str, float]] | None = None,
    validate_every: int = 0,
    checkpoint_every: float | None = None,
    log_every: int = LOG_EVERY,
) -> tuple[Curves, float]:
    """Call ``step(i)`` for i = start … iterations−1; returns ``(curves, seconds spent)``.

    ``stateful`` maps names to modules and optimizers (anything with ``state_dict``). The seconds
    count training and validation over every session of the run, not the time to resume.
    ``checkpoint_every``: training seconds between checkpoints (default :func:`checkpoint_seconds`).
    """
    checkpoint_every = checkpoint_seconds() if checkpoint_every is None else checkpoint_every
    curves: dict[str, list[float]] = {}
    start, seconds = 0, 0.0
    checkpoint = run.load_checkpoint() if run is not None else None
    if checkpoint is not None:
        for name, obj in stateful.items():
            _load_state(obj, checkpoint["state"][name])
        generator.set_state(checkpoint["generator"])
        curves = {k: list(v) for k, v in checkpoint["curves"].items()}
        start, seconds = checkpoint["step"], checkpoint["seconds"]
    pending: list[Mapping[str, torch.Tensor | float]] = []
    stop_at = deadline()

    def record(values: Mapping[str, float], prefix: str = "") -> None:
        for name, value in values.items():
            curves.setdefault(prefix + name, []).append(float(value))

    def flush() -> None:
        """Read every pending step's losses from the device at once, in step order."""
        tensors = [v.detach().reshape(()).float() for losses in pending for v in losses.values() if torch.is_tensor(v)]
        values = iter(torch.stack(tensors).cpu().tolist()) if tensors else iter(())
        for losses in pending:
            record({name: next(values) if torch.is_tensor(v) else v for name, v in losses.items()})
        if pending:
            bar.set_postfix({k: f"{curves[k][-1]:.4f}" for k in pending[-1]})
        pending.clear()

    def save(done: int) -> None:
        if run is not None:
            run.save_checkpoint({
                "state": {name: obj.state_dict() for name, obj in stateful.items()},
                "generator": generator.get_state(),
                "curves": curves,
                "step": done,
                "seconds": seconds,
            })

    bar = progress(range(start, iterations), desc=desc, initial=start, total=iterations, leave=False)
    tick = last_save = time.perf_counter()
    if validate is not None and validate_every and start == 0:
        record({"step": 0, **validate()}, "val_")
    for i in bar:
        pending.append(step(i))
        validating = validate is not None and validate_every and (i + 1) % validate_every == 0
        late = stop_at is not None and time.time() > stop_at and i + 1 < iterations
        due = time.perf_counter() - last_save >= checkpoint_every or i + 1 == iterations or late
        if validating or due or len(pending) >= log_every:
            flush()
        if validating:
            record({"step": i + 1, **validate()}, "val_")
        if due:
            seconds += time.perf_counter() - tick
            tick = last_save = time.perf_counter()
            save(i + 1)
        if late:
            bar.close()
            raise DeadlineReached(f"{desc}: stopped after step {i + 1} of {iterations} at the deadline "
                                  "(VADCORE_DEADLINE); run again to resume from the checkpoint")
    bar.close()
    return {k: np.asarray(v) for k, v in curves.items()}, seconds


@dataclass
class Session:
    """What a family sets up for :func:`fit`: the network to train and return, one training step,
    what a checkpoint saves (modules, optimizers), and the measurement on held-out data taken
    every ``validate_every`` steps (``None``: none), which :func:`fit` calls in evaluation mode."""

    model: torch.nn.Module
    step: Callable[[int], Mapping[str, torch.Tensor | float]]
    state: Mapping[str, object]
    validate: Callable[[], Mapping[str, float]] | None = None


def fit(config: MethodConfig, run: Run | None, prepare: Callable[[Engine, torch.Generator], Session]) -> Trained:
    """The training of every family: seed torch with ``config.seed``, make the run's sampling
    generator (saved in checkpoints) and its :class:`~vadcore.engine.Engine`, call
    ``prepare(engine, sampler)`` for the family's :class:`Session`, train ``config.iterations``
    steps with :func:`train_loop` and return the model after the last step (no selection on the
    validation curve) with its curves, training seconds and how it executed."""
    torch.manual_seed(config.seed)
    sampler = torch.Generator().manual_seed(config.seed)
    engine = Engine.of(config)
    session = prepare(engine, sampler)
    model = session.model

    def validate() -> Mapping[str, float]:
        model.eval()
        try:
            return session.validate()
        finally:
            model.train()

    model.train()
    curves, seconds = train_loop(run, session.step, session.state, sampler, config.iterations,
                                 desc=f"{config.family} seed {config.seed}",
                                 validate=validate if session.validate is not None else None,
                                 validate_every=config.validate_every)
    return Trained(model.eval(), curves, seconds, engine.describe())
