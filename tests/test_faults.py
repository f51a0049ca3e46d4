"""Faults a user meets, each reproduced: concurrent processes on one data folder or one run, a
damaged cache entry, a killed generation, a failed notebook, bad parameters, odd few-shot lists,
files a class cannot share. Each now gets a clear error or a correct result."""
import errno
import io
import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch

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


# ---- issue 35: a run that can never be rebuilt, a gpu profile on the CPU, a full disk, the smaller faults ----

TINY = dict(size=(32, 48), width=4, depth=2, discriminator=(4, 8, 8), iterations=4)


def tiny_data(root):
    return load_dataset("synthped", root, synth=SMALL, size=TINY["size"])


def test_a_finished_run_whose_metrics_json_is_gone_is_trained_again_to_the_same_result(tmp_path, capsys):
    from vadcore.methods import cached_run, prediction

    config, data, cache = prediction.Config(**TINY), tiny_data(tmp_path / "synthped"), RunCache(tmp_path / "runs")
    first = cached_run(config, data, cache)
    [run_dir] = [p for p in (tmp_path / "runs").iterdir() if not p.name.startswith(".")]
    (run_dir / "metrics.json").unlink()
    capsys.readouterr()
    again = cached_run(config, data, cache)  # was: KeyError: 'optimizer' from methods/loop.py, naming nothing
    np.testing.assert_array_equal(again.scores["psnr"][0], first.scores["psnr"][0])
    err = capsys.readouterr().err
    assert f"run {run_dir.name}" in err and str(run_dir / "checkpoint.pt") in err and "metrics.json" in err
    [aside] = (tmp_path / "runs" / ".damaged").glob(f"{run_dir.name}-checkpoint.pt-*[0-9]")
    assert "training starts over" in aside.with_name(aside.name + ".txt").read_text()
    assert (run_dir / "metrics.json").is_file()


def _stepper(stop_at: int):
    """A step that counts, and is interrupted (Ctrl-C) at step ``stop_at``."""
    layer = torch.nn.Linear(2, 1)

    def step(i):
        if i == stop_at:
            raise KeyboardInterrupt
        return {"loss": layer.weight.sum().detach()}
    return step, {"layer": layer}


def test_ctrl_c_says_in_one_line_where_training_stopped_and_where_it_resumes(tmp_path, capsys):
    from vadcore.methods.loop import train_loop
    from vadcore.runs import Stopped

    cache = RunCache(tmp_path)

    def compute(stop_at, checkpoint_every):
        def train(run):
            step, state = _stepper(stop_at)
            train_loop(run, step, state, torch.Generator(), 10, checkpoint_every=checkpoint_every)
        return train

    with pytest.raises(Stopped) as stopped:
        cache.get_or_compute({"iterations": 10}, compute(3, 0.0))  # a checkpoint after every step
    key, path = cache.run({"iterations": 10}).key, cache.run({"iterations": 10}).checkpoint_path
    assert str(stopped.value) == f"run {key} stopped at step 3 of 10; the next run resumes from step 3 ({path})"
    with pytest.raises(Stopped) as stopped:
        cache.get_or_compute({"iterations": 10}, compute(8, 1e9))  # resumes at 3, no checkpoint before the end
    assert str(stopped.value) == f"run {key} stopped at step 8 of 10; the next run resumes from step 3 ({path})"
    assert f"vadcore: run {key} resumes from step 3 of 10 ({path})" in capsys.readouterr().err


def test_ctrl_c_ends_the_command_with_one_line_and_no_traceback(monkeypatch, capsys):
    from vadcore import cli, plan
    from vadcore.runs import Stopped

    def interrupted(*args, **kwargs):
        raise Stopped("run abc stopped at step 3 of 10; the next run resumes from step 2 (/x/checkpoint.pt)")

    monkeypatch.setattr(plan, "train", interrupted)
    assert cli.main(["train", "01"]) == 130
    captured = capsys.readouterr()
    assert captured.err == "vadcore: run abc stopped at step 3 of 10; the next run resumes from step 2 (/x/checkpoint.pt)\n"
    monkeypatch.setattr(plan, "train", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt))
    assert cli.main(["train", "01"]) == 130 and "Traceback" not in capsys.readouterr().err


