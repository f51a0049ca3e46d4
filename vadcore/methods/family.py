"""The contract every method family keeps, and the registry of families.

A family is a Python package (``vadcore.methods.reconstruction``, …, or a package of your own)
that exports the names of :class:`Family` and calls ``register(__name__)`` at import. From
then on :func:`vadcore.methods.cached_run` trains, scores, evaluates and caches its runs, the
study drivers plan and train them, and its code fingerprint is the code of its package and of
every module it imports (:mod:`vadcore.methods.code`) — nothing in the shared core names a family.

The parts, in the order a run uses them:

- ``INPUTS``, ``CHANNELS`` and ``PROFILE_KEYS`` — what the shared layers ask of a family instead
  of its name: the kind of data it reads (``"frames"``, a :class:`~vadcore.data.video.VideoSet`;
  ``"actions"``, an :class:`~vadcore.data.actions.ActionSet`), the channels of its frames (1, grey;
  3, colour) and the config fields that pick among a profile's settings (``profile_config`` needs
  them to rebuild a config's reference, ``vadcore plan``);
- ``Config`` — a frozen :class:`~vadcore.methods.base.MethodConfig` subclass whose ``family``
  is the name the family registers under; it holds everything that can change the numbers;
- ``PROFILES`` and ``profile_config(profile, dataset, seed=0, **overrides)`` — the settings per
  profile and the config they give;
- ``training_data(data)`` and ``test_data(data)`` — what a run trains on and scores (the
  ``train`` and ``test`` clips of a :class:`~vadcore.data.video.VideoSet` for families that score
  frames: :func:`train_split`, :func:`test_split`);
- ``build(config, channels)`` — the network, untrained;
- ``train(config, training_data, run=None)`` → :class:`~vadcore.methods.base.Trained` (written
  with :func:`vadcore.methods.loop.fit`);
- ``score(config, model, test_data)`` → per-clip score arrays by name;
- ``headline(config)`` — the name of the score a table reports;
- ``evaluate(config, scores, test_data, name=None)`` → the protocol's metrics of one score
  (default: the headline). Families that score frames build it with
  :func:`vadcore.methods.evaluation.frame_evaluation` from ``first_scored(config)`` — how many
  frames at the start of every clip get no score, the one fact of a score's alignment;
- ``bare_step(config, engine)`` — one eager update of the model, its loss and its optimizer on
  random device tensors, as a function of no arguments (``vadcore bench`` times it beside the
  family's own training, :func:`eager_step`).
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any, Protocol

import numpy as np
import torch

from vadcore.methods.base import MethodConfig, Trained

Scores = dict[str, list[np.ndarray]]


class Family(Protocol):
    """What :func:`register` checks a family package for (see the module doc)."""

    INPUTS: str
    CHANNELS: int
    PROFILE_KEYS: tuple[str, ...]
    Config: type[MethodConfig]
    PROFILES: Mapping[str, Mapping]

    def profile_config(self, profile: str, dataset: str, seed: int = 0, **overrides) -> MethodConfig: ...
    def training_data(self, data) -> Any: ...
    def test_data(self, data) -> Any: ...
    def build(self, config: MethodConfig, channels: int) -> torch.nn.Module: ...
    def train(self, config: MethodConfig, data, run=None) -> Trained: ...
    def score(self, config: MethodConfig, model: torch.nn.Module, data) -> Scores: ...
    def headline(self, config: MethodConfig) -> str: ...
    def evaluate(self, config: MethodConfig, scores: Scores, data, name: str | None = None) -> dict: ...
    def bare_step(self, config: MethodConfig, engine) -> Callable[[], None]: ...


# the contract's names, read off the Protocol: its attributes, then its functions, in the order written
ATTRIBUTES = tuple(Family.__annotations__)
FUNCTIONS = tuple(name for name, value in vars(Family).items() if callable(value) and not name.startswith("_"))
PARTS = ATTRIBUTES + FUNCTIONS
INPUT_KINDS = ("frames", "actions")
_REGISTRY: dict[str, ModuleType] = {}


def train_split(data):
    """What a family that scores frames trains on: the normal ``train`` clips."""
    return data.train


def test_split(data):
    """What a family that scores frames scores: the labelled ``test`` clips."""
    return data.test


def eager_step(model: torch.nn.Module, loss: Callable[[], torch.Tensor], lr: float = 1e-4) -> Callable[[], None]:
    """One Adam update of ``model`` on ``loss()`` as a function of no arguments (a family's
    ``bare_step``)."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss().backward()
        optimizer.step()

    return step


def check(package: ModuleType) -> None:
    """Raise ``TypeError`` naming every part of the contract ``package`` lacks or gets wrong."""
    missing = [part for part in PARTS if not hasattr(package, part)]
    wrong = [part for part in FUNCTIONS if hasattr(package, part) and not callable(getattr(package, part))]
    if getattr(package, "INPUTS", "frames") not in INPUT_KINDS:
        wrong.append(f"INPUTS (one of {', '.join(INPUT_KINDS)})")
    config = getattr(package, "Config", None)
    if config is not None and not (isinstance(config, type) and issubclass(config, MethodConfig) and config.family):
        wrong.append("Config (a MethodConfig subclass with a family name)")
    if missing or wrong:
        raise TypeError(f"{package.__name__} is not a method family: "
                        + "; ".join(filter(None, [missing and f"missing {', '.join(missing)}",
                                                  wrong and f"not callable or wrong: {', '.join(wrong)}"])))


def register(name: str) -> ModuleType:
    """Check the imported package ``name`` (a family calls ``register(__name__)`` as its last
    line) against the contract and register it under its ``Config.family`` (a second package
    under a taken name is an error; registering the same one again is not)."""
    package = sys.modules[name]
    check(package)
    name = package.Config.family
    if _REGISTRY.get(name, package).__name__ != package.__name__:
        raise ValueError(f"family {name!r} is {_REGISTRY[name].__name__} already, not {package.__name__}")
    _REGISTRY[name] = package
    return package


def families() -> dict[str, ModuleType]:
    """Every registered family by name (the four of :mod:`vadcore.methods` once it is imported)."""
    return dict(_REGISTRY)


def family_of(config: MethodConfig) -> Family:
    """The registered family of a config. A config's class lives in its family's package, so
    holding one means the family was imported and registered."""
    try:
        return _REGISTRY[config.family]
    except KeyError:
        raise ValueError(f"{type(config).__name__} names no registered method family ({config.family!r}; "
                         f"registered: {', '.join(sorted(_REGISTRY)) or 'none'})") from None

