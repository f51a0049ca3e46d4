"""Videos as the rest of vadcore sees them.

A loader (``ucsd.py``, ``avenue.py`` …) describes each clip as a :class:`VideoSource`: how to read
its frames and masks at full resolution, and its frame labels. :class:`Video` wraps a source with
the working size: frames are decoded once, resized, and cached as memory-mapped ``.npy`` files
(``data/cache/``), so a second notebook run never decodes a JPEG again.

Every cached array carries the SHA-256 of its content (a ``.sha256`` file beside it), and
:meth:`VideoSet.fingerprint` combines them: the identity of the data *as a run sees it*. Run keys
include it (:mod:`vadcore.runs`), so a changed frame, label or mask file, or a new synthetic draw,
never returns a run trained on the old data.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vadcore import paths
from vadcore.atomic import atomic_path, write_text
from vadcore.data.errors import DatasetError


@dataclass(frozen=True)
class VideoSource:
    """One clip as found on disk (full resolution, nothing decoded yet)."""

    name: str
    n_frames: int
    read_frames: Callable[[], np.ndarray]
    labels: np.ndarray | None = None
    read_masks: Callable[[], np.ndarray] | None = None
    read_foreground: Callable[[], np.ndarray] | None = None
    fingerprint: str = ""


def resize_frames(frames: np.ndarray, size: tuple[int, int] | None) -> np.ndarray:
    """Resize uint8 ``(T, H, W[, 3])`` frames to ``size = (H, W)`` with antialiased bilinear."""
    if size is None or tuple(frames.shape[1:3]) == tuple(size):
        return np.ascontiguousarray(frames)
    from PIL import Image

    height, width = size
    return np.stack(
        [np.asarray(Image.fromarray(f).resize((width, height), Image.BILINEAR)) for f in frames]
    )


def resize_masks(masks: np.ndarray, size: tuple[int, int] | None) -> np.ndarray:
    """Resize bool masks: a working-size pixel is anomalous when it is at least half covered."""
    if size is None or tuple(masks.shape[1:3]) == tuple(size):
        return masks.astype(bool)
    return resize_frames(masks.astype(np.uint8) * 255, size) >= 128


def array_digest(array: np.ndarray) -> str:
    """SHA-256 of an array's dtype, shape and bytes."""
    digest = hashlib.sha256(f"{array.dtype}|{array.shape}|".encode())
    digest.update(np.ascontiguousarray(array).data)
    return digest.hexdigest()


