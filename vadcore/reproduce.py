"""``vadcore reproduce``: run the numbered notebooks with papermill into
``results/<profile>/<NN_slug>/`` (executed notebook, tables, figures, provenance) and rewrite
``results/<profile>/README.md``, the index of every table of that profile.

While a notebook runs, its printed lines and progress bars stream to the terminal (papermill alone
shows only finished cells). The executed copy keeps the cells' results but not the progress
bars, the timing metadata or the parameters that only locate files, so that two runs of the same
commit give the same files.

``script=True`` runs each notebook as a plain Python script in its own process
(:mod:`vadcore.script`: no Jupyter needed, as on a borrowed GPU) and keeps what it printed as
``run.log``. ``dry_run=True`` runs the profile's configs with frame size, widths, schedule and clip
length shrunk, at its first two seeds (:data:`vadcore.profiles.DRY_RUN`), into a temporary results
folder and run cache: a rehearsal that catches a shape, dtype, device or missing-parameter error
before a GPU slot.

Before a kernel starts, the parameters are checked (:func:`check_parameters`: a named dataset's
default folder too), and a GPU profile on a machine without a GPU is refused unless the CPU is asked
for (:func:`vadcore.plan.refuse_on_cpu`, which says what the runs would cost here). The kernel, or
the script's process, runs in a session of its own: a Ctrl-C is passed on to it, the run that was
training says in one line where it stopped (:class:`vadcore.runs.Stopped`), and the notebook's old
results stay. A full device is named (:class:`vadcore.atomic.DiskFull`) and the failed notebook's
partial output removed, so that the next try has the room.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path

from vadcore import environment, paths
from vadcore.atomic import DiskFull, full_device, lock, naming_a_full_disk, write_text
from vadcore.compare import compare as compare_tables
from vadcore.compare import snapshot
from vadcore.paths import results_folder
from vadcore.profiles import check_profile, cpu_not_asked_for, gpu_absent
from vadcore.runs import Stopped
from vadcore.script import parameters

NOTEBOOK_NAME = re.compile(r"(\d\d)_[A-Za-z0-9_]+\.ipynb")


def list_notebooks(folder: Path | None = None) -> dict[str, Path]:
    """``{"00": notebooks/00_data_and_protocol.ipynb, …}``."""
    folder = folder or paths.notebooks_dir()
    found = {}
    for path in sorted(folder.glob("*.ipynb")):
        match = NOTEBOOK_NAME.fullmatch(path.name)
        if match:
            found[match.group(1)] = path
    return found


def notebook_parameters(path: Path) -> dict:
    """Names and defaults (as written) of the notebook's ``parameters`` cell."""
    return parameters(path)


def select(numbers: Sequence[str] | None, available: dict[str, Path]) -> dict[str, Path]:
    if not numbers:
        return available
    chosen = {}
    for number in numbers:
        key = f"{int(number):02d}" if str(number).isdigit() else str(number)
        if key not in available:
            raise ValueError(f"no notebook {number!r}; available: {', '.join(available)}")
        chosen[key] = available[key]
    return chosen


