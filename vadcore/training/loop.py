"""A resumable loop over a fixed number of iterations (DESIGN §2, §4).

The loop saves a checkpoint (every module's and optimizer's state, the sampling generator, the
loss curves, the step) into the run every ``checkpoint_every`` steps and at the end; started
again on the same run, it continues from the last checkpoint. There is no model selection: the
state after the last step is the model that gets evaluated.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import numpy as np
import torch
from tqdm.auto import tqdm

from vadcore.runs import Run


def train_loop(
    run: Run | None,
    step: Callable[[int], Mapping[str, float]],
    stateful: Mapping[str, object],
    generator: torch.Generator,
    iterations: int,
    checkpoint_every: int = 200,
    desc: str = "training",
) -> tuple[dict[str, np.ndarray], float]:
    """Call ``step(i)`` for i = start … iterations−1; returns ``(loss curves, seconds spent)``.

    ``stateful`` maps names to modules and optimizers (anything with ``state_dict``).
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

    def save(done: int) -> None:
        if run is not None:
            run.save_checkpoint({
                "state": {name: obj.state_dict() for name, obj in stateful.items()},
                "generator": generator.get_state(),
                "curves": curves,
                "step": done,
                "seconds": seconds,
            })

    bar = tqdm(range(start, iterations), desc=desc, initial=start, total=iterations, leave=False)
    tick = time.perf_counter()
    for i in bar:
        losses = step(i)
        for name, value in losses.items():
            curves.setdefault(name, []).append(float(value))
        if i % 20 == 0:
            bar.set_postfix({k: f"{v:.4f}" for k, v in losses.items()})
        if (i + 1) % checkpoint_every == 0 or i + 1 == iterations:
            seconds += time.perf_counter() - tick
            tick = time.perf_counter()
            save(i + 1)
    bar.close()
    return {k: np.asarray(v) for k, v in curves.items()}, seconds


def sample_batch(dataset, batch_size: int, generator: torch.Generator) -> torch.Tensor:
    """A random batch of windows, drawn with the run's own generator (repeatable, resumable)."""
    indices = torch.randint(len(dataset), (batch_size,), generator=generator)
    return torch.stack([dataset[int(i)] for i in indices])