def save_npy_atomic(path: Path, array: np.ndarray) -> None:
    """Write ``array`` as ``.npy`` through a temporary file and a rename: never half-written."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as stream:
            np.save(stream, array)


@dataclass
class Video:
    """A clip at the working size.

    ``frames``: uint8 ``(T, H, W)`` or ``(T, H, W, 3)``; ``labels``: ``(T,)`` 0/1 for test clips;
    ``masks``: bool ``(T, H, W)`` anomaly masks or ``None``; ``foreground``: bool masks of every
    moving object where the dataset has them (synthped), else ``None``.
    """

    name: str
    split: str
    source: VideoSource = field(repr=False)
    size: tuple[int, int] | None = None
    cache_dir: Path | None = field(default=None, repr=False)
    _arrays: dict = field(default_factory=dict, init=False, repr=False)
    _digests: dict = field(default_factory=dict, init=False, repr=False)

    @property
    def labels(self) -> np.ndarray | None:
        return self.source.labels

    @property
    def n_frames(self) -> int:
        return self.source.n_frames

    def __len__(self) -> int:
        return self.n_frames

    @property
    def frames(self) -> np.ndarray:
        return self._cached("frames", self.source.read_frames, resize_frames)

    @property
    def masks(self) -> np.ndarray | None:
        if self.source.read_masks is None:
            return None
        return self._cached("masks", self.source.read_masks, resize_masks)

    @property
    def foreground(self) -> np.ndarray | None:
        if self.source.read_foreground is None:
            return None
        return self._cached("foreground", self.source.read_foreground, resize_masks)

    def fingerprint(self) -> str:
        """SHA-256 of everything a run reads of this clip at the working size: frames, labels,
        anomaly masks and foreground masks (those the dataset has)."""
        parts = [self.name, self._digest("frames", self.source.read_frames, resize_frames)]
        parts.append("-" if self.labels is None else array_digest(np.asarray(self.labels)))
        if self.source.read_masks is not None:
            parts.append(self._digest("masks", self.source.read_masks, resize_masks))
        if self.source.read_foreground is not None:
            parts.append(self._digest("foreground", self.source.read_foreground, resize_masks))
        return hashlib.sha256("|".join(parts).encode()).hexdigest()

    def _digest(self, kind: str, read: Callable[[], np.ndarray], resize: Callable) -> str:
        if kind not in self._digests:
            array = self._cached(kind, read, resize)
            path = self._cache_path(kind)
            stored = None if path is None else path.with_suffix(".sha256")
            if stored is not None and stored.is_file():
                self._digests[kind] = stored.read_text().strip()
            else:
                self._digests[kind] = array_digest(array)
                if stored is not None:
                    write_text(stored, self._digests[kind])
        return self._digests[kind]

    def _cached(self, kind: str, read: Callable[[], np.ndarray], resize: Callable) -> np.ndarray:
        if kind in self._arrays:
            return self._arrays[kind]
        path = self._cache_path(kind)
        if path is not None and path.exists():
            array = np.load(path, mmap_mode="r")
        else:
            array = resize(read(), self.size)
            if len(array) != self.n_frames:
                raise DatasetError(
                    self.source.fingerprint or self.name,
                    f"clip {self.name}: read {len(array)} {kind} but expected {self.n_frames}",
                )
            if path is not None:
                save_npy_atomic(path, array)
                write_text(path.with_suffix(".sha256"), array_digest(array))
                array = np.load(path, mmap_mode="r")
        self._arrays[kind] = array
        return array

    def _cache_path(self, kind: str) -> Path | None:
        if self.cache_dir is None:
            return None
        key = hashlib.sha1(f"{self.source.fingerprint}|{self.size}|{kind}".encode()).hexdigest()[:12]
        return self.cache_dir / f"{self.split}_{self.name}_{kind}_{key}.npy"


@dataclass
class VideoSet:
    """A dataset: ``train`` and ``test`` lists of :class:`Video` (what ``load_dataset`` returns)."""

    name: str
    root: Path
    train: list[Video]
    test: list[Video]
    gray: bool = True

    def __repr__(self) -> str:
        return (
            f"VideoSet({self.name!r}, root={str(self.root)!r}, train={len(self.train)} clips, "
            f"test={len(self.test)} clips)"
        )

    @property
    def videos(self) -> list[Video]:
        return [*self.train, *self.test]

    @property
    def size(self) -> tuple[int, int] | None:
        """The working size ``(H, W)`` (``None``: native)."""
        return self.train[0].size if self.train else None

    def excerpt(self, train_frames: int, test_frames: int | None = None) -> VideoSet:
        """The same clips cut short (a dry run's data): training clips to their first
        ``train_frames`` frames, test clips to ``test_frames`` (default: as many) around their first
        change of label, so that both classes stay."""
        def cut(video: Video) -> Video:
            frames = train_frames if video.labels is None else (test_frames or train_frames)
            start = 0
            if video.labels is not None and video.n_frames > frames:
                changes = np.flatnonzero(np.diff(np.asarray(video.labels)))
                start = int(np.clip((changes[0] + 1 if len(changes) else 0) - frames // 2, 0, video.n_frames - frames))
            stop = min(start + frames, video.n_frames)
            part = slice(start, stop)
            source = VideoSource(
                f"{video.name}[{start}:{stop}]", stop - start, lambda: np.asarray(video.frames[part]),
                None if video.labels is None else np.asarray(video.labels)[part],
                None if video.source.read_masks is None else (lambda: np.asarray(video.masks[part])),
                None if video.source.read_foreground is None else (lambda: np.asarray(video.foreground[part])),
                f"{video.source.fingerprint}|{start}:{stop}")
            return Video(video.name, video.split, source, video.size)

        return VideoSet(self.name, self.root, [cut(v) for v in self.train], [cut(v) for v in self.test], self.gray)

    def fingerprint(self) -> str:
        """16 hex digits identifying the data every run on this set reads (see the module doc);
        the first call decodes and caches anything not cached yet."""
        lines = [self.name, str(self.gray)]
        lines += [f"{v.split}/{v.fingerprint()}" for v in self.videos]
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def build_videoset(
    name: str,
    root: Path,
    train: list[VideoSource],
    test: list[VideoSource],
    size: tuple[int, int] | None,
    gray: bool,
    cache: bool = True,
) -> VideoSet:
    """Wrap sources into videos at the working size, sharing one cache folder per dataset copy."""
    cache_dir = None
    if cache:
        key = hashlib.sha1(f"{Path(root).resolve()}|{gray}".encode()).hexdigest()[:10]
        cache_dir = paths.data_dir() / "cache" / f"{name}-{key}"
    size = None if size is None else (int(size[0]), int(size[1]))

    def wrap(sources: list[VideoSource], split: str) -> list[Video]:
        return [Video(s.name, split, s, size, cache_dir) for s in sources]

    return VideoSet(name, Path(root), wrap(train, "train"), wrap(test, "test"), gray)


def folder_fingerprint(folder: Path, files: list[Path]) -> str:
    """Identity of a clip on disk: its path, file count and newest modification time."""
    newest = max((f.stat().st_mtime_ns for f in files), default=0)
    return f"{folder.resolve()}|{len(files)}|{newest}"