def reproduce(
    numbers: Sequence[str] | None = None,
    profile: str = "smoke",
    dataset: str | None = None,
    data_root: str | None = None,
    parameters: dict | None = None,
    fresh: bool = False,
    script: bool = False,
    dry_run: bool = False,
    compare: bool = False,
    against: str = "HEAD",
    records: Sequence[Path] | None = None,
) -> list[Path]:
    """Execute notebooks with ``profile`` (and optional overrides); returns their result folders.

    Every override is checked against each notebook's ``parameters`` cell before anything runs:
    a wrong name is an error that lists the valid ones. ``fresh`` recomputes every run instead of
    reading it from the run cache (``VADCORE_FRESH=1`` in the kernels); ``script`` and ``dry_run``:
    see the module doc. ``compare`` prints, after each notebook, the cells of its tables that
    moved beyond the committed spread (:mod:`vadcore.compare`; ``against``: the committed tables,
    ``HEAD``, or the files as they are, ``worktree``); the moves are returned in
    :data:`last_comparison`. ``records`` (a GPU slot's ``runs-N.tar.gz`` or folders of runs) are
    imported into the run cache first; with ``device=cuda`` where there is no GPU the notebooks
    render from those records alone, and a run they lack is an error before any kernel starts that
    names it and the slot unit that trains it.
    """
    check_profile(profile)
    notebooks = select(numbers, list_notebooks())
    overrides = dict(parameters or {})
    if "profile" in overrides and overrides["profile"] != profile:
        raise ValueError(f"-p profile={overrides['profile']!r} contradicts --profile {profile}: use --profile")
    if dataset is not None:
        overrides["dataset"] = dataset
    if data_root is not None:
        overrides["data_root"] = data_root
    plans = []
    for path in notebooks.values():
        valid = notebook_parameters(path)
        unknown = sorted(set(overrides) - set(valid))
        if unknown:
            raise ValueError(
                f"{path.name} has no parameter {', '.join(map(repr, unknown))}; valid: {', '.join(valid)}"
            )
        plans.append((path, {**check_parameters(overrides, valid), "profile": profile}))
    if records:
        from vadcore.slot.archive import import_records

        print(f"vadcore reproduce: {len(import_records(records, paths.runs_dir()))} run records from "
              f"{', '.join(map(str, records))} in the run cache {paths.runs_dir()}", file=sys.stderr)
    for path, params in plans:
        if gpu_absent(params.get("device", "auto")):
            _check_records(path.stem[:2], profile, params)
    if not dry_run and cpu_not_asked_for(profile, overrides.get("device")):
        from vadcore.plan import refuse_on_cpu

        refuse_on_cpu(list(notebooks), profile, overrides)
    last_comparison.clear()
    with _dry_run_folders() if dry_run else nullcontext({}) as dry:
        folders = []
        for path, params in plans:
            print(f"vadcore reproduce: {path.stem} ({profile}{', dry run' if dry_run else ''})", file=sys.stderr, flush=True)
            variables = dict(VADCORE_NOTEBOOK=path.stem, VADCORE_PROGRESS="text", VADCORE_FRESH="1" if fresh else "0",
                             **dry)
            with environment.scoped(**variables):
                given = params.get("results_dir")
                final = Path(given) if given else paths.results_dir() / profile / path.stem
                before = snapshot(final, against) if compare else {}
                with _staged(profile, path.stem, given) as folder:
                    (_run_script if script else _run_papermill)(path, folder, params, params.get("data_root"))
                folders.append(final)
            if compare and not before:
                last_comparison[path.stem] = None
                print(f"vadcore reproduce --compare: {path.stem}: nothing compared — {final} held no table before "
                      "this run (the committed tables are those of the checkout's results/)", file=sys.stderr, flush=True)
            elif compare:
                moves = last_comparison[path.stem] = compare_tables(before, final)
                print(f"vadcore reproduce --compare: {path.stem}: " + (
                    f"{len(moves)} cell(s) moved beyond the committed spread:\n  " + "\n  ".join(moves) if moves else
                    f"every cell of {len(before)} table(s) within the committed spread"), file=sys.stderr, flush=True)
        if not dry_run:
            write_index(profile)
    return folders


# notebook → the cells that moved (reproduce(compare=True)); None: it had no earlier table to compare with
last_comparison: dict[str, list[str] | None] = {}


def _check_records(number: str, profile: str, params: dict) -> None:
    """Every run a records-only rendering needs is in the run cache, else a ``ValueError`` naming
    each missing one and its slot unit."""
    from vadcore.runs import RunCache
    from vadcore.slot.units import missing_report

    problem = missing_report(number, profile, params, RunCache(read_only=True))
    if problem:
        raise ValueError(problem)

PATHS = ("data_root", "results_dir", "anomalous_root", "backbone_weights")  # resolved against the working directory
COUNTS = ("iterations", "ablation_iterations")  # None or a whole number ≥ 1


def dataset_names(task: str = "any") -> tuple[str, ...]:
    """The datasets a ``dataset`` parameter may name (``actions``: the few-shot ones a notebook's
    ``anomalous`` parameter may): imported only when one is named, since the data package loads
    PyTorch, which ``vadcore reproduce`` itself does not need."""
    from vadcore.data import DATASETS
    from vadcore.data.actions import ACTION_DATASETS

    return tuple(ACTION_DATASETS) if task == "actions" else (*DATASETS, "synthactions", *ACTION_DATASETS)


