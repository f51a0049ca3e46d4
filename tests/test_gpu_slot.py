"""The prepared run for a borrowed GPU, rehearsed on the CPU at `smoke`: units in value order, every
finished run and rendered unit returned as it is made (a slot stopped at any moment after its first
finished run returns it), a later slot continuing from the records, a CPU rendering the notebook
from them without training, versions checked first, each speed-up judged against the spread of
two eager runs."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from vadcore import plan
from vadcore.methods.base import Trained
from vadcore.runs import RunCache, RunResult
from vadcore.slot import archive, checks, run, units

SCRIPT = Path(__file__).resolve().parents[1] / "tools" / "gpu-run.sh"
TABLE_I = "results/smoke/02_attention_driven_loss/table1_state_of_the_art.md"


@pytest.fixture(scope="module")
def data_cache():
    """The session's data folder: synthped and its frame caches, generated once, and the notebooks'
    run cache (nbval runs first), whose runs have the keys a slot's runs of the same data have."""
    return Path(os.environ["VADCORE_DATA"])


def slot_command(tmp_path, out: str, data: Path, *args) -> list[str]:
    return [str(SCRIPT), "--profile", "smoke", "--device", "cpu", "--out", str(tmp_path / out),
            "--work", str(tmp_path / f"work-{out}"), "--data-cache", str(data), "--no-bench", *args]


def members(path: Path) -> set[str]:
    with tarfile.open(path) as tar:
        return set(tar.getnames())


def returned_runs(out: Path) -> set[str]:
    return {name.split("/")[1] for part in out.glob("runs-*.tar.gz") for name in members(part)
            if name.endswith("/metrics.json")}


def searched_trials(cache: Path, out: Path) -> Path | None:
    """The finished trials of notebook 02's validation search at ``smoke`` in the run cache
    ``cache``, copied to ``out`` (``None`` where it holds none)."""
    planned, _ = plan.plan(["02"], "smoke", {"device": "cpu"}, RunCache(cache))
    trials = {p.key for p in planned if p.label[0] == "validation" and p.cached}  # a trial two stages share, once
    for key in trials:
        shutil.copytree(cache / key, out / key)
    return out if trials else None


