"""Faults a user meets, each reproduced: concurrent processes on one data folder or one run, a
damaged cache entry, a killed generation, a failed notebook, bad parameters, odd few-shot lists,
files a class cannot share. Each now gets a clear error or a correct result."""
import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from vadcore import reproduce
from vadcore.atomic import write_text
from vadcore.data import DatasetError, SynthPedConfig, load_dataset
from vadcore.data.actions import load_action_folders
from vadcore.report import package_versions
from vadcore.runs import RunCache, RunResult

SMALL = SynthPedConfig(seed=6, height=32, width=48, n_train=2, n_test=2, train_frames=20, test_frames=40)


def together(code: str, n: int = 2) -> list[subprocess.CompletedProcess]:
    """Run ``code`` in ``n`` processes started at the same time."""
    children = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True) for _ in range(n)]
    return [subprocess.CompletedProcess(c.args, c.wait(), *c.communicate()) for c in children]


def test_two_processes_generating_one_synthped_copy_wait_for_each_other(tmp_path):
    code = textwrap.dedent(f"""
        from vadcore.data import SynthPedConfig, load_dataset
        data = load_dataset("synthped", {str(tmp_path / 'synthped')!r}, synth=SynthPedConfig(**{SMALL.__dict__!r}), cache=False)
        print(sum(int(v.masks.sum()) for v in data.test))
    """)
    done = together(code)
    assert all(d.returncode == 0 for d in done), [d.stderr[-500:] for d in done]
    assert done[0].stdout == done[1].stdout  # both read the same, complete copy
    assert any("waiting for another process generating synthped" in d.stderr for d in done)
    assert not list(tmp_path.glob(".synthped-generating-*"))


def test_a_killed_generation_leaves_nothing_behind(tmp_path):
    stale = tmp_path / ".synthped-generating-abc123"
    stale.mkdir()
    (stale / "half.tif").write_bytes(b"x")
    load_dataset("synthped", tmp_path / "synthped", synth=SMALL, cache=False)
    assert not stale.exists()


def test_two_processes_needing_one_missing_run_train_it_once(tmp_path):
    log = tmp_path / "trained.txt"
    code = textwrap.dedent(f"""
        import os, time
        from vadcore.runs import RunCache, RunResult
        def compute(run):
            with open({str(log)!r}, "a") as f:
                f.write(str(os.getpid()) + "\\n")
            time.sleep(2)
            return RunResult(metrics={{"micro_auc": 0.75}})
        print(RunCache({str(tmp_path / 'runs')!r}).get_or_compute({{"run": 1}}, compute).metrics["micro_auc"])
    """)
    done = together(code)
    assert all(d.returncode == 0 and d.stdout.strip() == "0.75" for d in done), [d.stderr[-500:] for d in done]
    assert len(log.read_text().split()) == 1


@pytest.mark.parametrize("damaged", ["scores.npz", "metrics.json"])
def test_a_damaged_cache_entry_is_named_set_aside_and_trained_again(damaged, tmp_path, capsys):
    cache, calls = RunCache(tmp_path), []

    def compute(run):
        calls.append(1)
        return RunResult(scores={"psnr": [np.arange(3.0)]}, metrics={"micro_auc": 0.6})

    cache.get_or_compute({"run": 2}, compute)
    run = cache.run({"run": 2})
    path = run.dir / damaged
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])  # a copy cut short
    assert cache.get_or_compute({"run": 2}, compute).metrics == {"micro_auc": 0.6} and len(calls) == 2
    assert f"run {run.key} could not be read" in capsys.readouterr().err
    assert len(list((tmp_path / ".damaged").glob(f"{run.key}-*"))) == 1


def test_a_damaged_checkpoint_restarts_training(tmp_path, capsys):
    run = RunCache(tmp_path).run({"run": 3})
    run.start()
    run.checkpoint_path.write_bytes(b"PK\x03\x04 not a checkpoint")
    assert run.load_checkpoint() is None and not run.checkpoint_path.exists()
    assert "could not be read" in capsys.readouterr().err


