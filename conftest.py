"""Test-session settings: executed notebooks (nbval) write their tables and figures to a temporary
folder, so running the tests never rewrites the committed ``results/``; each notebook's kernel is
told which notebook it runs (``vadcore.notebook.start`` names the results folder after it)."""
import os
import tempfile
from pathlib import Path

import pytest


def pytest_configure(config):
    os.environ.setdefault("VADCORE_RESULTS", tempfile.mkdtemp(prefix="vadcore-results-"))
    os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before nbval starts a notebook's kernel (in the setup of its first cell)."""
    path = Path(str(item.fspath))
    if path.suffix == ".ipynb":
        os.environ["VADCORE_NOTEBOOK"] = path.stem
