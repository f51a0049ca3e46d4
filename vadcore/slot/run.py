"""``tools/gpu-run.sh``: a borrowed GPU slot that cannot come back empty.

A slot is one command of at most 10 minutes on a bare GPU machine (PyTorch and the scientific
stack; no network, no Jupyter, no PyAV), of which what it leaves in ``$OUT`` comes back. In order:

1. **versions** (seconds): every package the code needs, printed; a missing or too old one stops
   the slot at once with a message that names it (:mod:`vadcore.slot.checks`);
2. **records** of earlier slots (``--runs``): imported into the run cache; the log says how many
   each unit reuses and how many are stale (their code has changed);
3. **self-check** (a GPU only, in a child process with a time limit): each speed-up judged alone
   against the spread of two eager runs, and switched off alone if it disagrees;
4. **units** in value order (:mod:`vadcore.slot.units`), each started only if its estimate — at
   the speed this slot's finished runs (and earlier slots' records) show — fits what is left (the
   first always starts); each is one ``vadcore reproduce NN --script`` child with
   ``VADCORE_DEADLINE`` set, so training stops cleanly with a checkpoint before the budget ends,
   and a time limit after which it is killed;
5. **bench** after the first unit, capped at :data:`BENCH_S`, merged into ``results/bench.md``.

The returned files (:mod:`vadcore.slot.archive`) are rewritten after every finished run (a
watcher polls the run cache), after every unit, on SIGTERM / SIGINT and at the end; the slot
never ends without them. Back on a machine without a GPU, ``vadcore reproduce NN --profile gpu
-p device=cuda --records OUT/`` renders the executed notebooks from the records alone.
Rehearsed on the CPU at ``smoke`` in the tests (``tests/test_gpu_slot.py``).
"""
from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from vadcore import environment
from vadcore.slot.archive import Archive, finished_runs, import_records
from vadcore.slot.checks import verdict_lines, versions
from vadcore.slot.units import UNITS, Unit, stale_records, unit_runs, units_for

RESERVE_S = 20.0  # kept at the end of the budget for the last archive
MIN_UNIT_S = 45.0  # no unit starts with less left
RENDER_S = 60.0  # a unit's rendering beyond its runs' training (data, tables, figures, readings)
BENCH_S = 60.0
SELF_CHECK_S = 180.0
WATCH_S = 5.0  # how often the watcher looks for newly finished runs


class Stopped(Exception):
    """The slot got SIGTERM or SIGINT."""


class Stops:
    """SIGTERM / SIGINT raise :class:`Stopped` in the main thread — except while a child process is
    being started: raised inside ``subprocess.Popen``, the stop would leave a child that the slot
    never held, and so never killed, training on after the slot has returned; the stop waits until
    the slot holds it."""

    def __init__(self):
        self.starting, self.pending = False, None

    def handler(self, signum, frame) -> None:
        name = signal.Signals(signum).name
        if self.starting:
            self.pending = name
            return
        raise Stopped(name)

    @contextlib.contextmanager
    def deferred(self):
        """Within: a stop is kept, and raised on leaving."""
        self.starting, self.pending = True, None  # none left from a second signal during the last leaving
        try:
            yield
        finally:
            self.starting = False
            pending, self.pending = self.pending, None
            if pending:
                raise Stopped(pending)


STOPS = Stops()


