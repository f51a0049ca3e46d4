"""``vadcore reproduce`` and the ``vadcore`` command (parameter validation, errors, index)."""
import json

import pytest

from vadcore import cli, reproduce
from vadcore.paths import notebooks_dir


NOTEBOOKS = ["00", "01", "02", "03", "04", "05", "06"]


def test_every_notebook_has_a_parameters_cell_with_profile_and_no_outputs():
    notebooks = reproduce.list_notebooks()
    assert list(notebooks) == NOTEBOOKS
    for path in notebooks.values():
        params = reproduce.notebook_parameters(path)
        assert params["profile"] == '"smoke"' and "results_dir" in params
        cells = json.loads(path.read_text())["cells"]
        assert all(not c.get("outputs") and not c.get("execution_count") for c in cells if c["cell_type"] == "code")


def test_wrong_parameter_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"has no parameter 'epochs'; valid: profile, device, dataset"):
        reproduce.reproduce(["00"], "smoke", parameters={"epochs": 3})


def test_unknown_notebook_and_profile():
    with pytest.raises(ValueError, match="no notebook '99'"):
        reproduce.reproduce(["99"], "smoke")
    with pytest.raises(ValueError, match="unknown profile"):
        reproduce.reproduce(["00"], "huge")


def test_index_lists_tables_and_figures(tmp_path, monkeypatch):
    monkeypatch.setenv("VADCORE_RESULTS", str(tmp_path))
    folder = tmp_path / "cpu" / "00_data_and_protocol"
    folder.mkdir(parents=True)
    (folder / "table1_x.md").write_text("**Table 1**\n\n| a |\n|---|\n| 1 |\n")
    (folder / "fig1_y.png").write_bytes(b"")
    (folder / "provenance.json").write_text(json.dumps({"dataset": "ucsd_ped2", "seeds": [0]}))
    text = reproduce.write_index("cpu").read_text()
    assert "## 00_data_and_protocol" in text and "**Table 1**" in text
    assert "[fig1_y](00_data_and_protocol/fig1_y.png)" in text and "`ucsd_ped2`" in text


def test_cli_reports_errors_without_a_traceback(capsys, tmp_path):
    assert cli.main(["data", "check", "ucsd_ped2", str(tmp_path / "missing")]) == 2
    assert "missing: folder not found" in capsys.readouterr().err
    assert cli.main(["reproduce", "00", "-p", "epochs=3"]) == 2
    assert "valid: profile" in capsys.readouterr().err
    assert cli.main(["reproduce", "00", "-p", "oops"]) == 2


