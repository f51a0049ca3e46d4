"""What a notebook reads off a trained network — an error map, gradient shares, key regions, a
speed — kept with the run, so that the run's records render the notebook without its weights.

A GPU slot brings back each finished run's records (scores, metrics, timings) but not its
network, which is too large to travel (:mod:`vadcore.slot`). Every figure or number a
notebook computes *from the network* therefore goes through :func:`read_off`: computed where the
network is (the slot renders each unit as soon as its runs exist) and kept in the run's folder
(``readings/<digest>.pkl``); read from there wherever only the records are. The digest covers the
function (its name and the code of its module and what that imports), and every argument (arrays
and clips by their content), so a changed diagnostic or another frame is computed anew, never
read stale.
"""
from __future__ import annotations

import dataclasses
import hashlib

import numpy as np
import torch

from vadcore.methods.code import code_fingerprint


class _Trained:
    def __repr__(self) -> str:
        return "TRAINED"


TRAINED = _Trained()  # stands for the run's trained network among read_off's arguments


def describe(value) -> str:
    """A text that identifies ``value`` by its content, for a reading's digest: numbers, text,
    containers, arrays and tensors (their bytes), clips and datasets (their fingerprints),
    configs and other dataclasses (their fields); anything else is an error, so a reading is
    never keyed on an object's identity."""
    if value is None or isinstance(value, (bool, int, float, str, _Trained)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return f"{type(value).__name__}[{', '.join(map(describe, value))}]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{describe(k)}: {describe(v)}" for k, v in sorted(value.items(), key=lambda kv: repr(kv[0]))) + "}"
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.generic):
        return repr(value.item())
    if isinstance(value, np.ndarray):
        content = np.ascontiguousarray(value)
        return f"array{content.shape}{content.dtype}:{hashlib.sha256(content.tobytes()).hexdigest()[:16]}"
    if hasattr(value, "fingerprint") and callable(value.fingerprint):  # a Video, a VideoSet, an ActionSet
        return f"{type(value).__name__}:{value.fingerprint()}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # a config, an ActionClip
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        return f"{type(value).__name__}{describe(fields)}"
    raise TypeError(f"read_off cannot key a reading on a {type(value).__name__}: pass arrays, numbers, clips or configs")


def digest(function, args: tuple, kwargs: dict) -> str:
    """24 hex digits naming one reading: the function, its code, its arguments."""
    name = f"{function.__module__}.{function.__qualname__}"
    text = "\n".join([name, code_fingerprint(function.__module__), describe(list(args)), describe(kwargs)])
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def with_network(network: torch.nn.Module, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """``args`` and ``kwargs`` with :data:`TRAINED` replaced by ``network``."""
    swap = lambda value: network if value is TRAINED else value  # noqa: E731
    return tuple(map(swap, args)), {name: swap(value) for name, value in kwargs.items()}