class Slot:
    """One slot: its budget, its log, its returned files."""

    def __init__(self, args: argparse.Namespace):
        self.started, self.args = time.time(), args
        self.work = args.work or Path(environment.get("TMPDIR", "/tmp")) / "vadcore-gpu-slot"
        self.results, self.runs, self.logs = self.work / "results", self.work / "runs", self.work / "logs"
        self.log_lines: list[str] = []
        self.archive = Archive(args.out, self.results, self.runs, args.profile, self.log_lines)
        self.child: subprocess.Popen | None = None
        self.environment = {"VADCORE_DATA": str(args.data_cache or self.work / "data"), "VADCORE_RESULTS": str(self.results),
                            "VADCORE_RUNS": str(self.runs), "VADCORE_PROGRESS": "text", "MPLBACKEND": "Agg",
                            **({"VADCORE_COMMIT": args.commit} if args.commit else {})}  # main() sets them

    @property
    def deadline(self) -> float:
        return self.started + self.args.budget * 60 - RESERVE_S

    def left(self) -> float:
        return self.deadline - time.time()

    def log(self, line: str) -> None:
        stamped = f"[{time.time() - self.started:6.1f} s] {line}"
        self.log_lines.append(stamped)  # first: a line anyone has read is in the returned log, whatever stops the slot
        print(stamped, flush=True)

    def overrides(self) -> dict:
        """The notebook parameters every unit gets: the device, and the data folder."""
        return {"device": self.args.device, **({"data_root": str(self.args.data.resolve())} if self.args.data else {})}

    def child_run(self, command: list[str], log: Path, timeout: float, **env: str) -> int | None:
        """Run ``command`` in its own process group, its output into ``log``; kill the group after
        ``timeout`` seconds (``None`` returned) or when the slot is stopped."""
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "w") as stream:
            try:
                with STOPS.deferred():
                    self.child = subprocess.Popen(command, stdout=stream, stderr=subprocess.STDOUT,
                                                  start_new_session=True, env=environment.for_child(**env))
                return self.child.wait(timeout=max(1.0, timeout))
            except subprocess.TimeoutExpired:
                return None
            finally:
                self.stop_child()

    def stop_child(self) -> None:
        """Stop the running child and everything it started — its process group, and the
        sessions of its own that ``vadcore reproduce`` gives a notebook's kernel or script — before
        any stop that arrives meanwhile is raised."""
        with STOPS.deferred():  # a stop arriving meanwhile waits until the child is gone
            child, self.child = self.child, None
            if child is None or child.poll() is not None:
                return
            for sig in (signal.SIGTERM, signal.SIGKILL):
                for pid in [*descendants(child.pid), child.pid]:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(os.getpgid(pid), sig)
                try:
                    child.wait(timeout=10)
                    return
                except subprocess.TimeoutExpired:
                    continue


def descendants(pid: int) -> list[int]:
    """Every process started, directly or not, by process ``pid`` (read from ``/proc``)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        children = [p for p, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.bench_only:
        return bench_only(args.profile, args.device, args.bench_steps or 2)
    slot = Slot(args)
    handlers = {sig: signal.signal(sig, STOPS.handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    stop_watching = threading.Event()
    watcher = threading.Thread(target=_watch, args=(slot, stop_watching), daemon=True)
    try:
        lines, problems = versions()
        for line in lines:
            slot.log(line)
        if problems:
            slot.log("cannot run here: " + "; ".join(problems))
            return 2
        environment.put(**slot.environment)
        return _work(slot, watcher)
    except Stopped as signalled:
        slot.log(f"stopped by {signalled}; what is finished is in {args.out}")
        return 1
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):  # the last files are written whatever comes now
            signal.signal(sig, signal.SIG_IGN)
        stop_watching.set()
        slot.stop_child()
        slot.log(f"finished runs returned: {len(finished_runs(slot.runs))}")
        files = slot.archive.write()
        print(f"returned files: {', '.join(f'{f.name} ({f.stat().st_size / 2**20:.1f} MiB)' for f in files)}", flush=True)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def _work(slot: Slot, watcher: threading.Thread) -> int:
    from vadcore import engine
    from vadcore.runs import RunCache

    args = slot.args
    device = engine.use(args.device)
    slot.log(f"device {device}, profile {args.profile}, notebooks {' '.join(args.notebooks)}, budget {args.budget} min")
    shipped = Path(__file__).resolve().parents[2] / "results" / "bench.md"
    if shipped.is_file() and not (slot.results / "bench.md").exists():  # the bench adds its section to the repository's
        slot.results.mkdir(parents=True, exist_ok=True)
        shutil.copy(shipped, slot.results / "bench.md")
    units = units_for(args.notebooks)
    if not units:
        slot.log(f"no unit for notebooks {' '.join(args.notebooks)}; units: {', '.join(u.name for u in UNITS)}")
        return 2
    if args.runs:
        slot.log(f"imported {len(import_records(args.runs, slot.runs))} run records from {', '.join(map(str, args.runs))}")
    cache = RunCache(slot.runs)
    describe_units(slot, units, cache, args.runs)
    if device.type == "cuda":
        checked_speed_ups(slot, device)
    watcher.start()
    finished, deferred = [], {}  # notebook → its units with nothing to train, waiting for a later one's rendering
    for index, unit in enumerate(units):
        later = [u for u in units[index + 1:] if u.notebook == unit.notebook]
        if later and not _to_train(slot, unit, cache):  # a later unit of its notebook renders its tables too
            slot.log(f"unit {unit.name}: nothing to train — rendered by {later[-1].name}, or after it if that fails")
            deferred.setdefault(unit.notebook, []).append(unit)
            continue
        if run_unit(slot, unit, cache, first=index == 0):
            finished += [u.name for u in deferred.pop(unit.notebook, [])] + [unit.name]
        slot.archive.write()
        if index == 0 and not args.no_bench:
            measure_speed(slot, device)
            slot.archive.write()
    for waiting in deferred.values():  # the later unit did not render: the last waiting one renders the others' tables
        if run_unit(slot, waiting[-1], cache, first=False):
            finished += [u.name for u in waiting]
        slot.archive.write()
    slot.log(f"units finished: {', '.join(finished) or 'none'} ({len(finished)} of {len(units)})")
    return 0 if len(finished) == len(units) else 1


def _to_train(slot: Slot, unit: Unit, cache) -> int:
    """How many of ``unit``'s runs the run cache lacks."""
    return sum(not r.cached for r in {r.key: r for r in unit_runs(unit, slot.args.profile, slot.overrides(), cache, [])}.values())