INTERRUPTIBLE = """
import time
from pathlib import Path
import torch
from vadcore.methods.loop import train_loop
from vadcore.runs import RunCache

def step(i):
    if i == 2:
        Path({flag!r}).touch()
        time.sleep(120)
    return {{"loss": 0.0}}

RunCache({runs!r}).get_or_compute({{"iterations": 5}}, lambda run: train_loop(run, step, {{}}, torch.Generator(), 5, checkpoint_every=0.0))
"""


@pytest.mark.parametrize("script", [False, True], ids=["papermill", "script"])
def test_ctrl_c_during_reproduce_stops_the_notebook_with_the_runs_line(script, tmp_path, capsys):
    """The kernel (papermill) and the script child run in sessions of their own: the Ctrl-C that
    reaches ``vadcore reproduce`` is passed on to them, and the run says where it stopped."""
    import nbformat
    import signal
    import threading
    import time

    flag, runs = tmp_path / "training", tmp_path / "runs"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(INTERRUPTIBLE.format(flag=str(flag), runs=str(runs)))])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "99_interrupt.ipynb"
    nbformat.write(notebook, path)
    out = tmp_path / "out"
    out.mkdir()

    def press_ctrl_c():
        while not flag.exists():
            time.sleep(0.1)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=press_ctrl_c, daemon=True).start()
    with pytest.raises(KeyboardInterrupt) as stopped:
        (reproduce._run_script if script else reproduce._run_papermill)(path, out, {}, None)
    key = RunCache(runs).run({"iterations": 5}).key
    line = f"run {key} stopped at step 2 of 5; the next run resumes from step 2"
    assert line in (capsys.readouterr().out if script else str(stopped.value))


def test_a_gpu_profile_on_a_machine_without_a_gpu_refuses_to_start_saying_what_it_would_cost(tmp_path, monkeypatch,
                                                                                         small_synthped):
    from vadcore import cli, notebook, plan

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.delenv("VADCORE_DEVICE")  # the user typed nothing
    monkeypatch.setenv("VADCORE_RESULTS", str(tmp_path / "results"))
    started = []
    small = {"dataset": "synthped", "data_root": small_synthped}  # what is planned, not what it scores
    monkeypatch.setattr(reproduce, "_run_script", lambda *args: started.append(args))
    # a recorded run of the same settings (on other data: not this notebook's) gives the estimate
    cache = RunCache()
    planned, _ = plan.plan(["01"], "gpu", {**small, "device": "cpu"})
    assert len(planned) == 6  # two models, three seeds
    for p in planned:
        cache.get_or_compute(p.config, lambda run: RunResult(metrics={"a": 1}, timings={"train_steps_per_s": 2.0,
                                                                                         "score_s": 30.0}))
    minutes = sum(p.config.iterations / 2.0 + 30.0 for p in planned) / 60
    with pytest.raises(ValueError, match=r"sees no GPU.*-p device=cpu") as refused:
        reproduce.reproduce(["01"], "gpu", **small, script=True)
    assert f"notebook 01 would train 6 run(s) on the CPU: ≈ {minutes:.0f} min" in str(refused.value)
    with pytest.raises(ValueError, match=r"profile 'full' is made for a GPU.*no run recorded here"):
        reproduce.reproduce(["01"], "full", **small, script=True)
    with pytest.raises(ValueError, match="device=cpu"):
        plan.train(["01"], "gpu", small)
    with pytest.raises(ValueError, match="device='cpu'"):
        notebook.start("gpu", dataset="synthped", notebook="01")
    assert cli.main(["reproduce", "01", "--profile", "gpu", "--dataset", "synthped", "--data-root", small_synthped,
                     "--script"]) == 2
    assert not started
    # asked for: -p device=cpu, --device cpu, VADCORE_DEVICE=cpu (the tests), a dry run
    reproduce.reproduce(["01"], "gpu", **small, parameters={"device": "cpu"}, script=True)
    reproduce.reproduce(["01"], "gpu", **small, script=True, dry_run=True)
    notebook.start("gpu", dataset="synthped", notebook="01", device="cpu")
    monkeypatch.setenv("VADCORE_DEVICE", "cpu")
    reproduce.reproduce(["01"], "gpu", **small, script=True)
    notebook.start("gpu", dataset="synthped", notebook="01")
    assert len(started) == 3
    # every run cached (trained here before, on the CPU): nothing would train, nothing is refused
    monkeypatch.delenv("VADCORE_DEVICE")
    for p in planned:
        run = cache.run(p.config)
        run.dir = cache.root / p.key
        run.save(RunResult(metrics={"a": 1}))
    reproduce.reproduce(["01"], "gpu", **small, script=True)
    assert len(started) == 4


