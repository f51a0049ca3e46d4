"""Atomic file writes and locks, so that any number of processes can share the data folder and
the run cache: write to a temporary file beside the target, then rename over it (a reader never
sees a half-written cache entry, checkpoint or table), with the permissions the umask gives a
new file (a class's shared run cache must be readable by all); :func:`lock` serialises the
processes that would make the same thing (a run, a generated dataset).
Used by every notebook through the run cache, the frame cache and the reports."""
from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def umask() -> int:
    """The process's umask: read from ``/proc`` where it can be (setting it to read it back is not
    safe while other threads create files)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write to; on success it replaces ``path`` (mode ``0o666 &
    ~umask``, as a plain ``open`` would create it)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~umask())
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_text(path: str | Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text)


@contextmanager
def lock(path: str | Path, what: str = "") -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (a ``.lock`` file, created if needed) while the block
    runs; another process asking for it waits, saying once what it waits for."""
    from filelock import FileLock, Timeout

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    file_lock = FileLock(str(path), mode=0o666 & ~umask())
    try:
        file_lock.acquire(timeout=0)
    except Timeout:
        print(f"vadcore: waiting for another process {what or 'holding ' + str(path)}", file=sys.stderr, flush=True)
        file_lock.acquire()
    try:
        yield
    finally:
        file_lock.release()
