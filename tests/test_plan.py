"""Runs as data: `vadcore plan` lists exactly the runs a notebook uses, `vadcore train` trains them
(in local processes or submitit jobs) so that `reproduce` trains nothing, concurrent trainers train
each run once, a killed job resumes to the same result, and `--compare` tells what moved."""
import ast
import csv
import dataclasses
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from vadcore import compare, paths, plan, reproduce
from vadcore.methods import cached_run, prediction
from vadcore.methods.study import run_all
from vadcore.notebook import start

TINY = prediction.Config(size=(32, 48), width=4, depth=2, discriminator=(4, 8, 8), iterations=1)  # a run of a second


def test_plan_lists_a_notebooks_runs_and_what_is_cached():
    planned, complete = plan.plan(["01"], "smoke")
    assert complete == {"01": True}
    assert [(p.label[0], p.cached) for p in planned] == [("ConvLSTM-AE (tutorial)", False), ("Conv-AE (Hasan et al.)", False)]
    assert planned[0].differs == {} and planned[0].config.seed == 0 and len(planned[0].key) == 12
    assert "2 runs listed (2 distinct), 2 to train" in plan.to_markdown(planned, complete)


def test_a_plan_stops_where_a_validation_search_decides_what_follows():
    planned, complete = plan.plan(["02"], "smoke")
    assert complete == {"02": False}
    assert {p.label[0] for p in planned} == {"validation"} and {p.stage for p in planned} == {0}


def test_a_notebook_asking_for_an_unplanned_run_is_stopped(tmp_path, monkeypatch):
    monkeypatch.setenv("VADCORE_RESULTS", str(tmp_path / "results"))
    lab = start("smoke", notebook="01")
    data = lab.data_for(TINY)
    lab.study(run_all({("only",): TINY}))
    other = dataclasses.replace(TINY, iterations=2)
    with pytest.raises(ValueError, match="not in this notebook's study"):
        cached_run(other, data, lab.cache)


def test_submitit_jobs_train_a_notebooks_runs_and_reproduce_then_trains_nothing(tmp_path, monkeypatch, small_synthped):
    monkeypatch.setenv("VADCORE_RESULTS", str(tmp_path / "results"))
    short = {"iterations": 2, "data_root": small_synthped}  # notebook 01's two runs, two steps each
    trained = plan.train(["01"], "smoke", short, executor="submitit-local", log=lambda line: None)
    assert len(trained) == 2 and len(set(trained)) == 2
    assert all(p.cached for p in plan.plan(["01"], "smoke", short)[0])
    reproduce.reproduce(["01"], "smoke", parameters=short, script=True)
    provenance = json.loads((tmp_path / "results" / "smoke" / "01_convlstm_autoencoder" / "provenance.json").read_text())
    assert provenance["runs"]["runs_computed"] == 0 and provenance["runs"]["runs_reused"] == 2
    assert plan.train(["01"], "smoke", short, log=lambda line: None) == []  # nothing left to train


def test_two_concurrent_trainers_train_each_run_once(tmp_path, small_synthped):
    """Two trainers started together reach notebook 01's first run within a second of each other,
    while training it takes seconds: one trains it, the other waits for it (and so on for the
    second run), and each run is trained once."""
    env = {**os.environ, "VADCORE_RUNS": str(tmp_path / "runs")}  # a run cache of their own
    command = [sys.executable, "-m", "vadcore.cli", "train", "01", "--profile", "smoke", "-p", "iterations=30",
               "-p", f"data_root={small_synthped!r}"]
    trainers = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(2)]
    outputs = [trainer.communicate(timeout=600) for trainer in trainers]
    assert all(t.returncode == 0 for t in trainers), [err[-500:] for _, err in outputs]
    assert any("waiting for another process training run" in err for _, err in outputs)  # they met on a run
    counts = [int(out.split("trained ")[1].split(" ")[0]) for out, _ in outputs]
    assert sum(counts) == 2  # two runs in the plan, each trained by one of the two
    assert len(list((tmp_path / "runs").glob("*/metrics.json"))) == 2


