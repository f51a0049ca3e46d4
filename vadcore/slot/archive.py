"""What a GPU slot brings back, written as it is made: every finished run's records and every
rendered unit, rewritten atomically after each, on a signal and at the end, so that a slot cut off
at any moment after its first finished run still returns that run.

The device tool returns at most 8 files of at most 16 MiB each from ``$OUT``; the slot writes

- ``slot.log`` — what the slot did, in plain text (readable even if nothing else came back);
- ``results.tar.gz`` — ``results/<profile>/<NN_slug>/`` of every rendered unit and
  ``results/bench.md`` (the repository's sections with this machine's added);
- ``runs-1.tar.gz``, ``runs-2.tar.gz``, … — each finished run's records (``identity.json``,
  ``metrics.json``, ``timings.json``, ``scores.npz`` and ``readings/``; no weights), in archives
  of at most :data:`PART_BYTES` each.

:func:`import_records` puts records (those archives, or a folder of runs) into a run cache: a
later slot continues from them, and a CPU renders them (``vadcore reproduce --records``).
"""
from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
import threading
from pathlib import Path

from vadcore.atomic import write_text
from vadcore.runs import install

RECORD_FILES = ("identity.json", "metrics.json", "timings.json", "scores.npz")
PART_BYTES = 14 * 2**20  # below the device tool's 16 MiB per returned file, gzip's last block included
MAX_FILES = 8


def finished_runs(runs: Path) -> list[Path]:
    """The folders of the finished runs in a run cache, in key order."""
    return sorted(p.parent for p in Path(runs).glob("*/metrics.json"))


def record_members(run: Path) -> list[tuple[Path, str]]:
    """``(file, name in the archive)`` of a finished run's records."""
    members = [(run / name, f"runs/{run.name}/{name}") for name in RECORD_FILES if (run / name).is_file()]
    members += [(reading, f"runs/{run.name}/readings/{reading.name}") for reading in sorted(run.glob("readings/*.pkl"))]
    return members


class Archive:
    """The slot's returned files in ``out`` (see the module doc), rewritten by :meth:`write`."""

    def __init__(self, out: Path, results: Path, runs: Path, profile: str, log_lines: list[str]):
        self.out, self.results, self.runs, self.profile, self.log_lines = Path(out), Path(results), Path(runs), profile, log_lines
        self._lock = threading.Lock()
        self.written_runs: set[str] = set()

    def write(self) -> list[Path]:
        """Rewrite every returned file atomically (a reader, or a kill, never meets half of one);
        returns them."""
        with self._lock:
            self.out.mkdir(parents=True, exist_ok=True)
            write_text(self.out / "slot.log", "\n".join(self.log_lines) + "\n")
            files = [self.out / "slot.log", self._tar("results.tar.gz", self._result_members())]
            runs = finished_runs(self.runs)
            files += self._parts("runs", [m for run in runs for m in record_members(run)])
            self.written_runs = {run.name for run in runs}
            return files

    def _result_members(self) -> list[tuple[Path, str]]:
        members = []
        rendered = self.results / self.profile
        for folder in sorted(rendered.iterdir()) if rendered.is_dir() else []:
            if folder.is_dir() and not folder.name.startswith("."):
                members += [(f, f"results/{self.profile}/{f.relative_to(rendered)}") for f in sorted(folder.rglob("*"))
                            if f.is_file()]
        if (self.results / "bench.md").is_file():
            members.append((self.results / "bench.md", "results/bench.md"))
        return members

    def _tar(self, name: str, members: list[tuple[Path, str]]) -> Path:
        partial = self.out / f".partial-{name}"
        with tarfile.open(partial, "w:gz") as tar:
            for path, arcname in members:
                tar.add(path, arcname=arcname)
        os.replace(partial, self.out / name)
        return self.out / name

    def _parts(self, prefix: str, members: list[tuple[Path, str]]) -> list[Path]:
        """``members`` in archives ``<prefix>-1.tar.gz`` … of at most :data:`PART_BYTES` each
        (a run's files stay together); stale higher-numbered parts are removed."""
        groups: list[list[tuple[Path, str]]] = [[]]
        size = 0
        for path, arcname in members:
            grows = path.stat().st_size
            if groups[-1] and size + grows > PART_BYTES and arcname.split("/")[1] != groups[-1][-1][1].split("/")[1]:
                groups.append([])
                size = 0
            groups[-1].append((path, arcname))
            size += grows
        written = [self._tar(f"{prefix}-{i}.tar.gz", group) for i, group in enumerate(groups, 1)]
        for old in self.out.glob(f"{prefix}-*.tar.gz"):
            if old not in written:
                old.unlink()
        return written


