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



def test_the_tests_kernels_print_progress_as_text_lines_every_10_s():
    """nbval reads a kernel's IOPub messages only after the cell's reply, and ZeroMQ drops those past
    its queue (about 2,000): a cell that trained for minutes behind widget bars (several messages
    each, one per update) lost its final "idle" and nbval failed it ("Timeout of 5 seconds exceeded
    waiting for output", notebook 02 in CI). The session's kernels inherit text bars (``conftest.py``),
    which write a line at most every 10 s (a widget or terminal bar: every 0.1 s)."""
    import os

    from vadcore.progress import progress

    assert os.environ["VADCORE_PROGRESS"] == "text"  # the session's setting, which nbval's kernels inherit
    bar = progress(range(3), desc="bar")
    assert bar.mininterval == 10.0
    bar.close()