def test_bad_parameters_are_named_before_a_kernel_starts(tmp_path):
    for parameters, message in [({"seeds": "notalist"}, "seeds must be a list of distinct whole numbers"),
                                ({"seeds": [0, -1]}, "seeds must be a list"),
                                ({"profile": "gpu"}, "contradicts --profile smoke"),
                                ({"data_root": str(tmp_path / "missing")}, "no such folder")]:
        with pytest.raises(ValueError, match=message):
            reproduce.reproduce(["00"], "smoke", parameters=parameters)
    with pytest.raises(ValueError, match="iterations must be a whole number ≥ 1"):
        reproduce.reproduce(["01"], "smoke", parameters={"iterations": -5})
    with pytest.raises(ValueError, match="ablations must be a bool"):
        reproduce.reproduce(["04"], "smoke", parameters={"ablations": "yes"})
    for number, parameters, message in [("02", {"lr": "abc"}, "lr must be a positive number"),
                                        ("02", {"flow": -3}, "flow must be a number ≥ 0"),
                                        ("02", {"tables": ["VI"]}, "tables must be a list of tables among"),
                                        ("02", {"seeds": [0, 0]}, "distinct"),
                                        ("05", {"shots": []}, "shots must be a non-empty list"),
                                        ("05", {"anomalous": "nope"}, "anomalous must be one of"),
                                        ("00", {"dataset": 5}, "dataset must be one of")]:
        with pytest.raises(ValueError, match=message):
            reproduce.reproduce([number], "smoke", parameters=parameters)
    from vadcore.methods import prediction

    with pytest.raises(ValueError, match="iterations must be a positive whole number"):
        prediction.Config(iterations=-5)


def test_relative_paths_are_the_callers_not_the_notebook_folders(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ped2").mkdir()
    defaults = reproduce.notebook_parameters(reproduce.list_notebooks()["00"])
    checked = reproduce.check_parameters({"data_root": "ped2", "results_dir": "out"}, defaults)
    assert checked == {"data_root": str(tmp_path / "ped2"), "results_dir": str(tmp_path / "out")}


def test_a_failed_notebook_leaves_the_previous_results_as_they_were(tmp_path, monkeypatch):
    monkeypatch.setenv("VADCORE_RESULTS", str(tmp_path / "results"))
    previous = tmp_path / "results" / "smoke" / "00_data_and_protocol"
    previous.mkdir(parents=True)
    (previous / "table1_datasets.md").write_text("the previous table\n")
    empty = tmp_path / "not_ped2"
    empty.mkdir()
    with pytest.raises(RuntimeError, match="00_data_and_protocol failed"):
        reproduce.reproduce(["00"], "smoke", dataset="ucsd_ped2", data_root=str(empty), script=True)
    assert sorted(p.name for p in previous.iterdir()) == ["table1_datasets.md"]
    assert (previous / "table1_datasets.md").read_text() == "the previous table\n"
    assert "expected the UCSD archive" in (previous.parent / ".failed-00_data_and_protocol" / "run.log").read_text()
    assert "failed" not in reproduce.write_index("smoke").read_text()


def test_few_shot_lists_with_an_empty_video_an_empty_split_or_a_repeated_line_are_named(tmp_path):
    def layout(lines: dict[str, list[str]], frames: int = 8):
        lists = tmp_path / "lists"
        lists.mkdir(exist_ok=True)
        for split, entries in lines.items():
            (lists / f"{split}list03.txt").write_text("\n".join(entries) + "\n")
            for entry in entries:
                folder = tmp_path / "frames" / entry
                folder.mkdir(parents=True, exist_ok=True)
                for i in range(frames if "empty" not in entry else 0):
                    (folder / f"{i:05d}.jpg").write_bytes(b"")
        return tmp_path / "frames", lists

    with pytest.raises(DatasetError, match="holds no frame"):
        load_action_folders(*layout({"train": ["a/v1", "a/empty"], "test": ["b/v1"]}))
    with pytest.raises(DatasetError, match="line 2 repeats line 1"):
        load_action_folders(*layout({"train": ["a/v1", "a/v1"], "test": ["b/v1"]}))
    with pytest.raises(DatasetError, match="no video of 'test'"):
        load_action_folders(*layout({"train": ["a/v1"], "test": ["b/short"]}, frames=3))


def test_files_honour_the_umask_so_a_class_can_share_the_run_cache(tmp_path):
    old = os.umask(0o002)
    try:
        write_text(tmp_path / "table.md", "x")
        RunCache(tmp_path / "runs").get_or_compute({"run": 4}, lambda run: RunResult(metrics={"a": 1}))
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "table.md").stat().st_mode) == 0o664
    metrics = next((tmp_path / "runs").glob("*/metrics.json"))
    assert stat.S_IMODE(metrics.stat().st_mode) == 0o664 and json.loads(metrics.read_text()) == {"a": 1}


def test_a_generated_synthped_copy_is_readable_by_the_class(tmp_path):
    old = os.umask(0o022)
    try:
        load_dataset("synthped", tmp_path / "synthped", synth=SMALL, cache=False)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "synthped").stat().st_mode) == 0o755


def test_provenance_records_the_packages_that_move_numbers():
    versions = package_versions()
    assert {"numpy", "scipy", "scikit-learn", "torch", "matplotlib"} <= set(versions)