def import_records(sources: list[Path], runs: Path) -> list[str]:
    """Put the finished runs of ``sources`` — a slot's ``runs-N.tar.gz`` archives, or folders of
    runs (a run cache, ``results/gpu/runs``) — into the run cache ``runs``, records only (no
    checkpoint), each in one step; returns their keys. A run already finished there is kept."""
    keys = []
    for source in map(Path, sources):
        with tempfile.TemporaryDirectory(prefix="vadcore-records-") as folder:
            if source.is_dir():
                unpacked = source
            elif tarfile.is_tarfile(source):
                with tarfile.open(source) as tar:
                    tar.extractall(folder, members=[m for m in tar.getmembers() if m.name.startswith("runs/")],
                                   filter="data")
                unpacked = Path(folder) / "runs"
            else:
                raise ValueError(f"{source}: neither a folder of runs nor a slot's runs archive")
            for run in finished_runs(unpacked):
                keys.append(run.name)
                if not (Path(runs) / run.name / "metrics.json").is_file():
                    install(run, Path(runs) / run.name, weights=False)
    return keys


def keep(returned: Path, results: Path) -> list[str]:
    """Put a slot's returned files (the folder holding them) into a repository's ``results``:
    each rendered ``<profile>/<NN_slug>/`` replaces the one there, the records join
    ``<profile>/runs/``, the machine's sections of ``bench.md`` replace or join the repository's,
    and ``slot.log`` is kept as ``<profile>/slot-logs/<time>.log``. Returns what it did."""
    import time

    from vadcore import bench

    returned, results = Path(returned), Path(results)
    if not (returned / "slot.log").is_file():
        raise ValueError(f"{returned}: no slot.log — not the files a GPU slot returned")
    done = []
    with tempfile.TemporaryDirectory(prefix="vadcore-keep-") as folder:
        unpacked = Path(folder)
        if (returned / "results.tar.gz").is_file():
            with tarfile.open(returned / "results.tar.gz") as tar:
                tar.extractall(unpacked, filter="data")
        profiles = sorted(p.name for p in (unpacked / "results").iterdir() if p.is_dir()) if (unpacked / "results").is_dir() else []
        for profile in profiles:
            for rendered in sorted(p for p in (unpacked / "results" / profile).iterdir() if p.is_dir()):
                target = results / profile / rendered.name
                shutil.rmtree(target, ignore_errors=True)
                shutil.copytree(rendered, target)
                done.append(f"rendered {rendered.name} → {target}")
        if (unpacked / "results" / "bench.md").is_file():
            merged = {**bench.read_sections(results / "bench.md"), **bench.read_sections(unpacked / "results" / "bench.md")}
            bench.write_sections(merged, results / "bench.md")
            done.append(f"bench sections → {results / 'bench.md'}")
    profile = profiles[0] if profiles else "gpu"
    keys = import_records(sorted(returned.glob("runs-*.tar.gz")), results / profile / "runs")
    done.append(f"{len(keys)} run records → {results / profile / 'runs'}")
    log = results / profile / "slot-logs" / f"{time.strftime('%Y-%m-%d-%H%M%S')}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(returned / "slot.log", log)
    done.append(f"slot.log → {log}")
    return done
