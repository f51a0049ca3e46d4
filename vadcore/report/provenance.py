"""Provenance: ``provenance.json`` beside a notebook's results — the commit, the device, the
versions of the packages that can move a number, the wall time."""
from __future__ import annotations

import json
import platform
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from vadcore import environment
from vadcore import paths
from vadcore.atomic import write_text


def git_commit() -> str:
    """The checkout's short commit (``-dirty`` with uncommitted changes to tracked files outside
    ``results/``, ``docs/`` and the README); ``VADCORE_COMMIT`` where the copy has no git history
    (a borrowed GPU)."""
    if environment.get("VADCORE_COMMIT"):
        return environment.get("VADCORE_COMMIT")
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=paths.project_dir(), capture_output=True, text=True, timeout=10
        )
        dirty = subprocess.run(  # any change that can move a number: code, notebooks, the project's settings
            ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!results", ":!docs", ":!README.md"],
            cwd=paths.project_dir(), capture_output=True, text=True, timeout=10,
        ).stdout.strip()
        return out.stdout.strip() + ("-dirty" if dirty else "") if out.returncode == 0 else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def device_name(device=None) -> str:
    """The device's name as tables and provenance show it (default: the session's device)."""
    import torch

    from vadcore import engine

    device = torch.device(device) if device is not None else engine.resolve("auto")
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return f"cpu ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads)"


# the packages whose version can move a number in a table
NUMERIC_PACKAGES = ("numpy", "scipy", "scikit-learn", "scikit-image", "torch", "av", "pillow", "tifffile",
                    "matplotlib", "seaborn", "papermill", "opencv-python-headless")


def package_versions() -> dict[str, str]:
    """``{package: version}`` of :data:`NUMERIC_PACKAGES` installed here (missing ones left out)."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in NUMERIC_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def write_provenance(folder: Path, profile: str, dataset: str, seeds: Sequence[int], started: float,
                     commit: str | None = None, **extra) -> dict:
    """``provenance.json``: commit, profile, dataset, seeds, device, versions, wall time, and
    whatever the notebook adds (data fingerprints, run counts and compute time: see
    :func:`vadcore.notebook.finish`). ``commit`` is the one the notebook started on."""
    import torch

    record = {
        "git_commit": commit or git_commit(),
        "profile": profile,
        "dataset": dataset,
        "seeds": list(seeds),
        "device": device_name(),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "packages": package_versions(),
        "wall_time_s": round(time.time() - started, 1),
        **extra,
    }
    write_text(Path(folder) / "provenance.json", json.dumps(record, indent=2, default=str) + "\n")
    return record
