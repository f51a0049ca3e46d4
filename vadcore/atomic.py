"""Atomic file writes and locks, so that any number of processes can share the data folder and
the run cache: write to a temporary file beside the target, then rename over it (a reader never
sees a half-written cache entry, checkpoint or table), with the permissions the umask gives a
new file (a class's shared run cache must be readable by all); :func:`lock` serialises the
processes that would make the same thing (a run, a generated dataset).
A write that finds its device full raises :class:`DiskFull`, which names the file (the system's
own error names none) and leaves the old file as it was and no temporary file behind.
Used by every notebook through the run cache, the frame cache and the reports."""
from __future__ import annotations

import errno
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


FULL = (errno.ENOSPC, errno.EDQUOT)  # no space left on the device, disk quota exceeded


class DiskFull(OSError):
    """A write that found its device full (or its quota used up), naming the file it was writing."""

    def __init__(self, path: str | Path, error: OSError | None = None):
        self.path = Path(path)
        reason = error.strerror if error is not None and error.strerror else os.strerror(errno.ENOSPC)
        super().__init__(error.errno if error is not None else errno.ENOSPC,
                         f"cannot write {self.path}: the device is full ({reason}); nothing half-written was kept "
                         "— free some space and run again")

    def __str__(self) -> str:
        return self.strerror


def full_device(error: BaseException | None) -> OSError | None:
    """The full-device error that ``error`` is, or was raised from or while handling (a writer
    such as torch's reports a file's ENOSPC as its own ``RuntimeError``), if any."""
    while error is not None:
        if isinstance(error, OSError) and error.errno in FULL:
            return error
        error = error.__cause__ or error.__context__
    return None


@contextmanager
def naming_a_full_disk(path: str | Path) -> Iterator[None]:
    """Turn a full device met while the block writes ``path`` into :class:`DiskFull` naming it."""
    try:
        yield
    except DiskFull:
        raise
    except Exception as error:
        cause = full_device(error)
        if cause is None:
            raise
        raise DiskFull(path, cause) from error


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write to; on success it replaces ``path`` (mode ``0o666 &
    ~umask``, as a plain ``open`` would create it). A full device raises :class:`DiskFull`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with naming_a_full_disk(path):
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