def full_disk(keep: float = 0.5):
    """A writer that fills the disk: it writes ``keep`` of what it was given, then raises ENOSPC
    without naming a file, as a real full device does."""
    def write(target, data):
        Path(target).write_bytes(data[: int(len(data) * keep)] if isinstance(data, bytes) else data[: int(len(data) * keep)].encode())
        raise OSError(errno.ENOSPC, "No space left on device")
    return write


def test_a_full_disk_names_the_file_says_the_device_is_full_and_leaves_the_old_file(tmp_path, monkeypatch):
    from vadcore.atomic import DiskFull

    write_text(tmp_path / "table.md", "the old table\n")
    monkeypatch.setattr(Path, "write_text", lambda self, text, *a, **k: full_disk()(self, text))
    with pytest.raises(DiskFull, match=rf"cannot write {tmp_path / 'table.md'}: the device is full") as full:
        write_text(tmp_path / "table.md", "a new table\n")
    assert full.value.errno == 28 and isinstance(full.value, OSError)
    assert (tmp_path / "table.md").read_text() == "the old table\n" and [p.name for p in tmp_path.iterdir()] == ["table.md"]


class FillingFile(io.FileIO):
    """A file on a device with :attr:`room` bytes left: a write past it writes what fits, then
    raises ENOSPC without naming the file, as a real full device does."""

    room = 1000

    def write(self, data):
        if self.tell() + len(data) > self.room:
            super().write(bytes(data)[: max(0, self.room - self.tell())])
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().write(data)


def test_a_run_cache_that_fills_up_names_the_checkpoint_and_keeps_the_last_good_one(tmp_path, monkeypatch):
    """Measured on a 3 MB tmpfs: torch.save to a path fails with ``RuntimeError: [enforce fail at
    inline_container.cc:672] . unexpected pos …``, naming nothing; through a Python file it raises
    the same error while handling the file's ENOSPC. Here real torch and numpy write through a
    file that fills up."""
    from vadcore import runs
    from vadcore.atomic import DiskFull

    run = RunCache(tmp_path).run({"run": 5})
    run.start()
    run.save_checkpoint({"step": 1, "weights": torch.zeros(10)})
    monkeypatch.setattr(runs, "open", lambda path, mode="r": FillingFile(path, mode.replace("b", "")), raising=False)
    with pytest.raises(DiskFull, match=rf"cannot write {run.checkpoint_path}: the device is full"):
        run.save_checkpoint({"step": 2, "weights": torch.zeros(1000)})
    with pytest.raises(DiskFull, match=rf"cannot write {run.dir / 'scores.npz'}: the device is full"):
        run.save(RunResult(scores={"psnr": [np.random.default_rng(0).random(1000)]}, metrics={"a": 1}))
    monkeypatch.undo()
    assert run.load_checkpoint()["step"] == 1 and not run.finished
    assert sorted(p.name for p in run.dir.iterdir()) == ["checkpoint.pt", "identity.json"]


def test_results_that_fill_the_disk_name_the_notebook_and_leave_no_invalid_copy(tmp_path, monkeypatch, capsys,
                                                                               small_synthped):
    """papermill writes the executed copy itself (not atomically): a full disk cut it short and
    left it, invalid, in ``.failed-NN`` for the next try to trip over."""
    import papermill.iorw
    from vadcore.atomic import DiskFull

    monkeypatch.setenv("VADCORE_RESULTS", str(tmp_path / "results"))
    previous = tmp_path / "results" / "smoke" / "00_data_and_protocol"
    previous.mkdir(parents=True)
    (previous / "table1_datasets.md").write_text("the previous table\n")
    monkeypatch.setattr(papermill.iorw.papermill_io, "write", lambda buf, path, *a, **k: full_disk()(path, buf))
    with pytest.raises(DiskFull, match=r"cannot write .*00_data_and_protocol\.ipynb: the device is full"):
        reproduce.reproduce(["00"], "smoke", data_root=small_synthped)
    assert "the device is full" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "results" / "smoke").iterdir()) == [".00_data_and_protocol.lock",
                                                                                 "00_data_and_protocol"]
    assert (previous / "table1_datasets.md").read_text() == "the previous table\n"


