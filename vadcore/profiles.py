"""Profiles: every notebook's ``profile`` parameter is one of these (``docs/profiles.md``).

| profile | data | where | budget | seeds |
|---|---|---|---|---|
| ``smoke`` (default) | synthetic | any CPU | ≤ 3 min per notebook on 2 cores | 1 |
| ``cpu`` | real UCSD Ped2 | 2-core CPU | ≤ 3 h per notebook | 3 |
| ``gpu`` | real UCSD Ped2 at the papers' frame size and widths, short schedules | one GPU | ≤ 10 min per notebook | 3 |
| ``full`` | any dataset, the paper's settings | GPU | hours | 3 |

Each method family holds its own settings per profile (``vadcore.methods.<family>.profiles``).

A **dry run** (``VADCORE_DRY_RUN=1``, ``vadcore reproduce --dry-run``) runs a profile's configs
with the frame size, the widths, the schedule and the clips' length shrunk (:data:`DRY_RUN`;
``docs/profiles.md``), and the profile's first two seeds (:func:`default_seeds`: a third takes the
same code path as the second, and two still give every table its spread), so that a scarce GPU
slot is never lost to a shape, dtype, device or missing-parameter error: every other setting —
precision, losses, variants — is the profile's own.
"""
from __future__ import annotations

from vadcore import environment

PROFILES = ("smoke", "cpu", "gpu", "full")
GPU_PROFILES = ("gpu", "full")  # made for a GPU: on a CPU they train for hours, so only when asked to
# the dataset a profile runs on when a notebook's ``dataset`` parameter is None, per task: frames
# scored for anomalies (notebooks 00–04, 06) and few-shot action recognition (notebook 05)
DEFAULT_DATASET = {
    "frames": {"smoke": "synthped", "cpu": "ucsd_ped2", "gpu": "ucsd_ped2", "full": "ucsd_ped2"},
    "actions": {"smoke": "synthactions", "cpu": "synthactions", "gpu": "synthactions", "full": "kinetics100"},
}
SEEDS = {"smoke": (0,), "cpu": (0, 1, 2), "gpu": (0, 1, 2), "full": (0, 1, 2)}

# what a dry run keeps of a profile: frames of this side (the aspect kept), this many training
# steps, training and test clips of this many frames, this many test episodes and synthetic clips
# per class (few-shot), this many of the profile's seeds
DRY_RUN = {"side": 32, "iterations": 2, "train_frames": 32, "test_frames": 16, "episodes": 4, "clips_per_class": 8,
           "classes": 5, "seeds": 2}  # classes: of the few-shot splits only tested on, one 5-way episode's


def check_profile(profile: str) -> str:
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    return profile


def default_dataset(profile: str, task: str = "frames") -> str:
    """The dataset a profile runs on for ``task`` (``frames`` or ``actions``) when the notebook's
    ``dataset`` parameter is ``None``."""
    return DEFAULT_DATASET[task][check_profile(profile)]


def dry_run() -> bool:
    """Whether this process runs its profile dry (``VADCORE_DRY_RUN``; see the module doc)."""
    return environment.flag("VADCORE_DRY_RUN")


def default_seeds(profile: str) -> list[int]:
    """The seeds a notebook runs ``profile`` with when none are given: :data:`SEEDS`, the first
    ``DRY_RUN["seeds"]`` of them in a dry run."""
    return list(SEEDS[check_profile(profile)])[: DRY_RUN["seeds"] if dry_run() else None]


def cpu_not_asked_for(profile: str, device: str | None) -> bool:
    """Whether running ``profile`` with the ``device`` parameter would train a GPU profile
    (:data:`GPU_PROFILES`) on the CPU without anyone asking for it: ``device`` is ``auto`` (or not
    given), ``VADCORE_DEVICE`` is not set, and PyTorch sees no GPU. Asking is ``device="cpu"``
    (``-p device=cpu``, ``--device cpu``) or ``VADCORE_DEVICE=cpu`` (what ``auto`` means; the
    tests set it). A dry run asks nothing: it is small on purpose."""
    if profile not in GPU_PROFILES or dry_run() or str(device or "auto").strip().lower() != "auto" \
            or environment.get("VADCORE_DEVICE"):
        return False
    from vadcore.engine import resolve

    return resolve("auto").type == "cpu"


def gpu_absent(spec) -> bool:
    """Whether the device ``spec`` asks for a GPU where there is none: runs for one can then only be
    read (a GPU slot's records rendered on a CPU, :func:`vadcore.notebook.start`), never trained.
    PyTorch is imported only when a GPU is named (``vadcore reproduce`` starts without it)."""
    if not str(spec).strip().lower().startswith("cuda"):
        return False
    import torch

    return not torch.cuda.is_available()


# execution settings per profile (vadcore.engine; not part of a run's key, GPU only): the GPU
# profiles compile the fused work, replay the step as a CUDA graph and let cuDNN choose its
# fastest kernels (`vadcore bench` measures what determinism costs)
ENGINE = {
    "smoke": {},
    "cpu": {},
    "gpu": {"compile": True, "cuda_graphs": True, "deterministic": False},
    "full": {"compile": True, "cuda_graphs": True, "deterministic": False},
}
