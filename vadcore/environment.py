"""The environment variables vadcore reads or sets, in one place: the only module that touches
``os.environ``. Every variable is declared in :data:`VARIABLES` with what it means (the README's
table of variables lists the same names; a test compares them); asking for an undeclared one is
an error, so a new switch cannot be read deep in the code without being documented here.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

VARIABLES = {
    "VADCORE_DATA": "datasets, synthetic data, frame caches and the run cache (default `data/` of the checkout)",
    "VADCORE_RUNS": "the run cache (default `$VADCORE_DATA/runs`)",
    "VADCORE_RESULTS": "tables, figures, executed notebooks (default `results/` of the checkout; a notebook run by hand "
                       "without it writes `results/` beside itself)",
    "VADCORE_FRESH": "`1`: recompute every run once per process (`vadcore reproduce --fresh` sets it)",
    "VADCORE_DEVICE": "what `device=\"auto\"` means (the tests set `cpu`); set, it also asks for the CPU at `gpu`/`full`",
    "VADCORE_DRY_RUN": "`1`: the profile's configs with frame size, widths and schedule shrunk, its first two seeds (`vadcore reproduce --dry-run`)",
    "VADCORE_DEADLINE": "a Unix time at which training stops cleanly with a checkpoint (the GPU slot sets it)",
    "VADCORE_CHECKPOINT_SECONDS": "seconds of training between checkpoints (default 300)",
    "VADCORE_COMPILE": "`0`: no `torch.compile` of the flow term, whatever the profile says",
    "VADCORE_CUDA_GRAPHS": "`0`: no CUDA-graph replay of the training step, whatever the profile says",
    "VADCORE_PROGRESS": "`text`: progress as plain lines (a log, not a terminal)",
    "VADCORE_COMMIT": "the commit recorded in provenance where the checkout has no git (a GPU slot)",
    "VADCORE_NOTEBOOK": "the notebook a kernel or script runs (`vadcore reproduce` and the tests set it)",
    "JPY_SESSION_NAME": "the notebook path JupyterLab gives its kernel (read to name the notebook)",
    "PYTHONHASHSEED": "set by `seed_everything` so that child processes hash alike",
    "PYTHONPATH": "the checkout put first for a notebook's script child",
    "TMPDIR": "where a GPU slot works by default",
    "OUT": "the folder the device tool returns (a GPU slot's default `--out`)",
    "MPLBACKEND": "matplotlib's backend (`Agg` where there is no display: a GPU slot)",
}
OFF = ("0", "false", "no", "off")


def _declared(name: str) -> str:
    if name not in VARIABLES:
        raise KeyError(f"environment variable {name!r} is not declared in vadcore.environment.VARIABLES")
    return name


def get(name: str, default: str | None = None) -> str | None:
    """The value of a declared variable, stripped; ``default`` when it is unset or empty."""
    value = os.environ.get(_declared(name), "").strip()
    return value or default


def flag(name: str) -> bool:
    """Whether a declared switch is on: set, and not ``0``/``false``/``no``/``off``."""
    value = get(name, "")
    return bool(value) and value.lower() not in OFF


def switched_off(name: str) -> bool:
    """Whether a declared switch is explicitly off (``0``/``false``/``no``/``off``)."""
    return (get(name, "") or "").lower() in OFF


def put(**values: str) -> None:
    """Set declared variables for this process and the processes it starts."""
    os.environ.update({_declared(name): str(value) for name, value in values.items()})


def put_default(name: str, value: str) -> None:
    os.environ.setdefault(_declared(name), value)


@contextmanager
def scoped(**values: str) -> Iterator[None]:
    """Declared variables set while the block runs, restored (or unset) after it."""
    saved = {name: os.environ.get(_declared(name)) for name in values}
    put(**values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def for_child(**values: str) -> dict[str, str]:
    """This process's environment with declared variables set: what a child process gets."""
    return {**os.environ, **{_declared(name): str(value) for name, value in values.items()}}
