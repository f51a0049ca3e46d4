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
        deterministic_kernels(True)
        torch.backends.cudnn.benchmark = False


def deterministic_kernels(mode: bool) -> None:
    """``torch.use_deterministic_algorithms(mode, warn_only=True)`` without its import of
    ``torch._inductor`` (1.3 s on 2 cores, SymPy included, in every notebook, script and run), which
    it makes only to set inductor's own flag: that flag matters to ``torch.compile`` alone, so it is
    set here once inductor is loaded, and by :func:`inductor_follows_kernels` before compiling."""
    import sys

    import torch

    torch._C._set_deterministic_algorithms(mode, warn_only=True)
    inductor = sys.modules.get("torch._inductor.config")
    if inductor is not None:
        inductor.deterministic = mode


def inductor_follows_kernels() -> None:
    """Before ``torch.compile``: inductor's deterministic flag set as PyTorch's kernels are (what
    ``torch.use_deterministic_algorithms`` would have set)."""
    import torch
    import torch._inductor.config as inductor

    inductor.deterministic = torch.are_deterministic_algorithms_enabled()
