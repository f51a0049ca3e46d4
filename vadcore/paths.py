"""Where things live: the project's ``data/`` and ``results/`` folders.

Both can be moved with environment variables, so that tests and CI never write into a
checkout's committed results:

- ``VADCORE_DATA``: datasets, synthetic data, frame caches and the run cache (default
  ``<project>/data``).
- ``VADCORE_RESULTS``: tables, figures and executed notebooks (default ``<project>/results``).
- ``VADCORE_RUNS``: the run cache (default ``$VADCORE_DATA/runs``; a dry run uses a temporary one).
"""
from __future__ import annotations

from pathlib import Path

from vadcore import environment
from vadcore.profiles import check_profile

PACKAGE_DIR = Path(__file__).resolve().parent


def project_dir() -> Path:
    """The checkout that holds the package (``pip install -e .``), else the working directory."""
    candidate = PACKAGE_DIR.parent
    if (candidate / "pyproject.toml").exists():
        return candidate
    return Path.cwd()


def data_dir() -> Path:
    return Path(environment.get("VADCORE_DATA") or project_dir() / "data")


def runs_dir() -> Path:
    return Path(environment.get("VADCORE_RUNS") or data_dir() / "runs")


def results_dir() -> Path:
    return Path(environment.get("VADCORE_RESULTS") or project_dir() / "results")


def results_folder(profile: str, slug: str, given: str | Path | None = None) -> Path:
    """``results/<profile>/<slug>/`` (or the folder ``given``, a notebook's ``results_dir``), created
    if missing."""
    check_profile(profile)
    folder = Path(given) if given else results_dir() / profile / slug
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def notebooks_dir() -> Path:
    return project_dir() / "notebooks"

