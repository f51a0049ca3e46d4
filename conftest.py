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

FOLDERS = ("VADCORE_DATA", "VADCORE_RUNS", "VADCORE_RESULTS", "MPLBACKEND", "VADCORE_DEVICE")


def pytest_configure(config):
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: the session's folders, made by the controller
        os.environ.update(config.workerinput["vadcore_folders"])
        share_the_cores(config.workerinput["workercount"])
    else:
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


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """pytest-xdist: every worker shares the controller's data folder, run cache and results folder."""
    node.workerinput["vadcore_folders"] = {key: os.environ[key] for key in FOLDERS}


def share_the_cores(workers: int) -> None:
    """Each of ``workers`` processes computes on its share of the cores, and so do the kernels and
    scripts it starts (``OMP_NUM_THREADS``), instead of every one of them on all."""
    threads = str(max(1, (os.cpu_count() or 1) // workers))
    os.environ.update(OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads)