@pytest.fixture(scope="module")
def first_slot(tmp_path_factory, data_cache):
    """A slot of notebook 02 stopped with SIGTERM mid-study: as it logs the start of unit Tables II–V
    (Table I's units done: seed 0's trained and rendered, the other seeds' — none at smoke — left to
    the last unit), the moment it starts that unit's child, which the stop must not leave running.
    It continues a validation search an earlier slot returned: the trials of Table I's search that
    the session's notebook run cache holds (nbval runs notebook 02 first) are its records, and it
    trains Table I's own rows (without them, the whole unit)."""
    tmp_path = tmp_path_factory.mktemp("slot")
    search = searched_trials(data_cache / "runs", tmp_path / "search")
    env = {**os.environ, "PYTHON": sys.executable, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "2")}
    slot = subprocess.Popen(slot_command(tmp_path, "one", data_cache, "--notebooks", "02", "--budget", "20",
                                         *(["--runs", str(search)] if search else [])), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in slot.stdout:  # the slot's log as it is written; it ends by itself within its budget
        lines.append(line)
        if any(f"unit 02 Tables II–V: {word}" in line for word in ("start", "not started")):  # the test fails on the latter
            break
    slot.send_signal(signal.SIGTERM)
    try:
        rest, _ = slot.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        slot.kill()
        rest, _ = slot.communicate()
    return tmp_path, tmp_path / "one", slot.returncode, "".join(lines) + rest


def left_running(work: Path, wait_s: float = 15.0) -> list[int]:
    """Processes whose environment names ``work`` (what a slot's children inherit), after waiting
    up to ``wait_s`` for those a kill has reached to end."""
    deadline = time.time() + wait_s
    while True:
        found = []
        for environ in Path("/proc").glob("[0-9]*/environ"):
            try:
                if str(work).encode() in environ.read_bytes():
                    found.append(int(environ.parent.name))
            except OSError:
                continue
        if not found or time.time() > deadline:
            return found
        time.sleep(0.5)


def test_a_slot_stopped_mid_study_returns_table_i_and_every_finished_run(first_slot):
    tmp_path, out, code, log = first_slot
    assert code == 1 and "stopped by SIGTERM" in log, log[-3000:]
    assert left_running(tmp_path / "work-one") == []  # the unit's child it was starting, and all it started, killed
    assert {TABLE_I, TABLE_I.replace(".md", ".csv")} <= members(out / "results.tar.gz")
    finished = {p.parent.name for p in (tmp_path / "work-one" / "runs").glob("*/metrics.json")}
    assert len(finished) >= 5 and returned_runs(out) == finished  # the search's trials and Table I's runs
    imported = {p.name for p in (tmp_path / "search").glob("*")}  # the search's trials, where nbval ran notebook 02 first
    assert imported <= finished and len(finished - imported) >= 1  # Table I's rows beyond the search, trained here
    assert not imported or f"imported {len(imported)} run records" in log  # every trial copied, and only those
    every = list(out.iterdir())
    assert len(every) <= archive.MAX_FILES and all(f.stat().st_size < 16 * 2**20 for f in every)
    text = (out / "slot.log").read_text()
    assert "unit 02 Table I, seed 0: rendered" in text and "unit 02 Tables II–V: start" in text
    assert "finished runs returned" in text


def test_the_next_slot_continues_from_the_records_and_a_cpu_renders_them_without_training(first_slot, data_cache,
                                                                                          tmp_path):
    first_path, first_out, _, _ = first_slot
    # the first slot's records, and any earlier ones: the session's notebook run cache (nbval trained notebook 02 there
    # when it ran first; without it, this slot trains the rest of notebook 02 itself)
    records = [*sorted(first_out.glob("runs-*.tar.gz")), *[f for f in [data_cache / "runs"] if f.is_dir()]]
    done = subprocess.run(slot_command(tmp_path, "two", data_cache, "--notebooks", "02", "--budget", "20", "--runs",
                                       *map(str, records)),
                          env={**os.environ, "PYTHON": sys.executable}, capture_output=True, text=True, timeout=1500)
    log = (tmp_path / "two" / "slot.log").read_text()
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "imported " in log and "0 stale records" in log
    imported = int(log.split("imported ")[1].split()[0])
    assert imported >= len(returned_runs(first_out))
    assert "units finished: 02 Table I, seed 0, 02 Table I, 02 Tables II–V (3 of 3)" in log
    assert "results/smoke/02_attention_driven_loss/table5_background_weight.md" in members(tmp_path / "two" / "results.tar.gz")
    # back home: the records alone render notebook 02 (no run trained)
    env = {**os.environ, "VADCORE_DATA": str(data_cache), "VADCORE_RUNS": str(tmp_path / "home-runs"),
           "VADCORE_RESULTS": str(tmp_path / "home-results")}
    rendered = subprocess.run([sys.executable, "-m", "vadcore.cli", "reproduce", "02", "--profile", "smoke", "--script",
                               "--records", *map(str, sorted((tmp_path / "two").glob("runs-*.tar.gz")))],
                              env=env, capture_output=True, text=True, timeout=900)
    assert rendered.returncode == 0, rendered.stderr[-3000:]
    provenance = json.loads((tmp_path / "home-results/smoke/02_attention_driven_loss/provenance.json").read_text())
    assert provenance["runs"]["runs_computed"] == 0 and provenance["runs"]["runs_reused"] >= 16


def test_records_only_rendering_names_each_missing_run_and_its_unit(first_slot, data_cache, tmp_path):
    """-p device=cuda where there is no GPU reads runs only: the smoke records are CPU runs, so every
    cuda run is missing, each named with the slot unit that trains it, before a kernel starts."""
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU: device=cuda trains")
    _, first_out, _, _ = first_slot
    env = {**os.environ, "VADCORE_DATA": str(data_cache), "VADCORE_RUNS": str(tmp_path / "runs"),
           "VADCORE_RESULTS": str(tmp_path / "results")}
    done = subprocess.run([sys.executable, "-m", "vadcore.cli", "reproduce", "02", "--profile", "smoke", "-p", "device='cuda'",
                           "-p", "tables=['I']", "--records", *map(str, sorted(first_out.glob("runs-*.tar.gz")))],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "not in the run cache" in done.stderr and "unit 02 Table I, seed 0" in done.stderr
    assert "full / AnoPred / 0 (run" in done.stderr and "after a validation search not in the records" in done.stderr
    assert not (tmp_path / "results" / "smoke" / "02_attention_driven_loss").exists()


def test_a_stop_while_a_child_starts_waits_until_the_slot_holds_it():
    stops = run.Stops()
    with pytest.raises(run.Stopped, match="SIGINT"):
        stops.handler(signal.SIGINT, None)
    reached = []
    with pytest.raises(run.Stopped, match="SIGTERM"):
        with stops.deferred():
            stops.handler(signal.SIGTERM, None)  # kept: the child is being started
            reached.append("held the child")
    assert reached == ["held the child"] and not stops.starting and stops.pending is None
    with stops.deferred():  # no stop: nothing raised on leaving
        pass


def test_a_stop_just_after_popen_kills_the_child_it_started(tmp_path, monkeypatch):
    """A SIGTERM that lands as ``Popen`` returns, before the slot holds the child: the slot still
    holds it when the stop is raised, and stopping kills it (raised inside, it ran on, unkilled)."""
    started = []

    def popen_then_stop(*args, **kwargs):
        child = real_popen(*args, **kwargs)
        started.append(child)
        run.STOPS.handler(signal.SIGTERM, None)  # the signal, as the handler gets it
        return child

    real_popen = subprocess.Popen
    monkeypatch.setattr(run.subprocess, "Popen", popen_then_stop)
    slot = run.Slot(run.parse(["--out", str(tmp_path / "out"), "--work", str(tmp_path / "work")]))
    with pytest.raises(run.Stopped, match="SIGTERM"):
        slot.child_run(["sleep", "60"], tmp_path / "child.log", 120)
    [child] = started
    assert child.poll() is not None  # killed by child_run's own stop, not left for main's


def test_a_line_the_slot_printed_is_in_its_returned_log(tmp_path, monkeypatch):
    """Whoever reads the slot's output may stop it at a line (the stopped-slot fixture does): a stop
    landing while that line is printed must not leave it out of the returned ``slot.log``."""
    def stopped(*args, **kwargs):
        raise run.Stopped("SIGTERM")

    slot = run.Slot(run.parse(["--out", str(tmp_path / "out"), "--work", str(tmp_path / "work")]))
    monkeypatch.setattr(run, "print", stopped, raising=False)
    with pytest.raises(run.Stopped):
        slot.log("unit 02 Tables II–V: start")
    assert slot.log_lines[-1].endswith("unit 02 Tables II–V: start")


def test_a_unit_starts_only_when_its_estimate_fits(tmp_path, monkeypatch):
    """The first unit always starts; a later one only if its runs at the recorded speed, plus the
    rendering, fit what is left — with a clock, not a race."""
    config = units.UnitRun(("full", "AnoPred", 0), None, "k", False, 2.0, False)
    monkeypatch.setattr(run, "unit_runs", lambda *a, **k: [config])
    monkeypatch.setattr(run.Slot, "child_run", lambda self, *a, **k: 0)
    args = run.parse(["--out", str(tmp_path / "out"), "--work", str(tmp_path / "work"), "--budget", "3"])
    slot = run.Slot(args)
    slot.started = time.time() - 60  # 3 min − 60 s gone − the reserve: 100 s left; the unit needs 2 min + 60 s
    unit = units.UNITS[1]
    assert run.run_unit(slot, unit, RunCache(tmp_path / "runs"), first=False) is False
    assert "not started — ≈ 3.0 min needed" in slot.log_lines[-1]
    assert run.run_unit(slot, unit, RunCache(tmp_path / "runs"), first=True) is True
    slot.started = time.time() - 150  # 10 s left: not even the first
    assert run.run_unit(slot, units.UNITS[0], RunCache(tmp_path / "runs"), first=True) is False


def test_a_child_past_its_time_limit_is_killed_with_its_process_group(tmp_path):
    args = run.parse(["--out", str(tmp_path / "out"), "--work", str(tmp_path / "work")])
    slot = run.Slot(args)
    tick = time.time()
    # a grandchild in its own session, as vadcore reproduce starts a notebook's script
    code = slot.child_run(["bash", "-c", "sleep 61.0417 & setsid sleep 62.0417 & sleep 60.0417"], tmp_path / "child.log",
                          timeout=1)
    assert code is None and time.time() - tick < 20
    time.sleep(0.5)
    for name in ("sleep 60.0417", "sleep 61.0417", "sleep 62.0417"):  # durations no other process has
        assert subprocess.run(["pgrep", "-f", name], capture_output=True).returncode == 1, name  # every descendant


def test_a_self_check_that_times_out_switches_both_speed_ups_off(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "SELF_CHECK_S", 0.5)
    for name in ("VADCORE_CUDA_GRAPHS", "VADCORE_COMPILE"):
        monkeypatch.setenv(name, "1")  # restored (unset) after the test
    slot = run.Slot(run.parse(["--out", str(tmp_path / "out"), "--work", str(tmp_path / "work")]))
    run.checked_speed_ups(slot, torch.device("cpu"))  # the child cannot train 3 families in half a second
    assert "self-check did not finish (timed out)" in slot.log_lines[-1]
    assert os.environ["VADCORE_CUDA_GRAPHS"] == "0" and os.environ["VADCORE_COMPILE"] == "0"


def test_each_speed_up_is_judged_alone_against_the_noise_floor():
    found = {"cuda_graphs": {"worst": 0.05, "noise": 0.02, "notes": []},  # within 3 × the eager spread: kept
             "compile": {"worst": 0.05, "noise": 0.001, "notes": []}}  # 0.05 > max(2 %, 3 × 0.1 %): off
    for entry in found.values():
        entry["ok"] = entry["worst"] <= max(checks.TOLERANCE, checks.NOISE_FACTOR * entry["noise"])
    lines, switched = checks.verdict_lines(found)
    assert switched == {"VADCORE_COMPILE": "0"}
    assert "differs from eager by 0.05 (two eager runs: 0.02; limit 0.06) — kept" in lines[0]
    assert "limit 0.02) — switched off" in lines[1]


def test_the_difference_of_two_trainings_reads_curves_and_weights():
    def trained(curve, weight):
        model = torch.nn.Linear(1, 1, bias=False)
        model.weight.data.fill_(weight)
        return Trained(model, {"loss": np.array(curve)}, 0.0)

    start = torch.zeros(1)
    eager = trained([1.0, 0.5], 2.0)
    assert checks.difference(eager, trained([1.0, 0.5], 2.0), start) == 0
    assert checks.difference(eager, trained([1.0, 0.55], 2.0), start) == pytest.approx(0.1)  # |0.55 − 0.5| / 0.5
    assert checks.difference(eager, trained([1.0, 0.5], 2.2), start) == pytest.approx(0.1)  # 0.2 apart of 2.0 moved
    assert checks.difference(eager, trained([1.0], 2.0), start) == float("inf")


def test_the_self_check_runs_its_three_families_and_agrees_where_nothing_differs():
    """On the CPU the engine's GPU speed-ups are off, so every training is the same: the check's
    own code (data, three families, noise floor, both speed-ups) runs before a GPU slot needs it."""
    found = checks.self_check(torch.device("cpu"), steps=2)  # a decay, pretraining and k-means after the first step
    assert set(found) == {"cuda_graphs", "compile"}
    assert all(entry["ok"] and entry["worst"] == 0 and entry["noise"] == 0 for entry in found.values())


def test_versions_that_cannot_run_the_code_stop_the_slot_at_once(tmp_path, monkeypatch):
    monkeypatch.setitem(checks.NEEDS, "skimage", ("99.0", "Otsu, SLIC, small-object removal"))
    monkeypatch.setitem(checks.NEEDS, "not_a_package_here", (None, "something"))
    lines, problems = checks.versions()
    assert any(line.startswith("torch ") for line in lines) and any(line.startswith("skimage ") for line in lines)
    assert problems == [next(p for p in problems if p.startswith("skimage ")), "not_a_package_here is not installed (something)"]
    assert "is older than 99.0" in problems[0]
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    tick = time.time()
    assert run.main(["--out", str(tmp_path / "out"), "--work", str(tmp_path / "work"), "--device", "cpu"]) == 2
    assert time.time() - tick < 30 and {sig: signal.getsignal(sig) for sig in handlers} == handlers
    assert "cannot run here: skimage" in (tmp_path / "out" / "slot.log").read_text()


def test_records_travel_in_parts_within_the_limits_without_weights(tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "PART_BYTES", 150_000)
    cache = RunCache(tmp_path / "runs")
    for index in range(5):
        def compute(run, index=index):
            run.save_checkpoint({"state": {"model": {"w": 1}}, "step": 1})
            run.keep_reading("r", np.zeros(10))
            rng = np.random.default_rng(index)
            return RunResult(scores={"s": [rng.random(12_000)]}, metrics={"micro_auc": 0.9}, timings={"train_s": 1.0})

        cache.get_or_compute({"run": index}, compute)
    unfinished = cache.run({"run": "interrupted"})
    unfinished.start()
    files = archive.Archive(tmp_path / "out", tmp_path / "results", cache.root, "gpu", ["a line"]).write()
    parts = sorted((tmp_path / "out").glob("runs-*.tar.gz"))
    assert len(parts) >= 2 and all(p.stat().st_size <= 150_000 + 2**16 for p in parts) and len(files) == 2 + len(parts)
    names = set().union(*(members(p) for p in parts))
    assert not any("checkpoint" in n or unfinished.key in n for n in names)
    assert sum(n.endswith("/readings/r.pkl") for n in names) == 5
    for part in parts:  # a run's files stay in one part
        keys = {n.split("/")[1] for n in members(part)}
        assert all(f"runs/{k}/metrics.json" in members(part) for k in keys)
    assert sorted(archive.import_records(parts, tmp_path / "next")) == sorted(p.name for p in archive.finished_runs(cache.root))
    found, value = RunCache(tmp_path / "next").run({"run": 0}).reading("r")
    assert found and value.shape == (10,)
    assert RunCache(tmp_path / "next", read_only=True).get_or_compute({"run": 3}, lambda run: 1 / 0).metrics == {"micro_auc": 0.9}


def test_a_slot_stopped_after_its_first_run_returns_that_run(data_cache, tmp_path, small_synthped):
    """On the small synthped copy (``--data``): what is returned, not what the run scores."""
    slot = subprocess.Popen(slot_command(tmp_path, "early", data_cache, "--notebooks", "02", "--budget", "20",
                                         "--data", small_synthped),
                            env={**os.environ, "PYTHON": sys.executable}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    runs = tmp_path / "work-early" / "runs"
    deadline = time.time() + 600
    while time.time() < deadline and not list(runs.glob("*/metrics.json")):
        time.sleep(0.5)
    slot.send_signal(signal.SIGTERM)  # at once: the watcher may not have seen the run yet
    log, _ = slot.communicate(timeout=120)
    finished = {p.parent.name for p in runs.glob("*/metrics.json")}
    assert slot.returncode == 1 and len(finished) >= 1, log[-2000:]
    assert returned_runs(tmp_path / "early") == finished


def test_the_prepared_slot_names_its_call_budget_and_units(first_slot, data_cache, tmp_path, monkeypatch):
    from vadcore.slot import prepare

    assert (prepare.budget(15), prepare.budget(8), prepare.budget(4)) == (9.5, 3.5, 0.0)
    _, first_out, _, _ = first_slot
    records = tmp_path / "records"
    returned = archive.import_records(sorted(first_out.glob("runs-*.tar.gz")), records)
    monkeypatch.setenv("VADCORE_DATA", str(data_cache))
    text = prepare.prepared(8, data_cache / "synthped", records, ["02"], profile="smoke", device="cpu")
    assert f"tools/gpu-run.sh --budget 3.5 --notebooks 02 --data {data_cache / 'synthped'} --runs {records}" in text
    rows = {line.split("|")[1].strip(): [cell.strip() for cell in line.split("|")[3:7]]
            for line in text.splitlines() if line.startswith("| 02 ")}
    assert list(rows) == ["02 Table I, seed 0", "02 Table I", "02 Tables II–V"]
    runs, reused, stale, to_train = rows["02 Table I, seed 0"]
    assert int(reused) == len(returned) == int(runs) and (stale, to_train) == ("0", "0")
    assert int(rows["02 Tables II–V"][1]) == len(returned) and int(rows["02 Tables II–V"][3]) > 0
    with pytest.raises(ValueError, match="no pack at"):
        prepare.prepared(8, tmp_path / "nowhere")


def test_keep_slot_puts_the_returned_files_into_results(first_slot, tmp_path):
    _, first_out, _, _ = first_slot
    done = archive.keep(first_out, tmp_path / "results")
    assert (tmp_path / "results" / TABLE_I.removeprefix("results/")).is_file()
    assert len(list((tmp_path / "results" / "smoke" / "runs").glob("*/metrics.json"))) == len(returned_runs(first_out))
    assert len(list((tmp_path / "results" / "smoke" / "slot-logs").glob("*.log"))) == 1
    assert any("run records" in line for line in done)
    with pytest.raises(ValueError, match="no slot.log"):
        archive.keep(tmp_path, tmp_path / "results")
