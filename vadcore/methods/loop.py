"""The one training loop every method family uses: a fixed number of iterations, resumable.

The loop saves a checkpoint (every module's and optimizer's state, the sampling generator, the
curves, the step) into the run every ``checkpoint_every`` steps and at the end; started again on
the same run, it continues from the last checkpoint and ends with the same weights as an
uninterrupted run. Every ``validate_every`` steps it calls ``validate()`` (e.g. the prediction
error on held-out *training* clips) and records the values as ``val_*`` curves with their steps in
``val_step``. There is no model selection: the state after the last step is the model that gets
evaluated, whatever the validation curve does.
Notebooks 01–03 train through it.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import numpy as np
import torch

from vadcore.progress import progress
from vadcore.runs import Run

Curves = dict[str, np.ndarray]


def train_loop(
    run: Run | None,
    step: Callable[[int], Mapping[str, float]],
    stateful: Mapping[str, object],
    generator: torch.Generator,
    iterations: int,
    checkpoint_every: int = 200,
    desc: str = "training",
    validate: Callable[[], Mapping[str, float]] | None = None,
    validate_every: int = 0,
) -> tuple[Curves, float]:
    """Call ``step(i)`` for i = start … iterations−1; returns ``(curves, seconds spent)``.

    ``stateful`` maps names to modules and optimizers (anything with ``state_dict``). The seconds
    count training and validation over every session of the run, not the time to resume.
    """
    curves: dict[str, list[float]] = {}
    start, seconds = 0, 0.0
    checkpoint = run.load_checkpoint() if run is not None else None
    if checkpoint is not None:
        for name, obj in stateful.items():
            obj.load_state_dict(checkpoint["state"][name])
        generator.set_state(checkpoint["generator"])
        curves = {k: list(v) for k, v in checkpoint["curves"].items()}
        start, seconds = checkpoint["step"], checkpoint["seconds"]

    def record(values: Mapping[str, float], prefix: str = "") -> None:
        for name, value in values.items():
            curves.setdefault(prefix + name, []).append(float(value))

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
    tick = time.perf_counter()
    if validate is not None and validate_every and start == 0:
        record({"step": 0, **validate()}, "val_")
    for i in bar:
        losses = step(i)
        record(losses)
        if i % 20 == 0:
            bar.set_postfix({k: f"{v:.4f}" for k, v in losses.items()})
        if validate is not None and validate_every and (i + 1) % validate_every == 0:
            record({"step": i + 1, **validate()}, "val_")
        if (i + 1) % checkpoint_every == 0 or i + 1 == iterations:
            seconds += time.perf_counter() - tick
            tick = time.perf_counter()
            save(i + 1)
    bar.close()
    return {k: np.asarray(v) for k, v in curves.items()}, seconds
