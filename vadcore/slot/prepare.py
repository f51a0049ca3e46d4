"""``vadcore plan --slot``: the one command to give a borrowed GPU, decided before it is lent.

It prints the exact call of ``tools/gpu-run.sh``, what must travel with the working tree, the
budget (the minutes left in the loan less the machine's start and a reserve, at most one command's
limit), and each unit in the order the slot takes them: its runs, how many the committed records
already hold (reused), how many records are stale (their code changed), how many are to train,
and the minutes it needs at 30 and at 150 steps/s.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

from vadcore import paths
from vadcore.report import markdown_table
from vadcore.runs import RunCache
from vadcore.slot.archive import import_records
from vadcore.slot.run import RENDER_S
from vadcore.slot.units import ASSUMED_SCORE_S, UnitRun, stale_records, unit_runs, units_for

START_MIN = 3.0  # a cold machine's start, counted against the loan
RESERVE_MIN = 1.5  # for the returned files and a rerun's decision
COMMAND_MIN = 9.5  # one command may run 10 minutes
CARRY_MIB = 64  # what may travel with the working tree
RATES = (30.0, 150.0)  # steps/s: the old engine's H100 speed, and the current engine's target
NOTEBOOKS = ("02", "03", "04", "01", "05")
PACK = Path(".gpu") / "ped2"


def budget(minutes_left: float) -> float:
    """The slot's ``--budget``: what is left of the loan less the start and the reserve, at most
    one command's limit."""
    return round(max(0.0, min(COMMAND_MIN, minutes_left - START_MIN - RESERVE_MIN)), 1)


def minutes_at(runs: list[UnitRun], steps_per_s: float) -> float:
    """Minutes to train and score ``runs`` at ``steps_per_s``, and render the unit."""
    to_train = [r for r in runs if not r.cached]
    return (sum(r.config.iterations for r in to_train) / steps_per_s + ASSUMED_SCORE_S * len(to_train) + RENDER_S) / 60


def _size_mib(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20 if folder.exists() else 0.0


def _tracked_mib() -> float:
    try:
        names = subprocess.run(["git", "ls-files", "-z"], cwd=paths.project_dir(), capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return _size_mib(paths.project_dir())
    return sum((paths.project_dir() / n).stat().st_size for n in names.decode().split("\0") if n
               and (paths.project_dir() / n).is_file()) / 2**20


def prepared(minutes_left: float = 15.0, pack: Path = PACK, records: Path | None = None, notebooks=None,
             profile: str = "gpu", device: str = "cuda") -> str:
    """The prepared slot as Markdown (see the module doc). ``records``: the committed records of
    earlier slots (default ``results/gpu/runs``); the units are planned against them in a
    temporary run cache, for the GPU (``device``), without one here."""
    import tempfile

    from vadcore.report import git_commit

    notebooks = list(notebooks or NOTEBOOKS)
    project = paths.project_dir()
    pack = Path(pack)
    if not (project / pack).is_dir() and not pack.is_dir():
        raise ValueError(f"no pack at {pack}: make it first with `vadcore data pack ucsd_ped2 /path/to/ped2 --out {pack} "
                         "--size 256 256 --compare` (what the GPU machine reads: it has no PyAV and no JPEG decoding)")
    pack = pack if pack.is_dir() else project / pack
    records = records or paths.results_dir() / "gpu" / "runs"
    commit = git_commit() or "<commit>"
    given = budget(minutes_left)
    lines = [f"# The prepared GPU slot (commit `{commit}`)", "",
             f"Budget: {minutes_left:g} min left in the loan − {START_MIN:g} min for the machine's start − "
             f"{RESERVE_MIN:g} min reserve → `--budget {given:g}` (one command may run 10 min).", "",
             f"What travels: the working tree ({_tracked_mib():.1f} MiB tracked) and the pack `{pack.relative_to(project) if pack.is_relative_to(project) else pack}` "
             f"({_size_mib(pack):.1f} MiB), within {CARRY_MIB} MiB; the device tool's `carry` names `.gpu` (git-ignored).", "",
             "The call (device tool, `timeout_s` 600):", "", "```bash",
             f"tools/gpu-run.sh --budget {given:g} --notebooks {' '.join(notebooks)} --data {pack.relative_to(project) if pack.is_relative_to(project) else pack}"
             + (f" --runs {records.relative_to(project) if records.is_relative_to(project) else records}" if records.is_dir() else "")
             + f' --out "$OUT" --commit {commit}', "```", ""]
    rows = []
    with tempfile.TemporaryDirectory(prefix="vadcore-slot-plan-") as folder:
        cache = RunCache(Path(folder) / "runs", read_only=True)
        if records.is_dir():
            import_records([records], cache.root)
        for unit in units_for(list(notebooks)):
            runs = list({r.key: r for r in unit_runs(unit, profile, {"device": device, "data_root": str(pack)},
                                                      cache, [])}.values())
            reused = sum(r.cached for r in runs)
            rows.append([unit.name, unit.makes, str(len(runs)), str(reused),
                         str(stale_records(cache.root, runs)), str(len(runs) - reused)]
                        + [f"{minutes_at(runs, rate):.1f}" for rate in RATES])
    lines.append(markdown_table(["unit", "renders", "runs", "reused", "stale records", "to train",
                                 *[f"min at {rate:g} steps/s" for rate in RATES]], rows))
    lines += ["", "A unit starts only if its estimate at the speed the slot measures fits what is left (the first "
              "always starts). Afterwards, here: `vadcore keep-slot <returned folder>` puts the returned files into "
              "`results/gpu/` (records in `results/gpu/runs/`, the slot's log, the GPU section of `results/bench.md`); "
              f"`vadcore reproduce NN --profile gpu -p device=cuda --data-root {PACK} --records results/gpu/runs` "
              "renders each notebook from the records; commit `results/`."]
    return "\n".join(lines)
