"""The config every family's ``Config`` extends, and what a family's ``train`` returns
(:mod:`vadcore.methods.family`)."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import torch

from vadcore import engine
from vadcore.profiles import DRY_RUN, dry_run


@dataclass(frozen=True)
class MethodConfig:
    """The fields every family's ``Config`` starts with: the data, the seed, the schedule the
    shared loop reads (``iterations`` steps, a validation measurement every ``validate_every``, 0:
    none) and where it runs. ``validation_clips`` training clips are held out
    (:mod:`vadcore.data.splits`) to monitor the prediction or reconstruction error of unseen
    normal video during training; the model never trains on them.

    ``device`` (the kind: ``cpu`` or ``cuda``) and ``precision`` (``fp32`` or ``bf16``) are part
    of the run key; ``compile``, ``cuda_graphs`` and ``deterministic`` are execution settings that
    change the numbers by rounding at most and are not (:mod:`vadcore.engine`).
    """

    family: ClassVar[str] = ""
    dataset: str = "synthped"
    size: tuple[int, int] = (64, 64)
    seed: int = 0
    validation_clips: int = 0
    iterations: int = 1
    validate_every: int = 0
    device: str = "cpu"
    precision: str = "fp32"
    compile: bool = field(default=False, metadata=engine.EXECUTION)
    cuda_graphs: bool = field(default=False, metadata=engine.EXECUTION)
    deterministic: bool = field(default=True, metadata=engine.EXECUTION)

    def __post_init__(self):
        engine.check_settings(self.device, self.precision)
        for name in ("iterations", "batch_size", "validate_every"):
            value = getattr(self, name, None)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                      or value < (0 if name == "validate_every" else 1)):
                raise ValueError(f"{name} must be {'a whole number ≥ 0' if name == 'validate_every' else 'a positive whole number'}, "
                                 f"got {value!r}")
        if self.seed < 0 or self.validation_clips < 0 or len(self.size) != 2 or min(self.size) < 1:
            raise ValueError(f"seed and validation_clips must be ≥ 0 and size two positive sides, got "
                             f"seed={self.seed}, validation_clips={self.validation_clips}, size={self.size}")

    @classmethod
    def from_profile(cls, settings: dict, dataset: str, seed: int = 0, **overrides) -> MethodConfig:
        """A config from a profile's flat ``settings`` and a table row's ``overrides`` (``device``
        among them, as a notebook's study passes it; without one, what ``auto`` means here:
        :func:`vadcore.engine.default_kind`) in the precision the profile has on that device
        (:func:`vadcore.engine.precision_on`: float32 on the CPU); in a dry run
        (:func:`vadcore.profiles.dry_run`) with the frame size, widths and schedule shrunk."""
        values = {"dataset": dataset, "seed": seed, **settings, **overrides}
        values["device"] = values.get("device") or engine.default_kind()
        values["precision"] = engine.precision_on(values["device"], values.get("precision", cls.precision))
        return cls(**(shrunk(cls, values) if dry_run() else values))


def tiny(value, unless: str | None = None) -> dict:
    """Field metadata: the value a dry run caps this width at (:func:`shrunk`), unless the config's
    field ``unless`` is set (pretrained weights fix the width they were trained at)."""
    return {"dry_run": value, "dry_run_unless": unless}


def shrunk(cls: type[MethodConfig], values: dict) -> dict:
    """``values`` of a ``cls`` config with what a dry run shrinks (:data:`vadcore.profiles.DRY_RUN`):
    the frame size (aspect kept, multiples of 16, key regions in proportion), the widths (every
    field declared with :func:`tiny` metadata, capped at that value, element by element; a
    longer tuple than the cap keeps its length, capped by the cap's last element), the
    schedule (two steps; a learning-rate decay and deep k-means' joint stage after the first;
    validation at the start and the end) and the number of test episodes. Everything else — depth,
    losses, variants — is the profile's own: a dry run checks shapes and code paths in minutes."""
    defaults = {f.name: f.default for f in dataclasses.fields(cls)}
    values = {**defaults, **values}
    for f in dataclasses.fields(cls):
        if "dry_run" in f.metadata and not values.get(f.metadata["dry_run_unless"] or "", None):
            cap, value = f.metadata["dry_run"], values[f.name]
            values[f.name] = tuple(min(v, cap[min(i, len(cap) - 1)]) for i, v in enumerate(value)) \
                if isinstance(cap, tuple) else min(value, cap)
    height, width = values["size"]
    scale = min(1.0, DRY_RUN["side"] / max(height, width))
    values["size"] = tuple(max(16, round(side * scale / 16) * 16) for side in (height, width))
    if "crop" in values:
        values["crop"] = max(4, min(round(values["crop"] * scale), *values["size"]))
    values["iterations"] = min(values["iterations"], DRY_RUN["iterations"])
    if "pretrain" in values:
        values["pretrain"] = min(values["pretrain"], values["iterations"] - 1)
    if values.get("decay_at") is not None:
        values["decay_at"] = 1
    if values.get("validate_every"):
        values["validate_every"] = values["iterations"]
    if "kmeans_windows" in values:
        values["kmeans_windows"] = min(values["kmeans_windows"], 16)
    for name in ("test_episodes", "validation_episodes"):
        if values.get(name):
            values[name] = min(values[name], DRY_RUN["episodes"])
    if "tasks_per_batch" in values:
        values["tasks_per_batch"] = 1
    return {name: value for name, value in values.items() if name in defaults}


@dataclass
class Trained:
    """What ``train`` returns: the network to score, its curves (per iteration; ``val_*`` per
    validation step), the training seconds and how it executed (:meth:`vadcore.engine.Engine.describe`)."""

    model: torch.nn.Module
    curves: dict[str, np.ndarray]
    seconds: float
    engine: dict = field(default_factory=dict)