def check_parameters(values: dict, defaults: dict[str, str], device_here: bool = True) -> dict:
    """``values`` checked against the notebook's parameter defaults before a kernel starts, with
    paths made absolute (relative ones are the caller's, not the notebook folder's): a wrong
    type, a count < 1, seeds that are not distinct whole numbers, a learning rate ≤ 0, an unknown
    dataset or table, a device that is not here (unless ``device_here`` is false: configs made for
    another machine's jobs), or a data folder that does not exist is an error naming the parameter."""
    import ast

    def whole(x, low: int) -> bool:
        return isinstance(x, int) and not isinstance(x, bool) and x >= low

    checked = {}
    for name, value in values.items():
        default = ast.literal_eval(defaults[name]) if name in defaults else None
        problem = None
        if name in PATHS and value is not None:
            value = str(Path(value).expanduser().resolve())
            if name == "data_root" and not Path(value).exists():
                raise ValueError(f"data_root {value!r}: no such folder (put the dataset there, or give no data_root)")
        elif name == "seeds" and value is not None:
            if not isinstance(value, (list, tuple)) or not value or not all(whole(s, 0) for s in value) \
                    or len(set(value)) != len(value):
                problem = "a list of distinct whole numbers ≥ 0, like [0, 1, 2]"
            value = list(value) if isinstance(value, (list, tuple)) else value
        elif name in COUNTS and value is not None and not whole(value, 1):
            problem = "a whole number ≥ 1 (or None for the profile's)"
        elif name in ("lr", "flow") and value is not None and \
                (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or (name == "lr" and value == 0)):
            problem = "a positive number" if name == "lr" else "a number ≥ 0"
        elif name == "dataset" and value is not None and value not in dataset_names():
            problem = f"one of {', '.join(dataset_names())}"
        elif name == "anomalous" and value is not None and value not in dataset_names("actions"):
            problem = f"one of {', '.join(dataset_names('actions'))}"
        elif name == "shots" and (not isinstance(value, (list, tuple)) or not value or not all(whole(k, 1) for k in value)):
            problem = "a non-empty list of whole numbers ≥ 1, like [1, 5]"
        elif name == "tables" and (not isinstance(value, (list, tuple)) or not set(value) <= set(default or ())):
            problem = f"a list of tables among {default}"
        elif name == "device":
            kind = str(value).strip().lower().split(":")[0]
            if kind not in ("auto", "cpu", "cuda"):
                problem = "auto, cpu, cuda or cuda:N"
            elif device_here and kind == "cuda" and not gpu_absent(value):  # no GPU here: records only
                from vadcore.engine import resolve

                resolve(value)  # a GPU this machine does not have
        elif default is not None and value is not None and not _same_kind(value, default):
            problem = f"a {type(default).__name__} like its default {default!r}"
        if problem:
            raise ValueError(f"{name} must be {problem}; got {value!r}")
        checked[name] = value
    for name, root in (("dataset", "data_root"), ("anomalous", "anomalous_root")):
        if checked.get(name) is not None and checked.get(root) is None:
            _check_default_folder(checked[name])
    return checked


def _check_default_folder(name: str) -> None:
    """A real dataset named without its folder must be in its default folder under ``data/``
    (else the notebook would find out only once its kernel loads it); the synthetic ones are
    generated."""
    from vadcore.data import DATASETS, DatasetError
    from vadcore.data.actions import ACTION_DATASETS

    if name in ("synthped", "synthactions"):
        return
    folder = paths.data_dir() / (DATASETS[name][0] if name in DATASETS else ACTION_DATASETS[name])
    if not folder.exists():
        raise DatasetError(folder, f"dataset {name!r} not found; put it here (a symbolic link works) or give its "
                                   "folder (--data-root, -p anomalous_root=…)")


def _same_kind(value, default) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float))
    if isinstance(default, (list, tuple)):
        return isinstance(value, (list, tuple))
    return isinstance(value, type(default))


@contextmanager
def _staged(profile: str, name: str, given: str | None):
    """The results folder a notebook writes into: a staging folder that replaces
    ``results/<profile>/<name>/`` only when the notebook succeeded (a failed one leaves the old
    results as they were, and its partial output in ``results/<profile>/.failed-<name>/``). A
    ``results_dir`` given as a parameter is written directly."""
    if given:
        yield results_folder(profile, name, given)
        return
    final = paths.results_dir() / check_profile(profile) / name
    final.parent.mkdir(parents=True, exist_ok=True)
    with lock(final.parent / f".{name}.lock", f"writing {final}"):
        yield from _replace_on_success(profile, name, final)


def _replace_on_success(profile: str, name: str, final: Path):
    _clear_leftovers(final.parent, name)
    staging = Path(tempfile.mkdtemp(prefix=f".staging-{name}-", dir=final.parent))
    for record in paths.results_dir().glob(f"*/{name}/provenance.json"):  # what the runtime table reads
        target = staging / "records" / record.relative_to(paths.results_dir())
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(record.read_bytes())
    folder = staging / "records" / profile / name
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with environment.scoped(VADCORE_RESULTS=str(staging / "records")):
            yield folder
    except BaseException as error:
        _keep_failed(folder, final.parent, name, error)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = final.parent / f".replaced-{name}"
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    folder.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)


