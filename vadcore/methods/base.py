"""The pieces every method family is made of (see :mod:`vadcore.methods`). Notebooks 01–03."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch


@dataclass(frozen=True)
class MethodConfig:
    """The fields every family's ``Config`` starts with. ``validation_clips`` training clips are
    held out (:mod:`vadcore.data.splits`) to monitor the prediction or reconstruction error of
    unseen normal video during training; the model never trains on them."""

    family: ClassVar[str] = ""
    dataset: str = "synthped"
    size: tuple[int, int] = (64, 64)
    seed: int = 0
    validation_clips: int = 0

    def code_modules(self) -> tuple[str, ...]:
        """Modules outside the family's own imports whose code this config uses (a family loads
        optional maps by name); they join the run's code fingerprint."""
        return ()


@dataclass
class Trained:
    """What ``train`` returns: the network to score, its curves (per iteration; ``val_*`` per
    validation step) and the training seconds."""

    model: torch.nn.Module
    curves: dict[str, np.ndarray]
    seconds: float
