"""The prepared run for a borrowed GPU, rehearsed on the CPU at `smoke` sizes: it regenerates the
notebooks it is given within its budget, stops those the budget cannot hold, and packs results,
bench and log into one archive whose finished runs a later slot reuses."""
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

from vadcore import gpu_slot
from vadcore.runs import RunCache, RunResult

SCRIPT = Path(__file__).resolve().parents[1] / "tools" / "gpu-run.sh"


def slot(tmp_path, *args):
    env = {**os.environ, "PYTHON": sys.executable}
    return subprocess.run([str(SCRIPT), "--profile", "smoke", "--device", "cpu", "--out", str(tmp_path / "out"),
                           "--work", str(tmp_path / "work"), *args], env=env, capture_output=True, text=True)


def test_the_script_regenerates_a_notebook_and_packs_one_archive(tmp_path):
    done = slot(tmp_path, "--notebooks", "00", "--budget", "4", "--bench-steps", "1")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    with tarfile.open(tmp_path / "out" / gpu_slot.ARCHIVE) as tar:
        names = set(tar.getnames())
        log = tar.extractfile("slot.log").read().decode()
        provenance = json.load(tar.extractfile("results/smoke/00_data_and_protocol/provenance.json"))
    assert {"results/bench.md", "results/smoke/00_data_and_protocol/table2_trivial_baselines.md",
            "results/smoke/00_data_and_protocol/run.log"} <= names
    assert "notebook 00: finished" in log and "bench: 5 rows" in log and provenance["device_kind"] == "cpu"
    assert (tmp_path / "out" / gpu_slot.ARCHIVE).stat().st_size < 16 * 2**20  # what the device tool brings back


def test_a_notebook_the_budget_cannot_hold_is_not_started(tmp_path):
    done = slot(tmp_path, "--notebooks", "00", "--budget", "1", "--no-bench")  # 60 s minus the archive's reserve
    assert done.returncode == 1 and "notebook 00: not started" in done.stdout


def test_finished_runs_travel_to_the_next_slot_without_their_weights(tmp_path):
    runs = tmp_path / "runs"
    cache = RunCache(runs)
    config = {"name": "a run"}

    def compute(run):
        run.save_checkpoint({"state": {"model": {"w": 1}}, "step": 1})
        return RunResult(metrics={"micro_auc": 0.9}, timings={"train_s": 3.0})

    cache.get_or_compute(config, compute)
    unfinished = cache.run({"name": "interrupted"})
    unfinished.start()
    archive = gpu_slot.write_archive(gpu_slot.Slot(60, tmp_path), tmp_path / "out", "gpu", tmp_path / "results", runs)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    key = cache.run(config).key
    assert f"runs/{key}/metrics.json" in names and f"runs/{key}/scores.npz" in names
    assert not any("checkpoint" in n or unfinished.key in n for n in names)
    assert gpu_slot.seed_runs(archive, tmp_path / "next") == 1
    assert RunCache(tmp_path / "next").get_or_compute(config, lambda run: 1 / 0).metrics == {"micro_auc": 0.9}


def test_the_self_check_runs_its_three_families_and_agrees_where_nothing_differs():
    """On the CPU the engine's GPU speed-ups are off, so both trainings are the same: the check's
    own code (data, three families, the comparisons) runs before any GPU slot depends on it."""
    import torch

    assert gpu_slot.self_check(torch.device("cpu"), steps=6) is None


def test_the_self_check_tells_a_replay_that_trains_differently():
    import torch

    start, eager = torch.zeros(4), torch.ones(4)
    curves = {"loss": [1.0, 0.8, 0.6]}
    assert gpu_slot.disagreement(curves, dict(curves), start, eager, eager + 1e-3) is None
    assert "loss" in gpu_slot.disagreement(curves, {"loss": [1.0, 0.8, 0.7]}, start, eager, eager)
    assert "apart" in gpu_slot.disagreement(curves, dict(curves), start, eager, eager * 1.1)  # an update lost
    assert gpu_slot.disagreement(curves, dict(curves), start, eager, eager, notes=["capture failed"]) == "capture failed"
