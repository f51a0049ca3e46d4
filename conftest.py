"""Test-session settings: the session has a data folder of its own (synthped and the frame caches,
made once and read by every test and notebook; the notebooks' run cache in it, one for all seven,
so notebook 03 reads 02's runs and 06 those of 01–04, and the student-copy and wrong-answer tests
read them too — whichever needs a run first trains it, under the run cache's lock; each test of
``tests/`` gets a run cache of its own), never a user's ``data/`` or ``VADCORE_DATA``; executed
notebooks (nbval) write their tables and figures to a temporary folder, so running the tests never
rewrites the committed ``results/``; each notebook's kernel is told which notebook it runs
(``vadcore.notebook.start`` names the results folder after it). Under pytest-xdist (``-n auto``,
the default) every worker shares those folders and computes on its share of the cores. Tests run on
the CPU even where a GPU is present (``VADCORE_DEVICE=cpu``: what ``device="auto"`` means); the tests that
need CUDA are marked ``gpu`` and run with ``pytest -m gpu`` on a GPU machine. Progress bars are text
lines (``VADCORE_PROGRESS=text``), as under ``vadcore reproduce``."""
import os
import tempfile
from pathlib import Path

import pytest

# what the controller sets up for the session and every worker takes over
SESSION_VARIABLES = ("VADCORE_DATA", "VADCORE_RUNS", "VADCORE_RESULTS", "MPLBACKEND", "VADCORE_DEVICE",
                     "VADCORE_PROGRESS")


def pytest_configure(config):
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: the session's folders, made by the controller
        os.environ.update(config.workerinput["vadcore_session"])
        share_the_cores(config.workerinput["workercount"])
    else:
        data = tempfile.mkdtemp(prefix="vadcore-test-data-")
        os.environ.update(VADCORE_DATA=data, VADCORE_RUNS=os.path.join(data, "runs"))
        os.environ.setdefault("VADCORE_RESULTS", tempfile.mkdtemp(prefix="vadcore-results-"))
        os.environ.setdefault("MPLBACKEND", "Agg")
        os.environ.setdefault("VADCORE_DEVICE", "cpu")
        # progress as text lines, not widgets: nbval reads a kernel's IOPub messages only once the
        # cell has finished, and ZeroMQ drops those past its queue (about 2,000) — a cell that
        # trains for minutes behind widget bars loses its final "idle" message and fails with
        # "Timeout of 5 seconds exceeded waiting for output" (500 widget bars in one cell are enough)
        os.environ["VADCORE_PROGRESS"] = "text"
    config.addinivalue_line("markers", "gpu: needs CUDA (skipped without a GPU; run with pytest -m gpu)")


# files that take minutes, roughly the longest first: under pytest-xdist they start first, so that
# no worker begins one while the others have finished. The notebooks that train the most come
# early: the student-copy, wrong-answer and slot tests then read their runs instead of waiting
# for them (a run another worker is training is waited for, under the run cache's lock).
LONGEST_FIRST = ("tests/test_dry_run.py", "notebooks/02_attention_driven_loss.ipynb",
                 "notebooks/05_fewshot_key_region.ipynb", "notebooks/04_spatiotemporal_dissociation.ipynb",
                 "tests/test_teaching.py", "tests/test_plan.py", "tests/test_gpu_slot.py", "tests/test_wrong_answers.py",
                 "tests/test_grading.py", "tests/test_faults.py")


def pytest_collection_modifyitems(config, items):
    import torch

    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))

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
    """pytest-xdist: every worker shares the controller's data folder, run cache, results folder,
    plotting backend and device."""
    node.workerinput["vadcore_session"] = {key: os.environ[key] for key in SESSION_VARIABLES}


def cgroup_quota() -> int | None:
    """Whole cores of the cgroup's CPU quota (v2 ``cpu.max``, else v1 ``cfs_quota_us``), or None."""
    v1 = Path("/sys/fs/cgroup/cpu")
    for quota, period in ((Path("/sys/fs/cgroup/cpu.max"), None), (v1 / "cpu.cfs_quota_us", v1 / "cpu.cfs_period_us")):
        try:
            values = quota.read_text().split() + ([] if period is None else period.read_text().split())
            if values[0] not in ("max", "-1"):
                return max(1, int(values[0]) // int(values[1]))
        except (OSError, ValueError, IndexError):
            continue
    return None


def available_cores() -> int:
    """The cores this process may use: its CPU affinity, capped by a cgroup CPU quota (a container
    that sees 64 CPUs but may use 2 gets 2)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, cgroup_quota() or cores))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config):
    """``-n auto``: one worker per core this process may use (``PYTEST_XDIST_AUTO_NUM_WORKERS``, set,
    decides instead, as in pytest-xdist)."""
    return int(os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS") or available_cores())


def share_the_cores(workers: int) -> None:
    """Each of ``workers`` processes computes on its share of the cores, and so do the kernels and
    scripts it starts (``OMP_NUM_THREADS``), instead of every one of them on all."""
    threads = str(max(1, available_cores() // workers))
    os.environ.update(OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads)