def test_a_job_killed_with_sigkill_resumes_to_the_same_result(tmp_path):
    script = textwrap.dedent(f"""
        import os
        import sys
        from vadcore.data import SynthPedConfig, load_dataset
        from vadcore.methods import cached_run, prediction
        from vadcore.runs import RunCache
        small = SynthPedConfig(seed=7, height=32, width=48, n_train=3, n_test=2, train_frames=24, test_frames=40)
        data = load_dataset("synthped", {str(tmp_path / 'synthped')!r}, synth=small, size=(32, 48))
        config = prediction.Config(size=(32, 48), width=4, depth=2, discriminator=(4, 8, 8), iterations=60)
        for cache in sys.argv[1:]:  # after the resumed run, the straight one: each run seeds itself
            print(repr(cached_run(config, data, RunCache(cache)).scores["psnr"][0].tolist()))
            os.environ.pop("VADCORE_CHECKPOINT_SECONDS", None)  # the straight one checkpoints as a job does by default
    """)
    env = {**os.environ, "VADCORE_CHECKPOINT_SECONDS": "0"}  # a checkpoint after every step
    killed = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "killed")], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    checkpoints = tmp_path / "killed"
    deadline = time.time() + 120
    while time.time() < deadline and not list(checkpoints.glob("*/checkpoint.pt")):
        time.sleep(0.1)
    time.sleep(0.5)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    step = __import__("torch").load(next(checkpoints.glob("*/checkpoint.pt")), weights_only=False)["step"]
    assert 0 < step < 60
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "killed"), str(tmp_path / "straight")],
                          env=env, capture_output=True, text=True, check=True)
    resumed, straight = done.stdout.splitlines()
    assert resumed == straight and len(ast.literal_eval(resumed)) == 40 - 4  # the test clip's scores, frames 5…


def test_compare_flags_a_planted_change_and_passes_an_unchanged_rerun(tmp_path, monkeypatch):
    """`--compare` against notebook 00's committed tables (the checkout's results/, so the rerun also
    checks that they still come back) with one cell planted 3 points away from what the code gives:
    that cell alone is flagged."""
    monkeypatch.setenv("VADCORE_RESULTS", str(tmp_path / "results"))
    committed = sorted((paths.project_dir() / "results" / "smoke" / "00_data_and_protocol").glob("table*.csv"))
    assert [p.name for p in committed] == ["table1_datasets.csv", "table2_trivial_baselines.csv"]  # what the rerun compares
    folder = tmp_path / "results" / "smoke" / "00_data_and_protocol"
    folder.mkdir(parents=True)
    for path in committed:
        shutil.copy(path, folder)
    table = folder / "table2_trivial_baselines.csv"
    lines = table.read_text().splitlines()
    row = lines.index(next(line for line in lines if line.startswith("frame difference,micro AUC %")))
    cells = lines[row].split(",")
    cells[2] = str(float(cells[2]) + 3.0)  # a committed value 3 points away from what the code gives
    lines[row] = ",".join(cells)
    table.write_text("\n".join(lines) + "\n")
    reproduce.reproduce(["00"], "smoke", script=True, compare=True)  # every other cell of every table unchanged
    [move] = reproduce.last_comparison["00_data_and_protocol"]
    assert move.startswith("table2_trivial_baselines.csv: frame difference / micro AUC %") and "Δ -3" in move


def test_compare_into_a_folder_without_tables_says_it_compared_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("VADCORE_RESULTS", str(tmp_path / "results"))
    monkeypatch.setattr(reproduce, "_run_script",  # the notebook's tables, without running it
                        lambda path, folder, params, root: (folder / "table1_datasets.csv").write_text("row,a\nr,1\n"))
    reproduce.reproduce(["00"], "smoke", script=True, compare=True)
    assert reproduce.last_comparison == {"00_data_and_protocol": None}  # a new results folder: nothing to compare with
    assert (tmp_path / "results" / "smoke" / "00_data_and_protocol" / "table1_datasets.csv").is_file()
    reproduce.reproduce(["00"], "smoke", script=True, compare=True)  # the rerun: that table, unchanged
    assert reproduce.last_comparison == {"00_data_and_protocol": []}