def test_a_successful_run_clears_the_stale_staging_and_failed_folders_of_its_notebook(tmp_path, monkeypatch):
    monkeypatch.setenv("VADCORE_RESULTS", str(tmp_path))
    root = tmp_path / "smoke"
    for stale in (".staging-00_data_and_protocol-abc", ".failed-00_data_and_protocol", ".staging-01_convlstm_autoencoder-x"):
        (root / stale).mkdir(parents=True)
        (root / stale / "half.ipynb").write_text("{")
    with reproduce._staged("smoke", "00_data_and_protocol", None) as folder:
        (folder / "table.md").write_text("new\n")
    assert sorted(p.name for p in root.iterdir()) == [".00_data_and_protocol.lock", ".staging-01_convlstm_autoencoder-x",
                                                     "00_data_and_protocol"]
    assert (root / "00_data_and_protocol" / "table.md").read_text() == "new\n"


def test_a_named_dataset_missing_from_its_default_folder_is_named_before_a_kernel_starts(monkeypatch, isolated_data):
    started = []
    monkeypatch.setattr(reproduce, "_run_papermill", lambda *args: started.append(args))
    for number, dataset, folder in [("00", "ucsd_ped2", "ped2"), ("05", "kinetics100", "kinetics100")]:
        with pytest.raises(DatasetError, match=rf"{isolated_data / folder}: dataset '{dataset}' not found"):
            reproduce.reproduce([number], "smoke", dataset=dataset)
    assert not started


def test_an_executed_copy_has_deterministic_cell_ids(tmp_path):
    """papermill gives its injected-parameters cell a random id: two runs never gave the same file."""
    copies = []
    for random_id in ("3f1a9c2e", "b7d04e11"):
        executed = {"cells": [{"cell_type": "code", "id": random_id, "source": "profile = 'cpu'", "execution_count": 1,
                               "metadata": {"tags": ["injected-parameters"]}, "outputs": []},
                              {"cell_type": "code", "id": "setup", "source": "x", "execution_count": 2, "metadata": {},
                               "outputs": []}],
                    "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        path = tmp_path / f"{random_id}.ipynb"
        path.write_text(json.dumps(executed))
        reproduce.clean_executed(path)
        copies.append(path.read_text())
    assert copies[0] == copies[1]
    assert [c["id"] for c in json.loads(copies[0])["cells"]] == ["injected-parameters", "setup"]


def test_compare_fails_the_command_when_a_cell_moved_and_can_compare_the_working_tree(tmp_path, monkeypatch, capsys):
    from vadcore import cli, compare

    def rerun(numbers, *args, compare=False, against="HEAD", **kwargs):
        reproduce.last_comparison["00_data_and_protocol"] = ["table2.csv: frame difference / micro AUC %: 75.7 committed, 72.7 now"]
        return [tmp_path / "00_data_and_protocol"]

    monkeypatch.setattr(reproduce, "reproduce", rerun)
    assert cli.main(["reproduce", "00", "--compare"]) == 1
    assert "1 cell(s) moved" in capsys.readouterr().err
    monkeypatch.setattr(reproduce, "reproduce", lambda *a, **k: reproduce.last_comparison.clear() or [])
    assert cli.main(["reproduce", "00", "--compare"]) == 0

    def first_run(numbers, *args, **kwargs):  # a results folder with no table before the run: nothing compared
        reproduce.last_comparison["00_data_and_protocol"] = None
        return [tmp_path / "00_data_and_protocol"]

    monkeypatch.setattr(reproduce, "reproduce", first_run)
    assert cli.main(["reproduce", "00", "--compare"]) == 1
    assert "nothing to compare with for 00_data_and_protocol" in capsys.readouterr().err
    # the working tree: the tables as they are, not as committed
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "table1.csv").write_text("a,b\nx,1\n")
    subprocess.run(["git", "-C", str(tmp_path), "add", "."], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "t"], check=True)
    (tmp_path / "table1.csv").write_text("a,b\nx,2\n")
    assert compare.snapshot(tmp_path) == {"table1.csv": "a,b\nx,1\n"}
    assert compare.snapshot(tmp_path, against="worktree") == {"table1.csv": "a,b\nx,2\n"}