def describe_units(slot: Slot, units: list[Unit], cache, records: list[Path] | None) -> None:
    """Log each unit's runs: how many are in the records (reused), stale, and to train."""
    for unit in units:
        needed = unit_runs(unit, slot.args.profile, slot.overrides(), cache)
        distinct = {r.key: r for r in needed}.values()
        reused = sum(r.cached for r in distinct)
        stale = stale_records(slot.runs, list(distinct)) if records else 0
        slot.log(f"unit {unit.name}: {len(distinct)} runs, {reused} reused from the records, {stale} stale records "
                 f"(code changed), {len(distinct) - reused} to train, ≈ {sum(r.minutes for r in distinct):.1f} min"
                 + (" (later runs wait for its validation search)" if any(r.assumed for r in distinct) else ""))


def run_unit(slot: Slot, unit: Unit, cache, first: bool) -> bool:
    """Train and render ``unit`` if its estimate fits (the first always starts); whether it rendered."""
    from vadcore.plan import recorded_rates

    needed = {r.key: r for r in unit_runs(unit, slot.args.profile, slot.overrides(), cache, recorded_rates(cache))}
    estimate = sum(r.minutes for r in needed.values()) * 60 + RENDER_S
    if slot.left() < MIN_UNIT_S or (not first and estimate > slot.left()):
        slot.log(f"unit {unit.name}: not started — ≈ {estimate / 60:.1f} min needed, {slot.left() / 60:.1f} left")
        return False
    slot.log(f"unit {unit.name}: start — {sum(not r.cached for r in needed.values())} runs to train, "
             f"≈ {estimate / 60:.1f} min, {slot.left() / 60:.1f} left")
    tick = time.time()
    parameters = [f"{name}={value!r}" for name, value in {**unit.parameters, "device": slot.args.device}.items()]
    command = [sys.executable, "-u", "-m", "vadcore.cli", "reproduce", unit.notebook, "--profile", slot.args.profile,
               "--script", *(["--data-root", str(slot.args.data.resolve())] if slot.args.data else []),
               *[item for p in parameters for item in ("-p", p)]]
    log = slot.logs / f"{unit.name.replace(' ', '_').replace(',', '')}.log"
    code = slot.child_run(command, log, slot.left() + RESERVE_S / 2, VADCORE_DEADLINE=str(slot.deadline))
    seconds = time.time() - tick
    if code == 0:
        slot.log(f"unit {unit.name}: rendered in {seconds:.0f} s")
        return True
    tail = log.read_text().strip().splitlines()[-1:] if log.is_file() else []
    slot.log(f"unit {unit.name}: " + ("killed at its time limit" if code is None else f"failed (exit {code})")
             + f" after {seconds:.0f} s" + (f" — {tail[0][:300]}" if tail else ""))
    return False


