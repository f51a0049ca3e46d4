"""Seeding: ``seed_everything(seed)`` is the first call of every notebook."""
from __future__ import annotations

import random

import numpy as np

from vadcore import environment


def seed_everything(seed: int, deterministic: bool = True) -> None:
    """Seed Python, NumPy and PyTorch; on the CPU this makes runs bit-for-bit repeatable.

    ``deterministic=True`` also asks PyTorch for deterministic kernels (warn-only, so an op
    without a deterministic variant on a GPU does not stop a run).
    """
    random.seed(seed)
    np.random.seed(seed)
    environment.put(PYTHONHASHSEED=str(seed))
    import torch

    torch.manual_seed(seed)
    if deterministic:
        torch.use_deterministic_algorithms(True, warn_only=True)
        torch.backends.cudnn.benchmark = False