def test_tolerance_is_twice_the_committed_spread_or_the_floor():
    committed = compare.cells("row,column,paper,ours_mean,ours_std,n_seeds,difference,source\n"
                              "AnoPred,ucsd_ped2,95.4,88.5,0.4,3,,ours\nADL,ucsd_ped2,96.0,87.9,1.5,3,,ours\n")
    rerun = compare.cells("row,column,paper,ours_mean,ours_std,n_seeds,difference,source\n"
                          "AnoPred,ucsd_ped2,95.4,89.7,0.4,3,,ours\nADL,ucsd_ped2,96.0,90.6,1.5,3,,ours\n")
    moves = compare.moved(committed, rerun)
    assert len(moves) == 1 and moves[0].startswith("AnoPred / ucsd_ped2")  # 1.2 > max(0.8, 1.0); 2.7 < 3.0
    assert compare.cells("method,one\nTRX,20.4 ± 3.2\n") == {("TRX", "one"): (20.4, 3.2)}
    assert compare.moved({("a", "b"): (50.0, None)}, {("a", "b"): (50.9, None)}) == []  # within the floor
    assert compare.moved({("gap", "ΔS"): (0.342, None)}, {("gap", "ΔS"): (0.37, None)})  # 5 % of a small value
    assert not compare.moved({("gap", "ΔS"): (0.342, None)}, {("gap", "ΔS"): (0.355, None)})
    # a timing column moves with the machine's load: not compared, where the table's numbers are
    timings = {("ADL / learned / training min", "mean"): (0.07, None), ("ADL / learned / micro AUC %", "mean"): (64.3, None)}
    assert compare.moved(timings, {("ADL / learned / training min", "mean"): (0.02, None),
                                   ("ADL / learned / micro AUC %", "mean"): (66.0, None)}) == \
        ["ADL / learned / micro AUC % / mean: 64.3 committed, 66 now (Δ +1.7; tolerance ± 1)"]


def test_gpu_runs_can_be_planned_without_a_gpu_and_slurm_jobs_must_say_their_device():
    planned, _ = plan.plan(["01"], "smoke", {"device": "cuda"})
    assert {p.config.device for p in planned} == {"cuda"}
    with pytest.raises(ValueError, match="say which device the Slurm jobs train on"):
        plan.train(["01"], "smoke", executor="slurm")


def test_a_study_run_again_with_other_parameters_declares_its_runs_anew(tmp_path, monkeypatch):
    """A study cell run again with another schedule (a student's edit) trains the new runs: the
    notebook's study is declared anew, not kept from the first run."""
    monkeypatch.setenv("VADCORE_RESULTS", str(tmp_path / "results"))
    lab = start("smoke", notebook="01")
    first = lab.study(run_all({("only",): TINY}))
    second = lab.study(run_all({("only",): dataclasses.replace(TINY, iterations=2)}))
    assert [c.iterations for c in first.configs.values()] == [1] and [c.iterations for c in second.configs.values()] == [2]
    assert second.results[("only",)].scores["psnr"][0].tolist() != first.results[("only",)].scores["psnr"][0].tolist()


COMMITTED_TABLES = {"cpu": 36, "smoke": 36}  # results/<profile>/<notebook>/table*.csv in the checkout


def numbers_in(text: str) -> int:
    """How many cells ``compare.cells`` must read off a table's CSV: one per row with a mean in the
    ``ours_mean`` and ``mean`` layouts, else every number-like cell."""
    rows = list(csv.DictReader(io.StringIO(text)))
    fields = set(rows[0]) if rows else set()
    for layout, value in (({"ours_mean", "ours_std", "n_seeds"}, "ours_mean"), ({"mean", "std", "n_seeds"}, "mean")):
        if layout <= fields:
            return sum(bool(row[value]) for row in rows)
    return sum(bool(compare.NUMBER.fullmatch(cell or "")) for row in rows for cell in row.values())


def test_every_committed_table_parses_into_distinct_cells():
    text = "model,term,share\nG,intensity,0.5\nG,flow,0.4\n"
    assert compare.cells(text) == {("G / intensity", "share"): (0.5, None), ("G / flow", "share"): (0.4, None)}
    assert compare.cells("clips,frame size\n12,160×240\n") == {("160×240", "clips"): (12.0, None)}
    # every table --compare reads: no two cells under one key (one would hide the other's move)
    results = Path(__file__).resolve().parents[1] / "results"
    tables = sorted(results.glob("*/*/table*.csv"))
    assert {p: sum(t.parts[-3] == p for t in tables) for p in COMMITTED_TABLES} == COMMITTED_TABLES
    assert len(tables) == sum(COMMITTED_TABLES.values())
    read = 0
    for table in tables:
        text = table.read_text()
        assert len(compare.cells(text)) == numbers_in(text), table.relative_to(results)
        read += numbers_in(text)
    assert read > 1000  # (a table of values quoted from a paper has none of its own)