def checked_speed_ups(slot: Slot, device) -> None:
    """The self-check in a child process with a time limit; every failure mode is logged and
    leaves the speed-ups it could not clear switched off."""
    import json

    log = slot.logs / "self-check.log"
    code = slot.child_run([sys.executable, "-u", "-m", "vadcore.slot.checks", str(device)], log,
                          min(SELF_CHECK_S, max(30.0, slot.left() / 4)))
    text = log.read_text().strip().splitlines() if log.is_file() else []
    try:
        found = json.loads(text[-1]) if code == 0 and text else None
    except ValueError:
        found = None
    if found is None:
        reason = "timed out" if code is None else f"exit {code}: {text[-1][:300] if text else 'no output'}"
        slot.log(f"self-check did not finish ({reason}): CUDA graphs and compilation switched off")
        environment.put(VADCORE_CUDA_GRAPHS="0", VADCORE_COMPILE="0")
        return
    lines, switched = verdict_lines(found)
    for line in lines:
        slot.log(line)
    environment.put(**switched)


def measure_speed(slot: Slot, device) -> None:
    """``vadcore bench`` at the slot's profile in a child, each row kept as it is measured, for at
    most :data:`BENCH_S` seconds."""
    steps = slot.args.bench_steps or (20 if device.type == "cuda" else 2)
    command = [sys.executable, "-u", "-m", "vadcore.slot.run", "--bench-only", "--profile", slot.args.profile,
               "--device", str(device), "--bench-steps", str(steps)]
    log = slot.logs / "bench.log"
    code = slot.child_run(command, log, min(BENCH_S, max(0.0, slot.left() - MIN_UNIT_S)))
    rows = [line for line in (log.read_text().splitlines() if log.is_file() else []) if line.startswith("bench row:")]
    slot.log(f"bench: {len(rows)} rows" + ("" if code == 0 else f" (stopped at {BENCH_S:.0f} s)" if code is None
                                           else f" (exit {code})"))
    for row in rows:
        slot.log("  " + row[len("bench row: "):])


def bench_only(profile: str, device: str, steps: int) -> int:
    """The bench child: each measurement merged into ``results/bench.md`` as it is made."""
    from vadcore import bench

    rows = []
    for row in bench.measurements([profile], device, steps):
        rows.append(row)
        bench.write(rows)
        print(f"bench row: {row.model} [{row.variant}]: engine {row.engine_steps_per_s:.1f} steps/s, bare "
              f"{row.bare_steps_per_s:.1f}, inference {row.inference_per_s:.0f}/s"
              + (f", {row.peak_memory_mib:.0f} MiB" if row.peak_memory_mib else "") + (f" — {row.note}" if row.note else ""),
              flush=True)
    return 0


def _watch(slot: Slot, stop: threading.Event) -> None:
    """Rewrite the returned files whenever a run has finished since they were written."""
    while not stop.wait(WATCH_S):
        if {run.name for run in finished_runs(slot.runs)} - slot.archive.written_runs:
            slot.archive.write()


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="tools/gpu-run.sh", description=__doc__.split("\n\n")[0])
    parser.add_argument("--notebooks", nargs="+", default=["02", "03", "04", "01", "05"],
                        help="notebooks whose units to work through, in value order (default: every unit)")
    parser.add_argument("--profile", default="gpu", help="profile (default gpu; smoke to rehearse on a CPU)")
    parser.add_argument("--budget", type=float, default=9.0, help="wall-time budget in minutes, the last archive included")
    parser.add_argument("--data", type=Path, default=None, help="the dataset's folder: a pack of `vadcore data pack`")
    parser.add_argument("--out", type=Path, default=Path(environment.get("OUT", "gpu-slot")), help="where the files go")
    parser.add_argument("--work", type=Path, default=None, help="data caches, runs and results (default: a folder in /tmp)")
    parser.add_argument("--data-cache", type=Path, default=None,
                        help="generated datasets and frame caches (default: WORK/data; a rehearsal shares one)")
    parser.add_argument("--runs", type=Path, nargs="+", default=None,
                        help="earlier slots' records: runs-N.tar.gz archives or folders of runs (results/gpu/runs)")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--commit", default=None, help="the commit this copy is (recorded in provenance)")
    parser.add_argument("--no-bench", action="store_true")
    parser.add_argument("--bench-steps", type=int, default=None, help="timed steps per bench row (default: 20 on a GPU, 2 on a CPU)")
    parser.add_argument("--bench-only", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