def test_cli_check_prints_a_summary(capsys, tmp_path):
    from layouts import write_ucsd_official

    write_ucsd_official(tmp_path)
    assert cli.main(["data", "check", "ucsd_ped2", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "2 train, 2 test" in out
    assert "anomalous      11 test frames" in out and "pixel masks    2/2 test clips; 100.0 %" in out


def test_cli_synth(tmp_path, capsys, monkeypatch):
    """`vadcore data synth` writes a copy with the defaults and the seed asked for, where asked for
    (two clips of it here: the generator itself is tested in test_synthped.py)."""
    import dataclasses

    import vadcore.data
    from vadcore.data import SynthPedConfig

    asked, generate = [], vadcore.data.generate_synthped

    def two_clips(root, config):
        asked.append((root, config))
        return generate(root, dataclasses.replace(config, n_train=1, n_test=1, train_frames=8, test_frames=8), progress=False)

    monkeypatch.setattr(vadcore.data, "generate_synthped", two_clips)
    assert cli.main(["data", "synth", "--root", str(tmp_path / "s"), "--seed", "1"]) == 0
    assert asked == [(tmp_path / "s", SynthPedConfig(seed=1))]
    assert (tmp_path / "s" / "Test" / "synthped.m").is_file()
    assert f"synthped written to {tmp_path / 's'}" in capsys.readouterr().out


def test_parameter_values_are_literals():
    assert cli._parameters(["seeds=[0, 1]", "dataset=ucsd_ped2", "lr=1e-4"]) == {
        "seeds": [0, 1], "dataset": "ucsd_ped2", "lr": 1e-4}


def test_notebooks_dir_exists():
    assert notebooks_dir().is_dir()


def test_executed_copies_keep_results_but_not_progress_bars_timings_or_paths(tmp_path):
    executed = {
        "cells": [{"cell_type": "code", "source": "x", "execution_count": 1,
                   "metadata": {"papermill": {"duration": 1.0}, "execution": {"iopub.status.busy": "t"}},
                   "outputs": [{"output_type": "stream", "name": "stderr", "text": "training: 40%|####"},
                               {"output_type": "stream", "name": "stdout", "text": "micro AUC 91.2"}]}],
        "metadata": {"papermill": {"input_path": "/work/x/notebooks/00.ipynb", "output_path": "/work/x/results/00.ipynb",
                                   "start_time": "2026", "duration": 3.0, "parameters": {"profile": "cpu"}}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    path = tmp_path / "00.ipynb"
    path.write_text(json.dumps(executed))
    reproduce.clean_executed(path)
    text = path.read_text()
    cleaned = json.loads(text)
    assert cleaned["cells"][0]["outputs"] == [{"output_type": "stream", "name": "stdout", "text": "micro AUC 91.2"}]
    assert cleaned["metadata"]["papermill"] == {"parameters": {"profile": "cpu"}}
    assert "/work/" not in text and "duration" not in text


def test_executed_copies_name_machine_folders_by_placeholder(tmp_path):
    data = tmp_path / "cache"
    printed = f"VideoSet('synthped', root='{data}/synthped', train=8 clips)"
    executed = {"cells": [{"cell_type": "code", "source": "print(data)", "execution_count": 1, "metadata": {},
                           "outputs": [{"output_type": "stream", "name": "stdout", "text": printed}]}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "01.ipynb"
    path.write_text(json.dumps(executed))
    reproduce.clean_executed(path, {"$VADCORE_DATA": data, "$VADCORE_PROJECT": tmp_path})
    text = json.loads(path.read_text())["cells"][0]["outputs"][0]["text"]
    assert text == "VideoSet('synthped', root='$VADCORE_DATA/synthped', train=8 clips)"


def test_every_notebook_has_its_text_pair_in_sync():
    import jupytext

    notebooks = reproduce.list_notebooks()
    assert list(notebooks) == NOTEBOOKS
    for path in notebooks.values():
        pair = path.with_suffix(".py")
        assert pair.is_file(), f"{path.name} has no text pair {pair.name}: run `jupytext --sync {path.name}`"
        cells = lambda nb: [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in nb.cells]  # noqa: E731
        assert cells(jupytext.read(pair)) == cells(jupytext.read(path)), \
            f"{path.name} and {pair.name} differ: run `jupytext --sync {path.name}`"


def test_every_command_of_the_parser_has_exactly_one_handler():
    import argparse

    from vadcore.cli import HANDLERS, build_parser

    def subcommands(parser):
        found = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        return found[0].choices if found else {}

    pairs = {(name, action) for name, sub in subcommands(build_parser()).items()
             for action in (subcommands(sub) or {None: None})}
    assert len(pairs) == 11 and pairs == set(HANDLERS)


LIGHT_PARENT = '''
import sys
from vadcore import cli, reproduce
cli.build_parser().parse_args(["reproduce", "02", "--profile", "smoke", "--script", "-p", "device='cpu'"])
notebook = reproduce.list_notebooks()["02"]
reproduce.check_parameters({"device": "cpu", "seeds": [0], "data_root": None}, reproduce.notebook_parameters(notebook))
heavy = sorted(name for name in ("torch", "sklearn", "matplotlib", "pandas") if name in sys.modules)
print("heavy:", heavy)
'''


def test_the_command_line_checks_a_reproduction_without_loading_pytorch():
    """``vadcore reproduce`` only checks the parameters and starts the notebook's own process, which
    loads PyTorch and the rest: the parent that also loaded them spent ~5 s of CPU in every call (a
    GPU slot makes one per unit)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", LIGHT_PARENT], capture_output=True, text=True)
    assert done.returncode == 0 and "heavy: []" in done.stdout, done.stdout + done.stderr[-2000:]
