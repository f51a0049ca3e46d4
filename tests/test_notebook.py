"""``vadcore.notebook``: the name a notebook finds for itself, and provenance a reader can trust."""
import json

import pytest

from vadcore import runs
from vadcore.notebook import finish, notebook_name, start
from vadcore.runs import RunResult


def test_notebook_name_from_a_number_a_path_or_the_environment(monkeypatch):
    assert notebook_name("02") == "02_attention_driven_loss"
    assert notebook_name("/somewhere/notebooks/01_convlstm_autoencoder.ipynb") == "01_convlstm_autoencoder"
    monkeypatch.setenv("VADCORE_NOTEBOOK", "00_data_and_protocol")
    assert notebook_name() == "00_data_and_protocol"
    monkeypatch.delenv("VADCORE_NOTEBOOK")
    monkeypatch.setenv("JPY_SESSION_NAME", "/home/me/vadcore/notebooks/02_attention_driven_loss.ipynb")
    assert notebook_name() == "02_attention_driven_loss"
    with pytest.raises(ValueError, match="no notebook '77'"):
        notebook_name("77")


def test_start_and_finish_write_provenance_without_machine_paths(tmp_path, monkeypatch):
    monkeypatch.setenv("VADCORE_RESULTS", str(tmp_path / "results"))
    monkeypatch.setenv("VADCORE_NOTEBOOK", "00_data_and_protocol")
    lab = start("smoke", seeds=[3])
    assert lab.out == tmp_path / "results" / "smoke" / "00_data_and_protocol" and lab.dataset == "synthped"
    assert lab.seeds == [3] and start("cpu").seeds == [0, 1, 2]
    runs.ledger.computed["abc"] = 12.5  # a run trained in this session
    runs.ledger.reused["def"] = 100.0  # and one read from the cache, which had cost 100 s
    record = finish(lab, note="x")
    stored = (lab.out / "provenance.json").read_text()
    assert json.loads(stored) == record and record["note"] == "x"
    assert record["runs"] == {"runs_computed": 1, "runs_reused": 1, "compute_s_this_session": 12.5,
                              "compute_s_of_reused_runs": 100.0}
    assert str(tmp_path) not in stored and "/root/" not in stored and "data_root" not in stored
    runs.ledger.clear()


def test_result_compute_seconds():
    assert RunResult(timings={"train_s": 2.0, "score_s": 0.5}).compute_seconds == 2.5


def test_a_figure_is_saved_and_returns_nothing_to_display_again(tmp_path, monkeypatch):
    """A cell ending with ``lab.figure(...)`` would show a returned figure a second time."""
    import matplotlib.pyplot as plt

    monkeypatch.setenv("VADCORE_RESULTS", str(tmp_path / "results"))
    monkeypatch.setenv("VADCORE_NOTEBOOK", "00_data_and_protocol")
    lab = start("smoke")
    fig, _ = plt.subplots()
    assert lab.figure(fig, "fig_test") is None
    assert (lab.out / "fig_test.png").is_file()


NBVAL_PROGRESS_NOTEBOOK = {"cells": [
    {"cell_type": "code", "id": "bars", "metadata": {}, "outputs": [], "execution_count": None, "source":
     "from vadcore.progress import progress\nfor run in range(500):\n    for step in progress(range(10)):\n        pass\n"},
    {"cell_type": "code", "id": "next", "metadata": {}, "outputs": [], "execution_count": None, "source": "print('next cell')\n"}],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5}


@pytest.mark.parametrize("mode", ["text", "widgets"])
def test_nbval_survives_a_cell_with_hundreds_of_progress_bars_only_as_text(mode, tmp_path):
    """nbval reads a kernel's IOPub messages only after the cell's reply, and ZeroMQ drops those past
    its queue: 500 widget bars (each several messages; 100 pass) lose the cell's final "idle" and nbval fails the
    cell; as text lines (what this session sets, see ``conftest.py``) the same cell passes. A notebook
    cell that trains for minutes behind widget bars failed CI this way."""
    import os
    import subprocess
    import sys

    assert os.environ["VADCORE_PROGRESS"] == "text"  # the session's setting, which nbval's kernels inherit
    (tmp_path / "bars.ipynb").write_text(json.dumps(NBVAL_PROGRESS_NOTEBOOK))
    env = {**os.environ, "VADCORE_PROGRESS": "text" if mode == "text" else ""}
    done = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-p", "no:xdist",
                           "-o", "addopts=", "--rootdir", str(tmp_path), "-q", "bars.ipynb"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    if mode == "text":
        assert done.returncode == 0 and "2 passed" in done.stdout, done.stdout[-2000:]
    else:
        assert done.returncode == 1 and "exceeded waiting for output" in done.stdout, done.stdout[-2000:]
