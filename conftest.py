"""Test-session settings: the session has a data folder of its own (synthped and the frame caches,
made once and read by every test and notebook; the notebooks' run cache in it, one for all seven,
so notebook 03 reads 02's runs and 06 those of 01–04; each test of ``tests/`` gets a run cache of
its own), never a user's ``data/`` or ``VADCORE_DATA``; executed notebooks (nbval) write their
tables and figures to a temporary folder, so running the tests never rewrites the committed
``results/``; each notebook's kernel is
told which notebook it runs (``vadcore.notebook.start`` names the results folder after it). Tests run on
the CPU even where a GPU is present (``VADCORE_DEVICE=cpu``: what ``device="auto"`` means); the tests that
need CUDA are marked ``gpu`` and run with ``pytest -m gpu`` on a GPU machine."""
import os
import tempfile
from pathlib import Path

import pytest


def pytest_configure(config):
    data = tempfile.mkdtemp(prefix="vadcore-test-data-")
    os.environ.update(VADCORE_DATA=data, VADCORE_RUNS=os.path.join(data, "runs"))
    os.environ.setdefault("VADCORE_RESULTS", tempfile.mkdtemp(prefix="vadcore-results-"))
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ.setdefault("VADCORE_DEVICE", "cpu")
    config.addinivalue_line("markers", "gpu: needs CUDA (skipped without a GPU; run with pytest -m gpu)")


def pytest_collection_modifyitems(config, items):
    import torch

    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs CUDA: no GPU here")
    for item in items:
        if item.get_closest_marker("gpu"):
            item.add_marker(skip)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before nbval starts a notebook's kernel (in the setup of its first cell)."""
    path = Path(str(item.fspath))
    if path.suffix == ".ipynb":
        os.environ["VADCORE_NOTEBOOK"] = path.stem