def _clear_leftovers(parent: Path, name: str) -> None:
    """Remove what earlier runs of notebook ``name`` left in ``parent``: the staging folders of
    killed processes and the partial output of a failed run (the caller holds the notebook's lock,
    so no other process is using them). This run replaces them, or succeeds without them."""
    for leftover in [*parent.glob(f".staging-{name}-*"), parent / f".failed-{name}"]:
        shutil.rmtree(leftover, ignore_errors=True)


def _keep_failed(folder: Path, parent: Path, name: str, error: BaseException) -> None:
    """Keep notebook ``name``'s partial output (``folder``) in ``parent/.failed-<name>`` for a look
    — unless its device is full: then it is left to be removed, so that it neither holds a file
    cut short nor the room the next try needs. A Ctrl-C keeps it without a word (the run that
    stopped said where)."""
    failed = parent / f".failed-{name}"
    if full_device(error) is not None:
        print(f"vadcore reproduce: {name} failed: the device is full; its results are unchanged, and its partial "
              "output was removed to free space", file=sys.stderr)
        return
    folder.rename(failed)
    if not isinstance(error, KeyboardInterrupt):
        print(f"vadcore reproduce: {name} failed; its results are unchanged, the partial output is in {failed}",
              file=sys.stderr)


@contextmanager
def _dry_run_folders():
    """Environment of a dry run: shrunk configs, and results and runs in a temporary folder that
    is removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="vadcore-dry-run-") as folder:
        yield {"VADCORE_DRY_RUN": "1", "VADCORE_RESULTS": f"{folder}/results", "VADCORE_RUNS": f"{folder}/runs"}


def _run_papermill(path: Path, folder: Path, params: dict, data_root: str | None) -> None:
    """The notebook through papermill into ``folder``. A cell stopped by Ctrl-C raises the run's
    one line as :class:`~vadcore.runs.Stopped`; a full device, in the kernel or writing the
    executed copy (papermill's own write names no file), raises :class:`DiskFull` naming it."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    output = folder / path.name
    try:
        with naming_a_full_disk(output):
            papermill.execute_notebook(
                str(path), str(output), parameters=params, cwd=str(path.parent), kernel_name="python3",
                progress_bar=False, stdout_file=sys.stdout, stderr_file=sys.stderr, request_save_on_cell_execute=False,
                kernel_manager_class=_interruptible_kernel(),
            )
    except PapermillExecutionError as error:
        if error.ename in ("Stopped", "KeyboardInterrupt"):
            raise Stopped(error.evalue) from None
        raise _disk_full_in(error.evalue) or error from None
    clean_executed(output, machine_paths(data_root))


def _interruptible_kernel() -> type:
    """A kernel manager whose kernel a Ctrl-C interrupts, so that the running cell stops (the run
    saying where); nbclient's own handler would shut the kernel down only once the notebook ends.
    A second Ctrl-C stops this process at once."""
    from jupyter_client.manager import AsyncKernelManager

    class InterruptibleKernel(AsyncKernelManager):
        async def start_kernel(self, **kwargs) -> None:
            await super().start_kernel(**kwargs)
            loop = asyncio.get_running_loop()

            def interrupt() -> None:
                loop.remove_signal_handler(signal.SIGINT)
                loop.create_task(self.interrupt_kernel())

            try:
                loop.add_signal_handler(signal.SIGINT, interrupt)
            except (RuntimeError, ValueError):  # not in the main thread: Ctrl-C stays nbclient's
                pass

    return InterruptibleKernel


FULL_DEVICE = re.compile(r"cannot write (.+?): the device is full")


def _disk_full_in(message: str) -> DiskFull | None:
    """The :class:`DiskFull` whose message a notebook's error (in the kernel or the script's
    process) ends with, raised again in this process; ``None`` for any other error."""
    full = FULL_DEVICE.search(message)
    return DiskFull(full.group(1)) if full else None


def _run_script(path: Path, folder: Path, params: dict, data_root: str | None) -> None:
    """The notebook as a script in a child process, in a session of its own (a Ctrl-C here is
    passed on to it once, and it says where its run stopped; a second one kills it); what it prints
    goes to the terminal and to ``run.log`` (machine folders named by placeholder). A failure raises
    with the log's tail."""
    log: list[str] = []
    command = [sys.executable, "-u", "-m", "vadcore.script", str(path), json.dumps(params)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
                          env=environment.for_child(PYTHONPATH=os.pathsep.join(filter(None, [
                              str(paths.PACKAGE_DIR.parent), environment.get("PYTHONPATH")])))) as child:
        try:
            _relay(child.stdout, log)
        except KeyboardInterrupt:
            child.send_signal(signal.SIGINT)
            try:
                _relay(child.stdout, log)
            except KeyboardInterrupt:  # a second Ctrl-C stops it at once (its session hears no terminal)
                child.kill()
                raise
    write_text(folder / "run.log", _placeholders("".join(log), machine_paths(data_root)))
    if child.returncode == 130:
        raise KeyboardInterrupt  # the script said where its run stopped
    if child.returncode != 0:
        raise _disk_full_in(log[-1] if log else "") or \
            RuntimeError(f"{path.stem} failed (exit {child.returncode}):\n" + "".join(log[-15:]))


def _relay(lines: Iterable[str], log: list[str]) -> None:
    """Print a child's lines as they come, and keep them."""
    for line in lines:
        sys.stdout.write(line)
        log.append(line)


def machine_paths(data_root: str | None = None) -> dict[str, Path]:
    """The folders of this machine that an executed notebook may print (a ``VideoSet``'s root, a
    checkpoint), by the placeholder that stands for each in committed copies."""
    return {"$VADCORE_DATA": Path(data_root) if data_root else paths.data_dir(),
            "$VADCORE_RESULTS": paths.results_dir(), "$VADCORE_PROJECT": paths.project_dir()}


def clean_executed(path: Path, placeholders: dict[str, Path] | None = None) -> None:
    """Make an executed copy reproducible: drop papermill's timestamps and timing metadata, the
    kernel's stderr streams (progress bars, warnings), and the absolute paths papermill records;
    the cell papermill injects (with a random id) gets the id ``injected-parameters``; every folder
    of ``placeholders`` printed in an output becomes its placeholder."""
    notebook = json.loads(path.read_text())
    for cell in notebook.get("cells", []):
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"
        cell.get("metadata", {}).pop("papermill", None)
        cell.get("metadata", {}).pop("execution", None)
        if cell.get("outputs"):
            cell["outputs"] = [o for o in cell["outputs"] if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    papermill_meta = notebook.get("metadata", {}).get("papermill", {})
    for key in ("start_time", "end_time", "duration", "input_path", "output_path", "environment_variables"):
        papermill_meta.pop(key, None)
    write_text(path, _placeholders(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", placeholders))


def _placeholders(text: str, placeholders: dict[str, Path] | None) -> str:
    """``text`` with every folder of ``placeholders`` replaced by its placeholder name."""
    folders = {str(f): name for name, folder in (placeholders or {}).items()
               for f in {Path(folder).expanduser(), Path(folder).expanduser().resolve()} if f.is_absolute()}
    for folder in sorted(folders, key=len, reverse=True):  # the longest first: data/ inside the project
        text = text.replace(folder, folders[folder])
    return text


def write_index(profile: str) -> Path:
    """``results/<profile>/README.md``: every table of every notebook, and its figures."""
    root = paths.results_dir() / profile
    lines = [
        f"# Results — profile `{profile}`",
        "",
        f"Regenerate with `vadcore reproduce --profile {profile}`. Each folder holds the executed "
        "notebook, its tables (`.csv` + `.md`), figures (`.png`) and `provenance.json`.",
    ]
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")) if root.is_dir() else []:
        lines += ["", f"## {folder.name}", ""]
        provenance = folder / "provenance.json"
        if provenance.is_file():
            record = json.loads(provenance.read_text())
            compute = record.get("runs", {})
            lines.append(
                f"dataset `{record.get('dataset')}`, seeds {record.get('seeds')}, device {record.get('device')}, "
                f"commit `{record.get('git_commit')}`, wall time {record.get('wall_time_s')} s"
                + (f", runs trained here {compute.get('runs_computed', 0)} ({compute.get('compute_s_this_session', 0)} s), "
                   f"reused {compute.get('runs_reused', 0)} (trained in {compute.get('compute_s_of_reused_runs', 0)} s)"
                   if compute else "")
            )
            lines.append("")
        for table in sorted(folder.glob("table*.md")):
            lines += [table.read_text().strip(), ""]
        figures = sorted(folder.glob("fig*.png"))
        if figures:
            lines.append("Figures: " + ", ".join(f"[{f.stem}]({folder.name}/{f.name})" for f in figures))
    path = root / "README.md"
    write_text(path, "\n".join(lines).rstrip() + "\n")
    return path
