"""Few-shot action data (notebook 05): clips with a class label, in class-disjoint splits.

A clip's frames are either held in memory (``synthactions``) or read from image files in the
layout the TRX code uses (Perrett et al., "Temporal-Relational CrossTransformers for Few-Shot
Action Recognition", CVPR 2021) for Kinetics-100, HMDB51 and UCF-Crime v2::

    <root>/<class>/<video>/<frame>.jpg …        one folder of frames per video
    <lists>/trainlist03.txt, vallist03.txt, testlist03.txt
                                                one ``<class>/<video>`` per line

Splits never share a class: that is what makes the task few-shot (the test classes are unseen in
training). :func:`sample_frames` takes the same 8 sparse frames per clip as TRX.
"""
from __future__ import annotations

import hashlib
import sys
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from vadcore.data.errors import DatasetError
from vadcore.data.video import array_digest, resize_frames

SPLITS = ("train", "val", "test")
FRAME_SUFFIXES = (".jpg", ".jpeg", ".png")
VIDEO_SUFFIXES = (".avi", ".mp4", ".mkv", ".webm")


@dataclass(frozen=True, eq=False)
class ActionClip:
    """One clip: ``frames`` as an array ``(T, H, W, 3)`` uint8 or as the paths of its frame files,
    in temporal order; ``boxes`` ``(T, 4)`` (top, left, bottom, right, pixels) of the actor where
    the data knows it (synthactions), else ``None``."""

    name: str
    label: str
    frames: np.ndarray | tuple[Path, ...]
    boxes: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.frames)


@dataclass(frozen=True)
class ActionSet:
    """Named splits of clips (``train``, ``val``, ``test`` and, for anomalous action classes
    seen only at test time, e.g. ``anomalous``)."""

    name: str
    splits: dict[str, list[ActionClip]] = field(default_factory=dict)

    def __post_init__(self):
        owner: dict[str, str] = {}
        for split, clips in self.splits.items():
            for label in {c.label for c in clips}:
                if owner.setdefault(label, split) != split:
                    raise DatasetError(self.name, f"class {label!r} is in both {owner[label]!r} and {split!r}")

    gray: bool = False  # few-shot clips are RGB (the method shape's data interface)

    def classes(self, split: str) -> list[str]:
        return sorted({c.label for c in self.splits[split]})

    @property
    def size(self) -> tuple[int, int] | None:
        """The frame size ``(H, W)`` when every in-memory clip has the same, else ``None``."""
        shapes = {c.frames.shape[1:3] if isinstance(c.frames, np.ndarray) else None
                  for clips in self.splits.values() for c in clips}
        return tuple(shapes.pop()) if len(shapes) == 1 and None not in shapes else None

    def fingerprint(self) -> str:
        """16 hex digits identifying what a run reads: every clip's split, name and label, and its
        frames (their bytes in memory; the frame files' names and sizes on disk)."""
        digest = hashlib.sha256(self.name.encode())
        for split, clips in sorted(self.splits.items()):
            for clip in clips:
                digest.update(f"|{split}|{clip.name}|{clip.label}|".encode())
                if isinstance(clip.frames, np.ndarray):
                    digest.update(array_digest(clip.frames).encode())
                else:
                    digest.update("".join(f"{p.name}:{p.stat().st_size};" for p in clip.frames).encode())
        return digest.hexdigest()[:16]

    def __repr__(self) -> str:
        sizes = ", ".join(f"{s}={len(c)} clips/{len(self.classes(s))} classes" for s, c in self.splits.items())
        return f"ActionSet({self.name!r}, {sizes})"


def frame_indices(length: int, n: int = 8, rng: np.random.Generator | None = None) -> np.ndarray:
    """The ``n`` frames of a ``length``-frame clip that TRX's sparse sampling reads, spread evenly:
    at test time (``rng=None``) from the second to the second-to-last frame; in training the ends
    move inwards by up to 5 frames (at most half the spare frames) at random."""
    if length < n:
        raise ValueError(f"{length} frames; {n} are needed")
    if length == n:
        return np.arange(n)
    if rng is None:
        start, end = 1, length - 2
    else:
        pad = int(min(5, (length - n) / 2))
        start, end = (0, length - 1) if pad < 1 else \
            (int(rng.integers(0, pad + 1)), int(rng.integers(length - 1 - pad, length)))
    if end - start < n:
        start, end = 0, length - 1
    return np.linspace(start, end, n).astype(int)


# Xiao et al. §4.1.2 (as TRX): frames resized to a short side of 256, then a 224×224 crop — random,
# with a random horizontal flip, in training; the centre at test time. Here every side is scaled so
# that the crop is the working size (the aspect ratio is not kept: synthactions is square).
MARGIN = 256 / 224


def resized_for_crop(size: tuple[int, int]) -> tuple[int, int]:
    """The size frames are resized to before a crop of ``size``: ``size`` × 256 / 224, rounded."""
    return round(size[0] * MARGIN), round(size[1] * MARGIN)


def centre_crop_origin(frames: tuple[int, int], size: tuple[int, int]) -> tuple[int, int]:
    """(top, left) of the centre ``size`` crop of frames of size ``frames``."""
    return (frames[0] - size[0]) // 2, (frames[1] - size[1]) // 2


def crop_clip(frames: np.ndarray, size: tuple[int, int], rng: np.random.Generator | None = None,
              flip: bool = True) -> np.ndarray:
    """A ``size`` crop of every frame of ``(T, H, W, 3)`` at one place: the centre (``rng=None``),
    or drawn from ``rng`` (training augmentation), with ``flip`` a horizontal flip half of the time."""
    height, width = frames.shape[1:3]
    if height < size[0] or width < size[1]:
        raise ValueError(f"cannot crop {size[0]}×{size[1]} from frames {height}×{width}")
    if rng is None:
        (top, left), flip = centre_crop_origin((height, width), size), False
    else:
        top, left = int(rng.integers(0, height - size[0] + 1)), int(rng.integers(0, width - size[1] + 1))
        flip = flip and bool(rng.random() < 0.5)
    out = frames[:, top : top + size[0], left : left + size[1]]
    return out[:, :, ::-1] if flip else out


def sample_frames(clip: ActionClip, n: int = 8, rng: np.random.Generator | None = None,
                  size: tuple[int, int] | None = None, cache: FrameCache | None = None) -> np.ndarray:
    """The frames :func:`frame_indices` picks, ``(n, H, W, 3)`` uint8, resized to ``size``
    (bilinear) when given; through ``cache`` (made for that ``size``), each frame of a clip is
    read and resized once."""
    if len(clip) < n:
        raise DatasetError(clip.name, f"{len(clip)} frames; {n} are needed")
    index = frame_indices(len(clip), n, rng)
    if cache is not None:
        return np.stack([cache.frame(clip, int(i)) for i in index])
    return resize_frames(_read(clip, index), size)


def _read(clip: ActionClip, index) -> np.ndarray:
    if isinstance(clip.frames, np.ndarray):
        return clip.frames[index]
    return np.stack([_read_rgb(clip.frames[i]) for i in index])


class FrameCache:
    """Frames of clips decoded and resized to ``size`` once: frame ``i`` of a clip is read (from
    its file, or taken from memory) and resized on first use and kept, up to ``budget`` bytes
    (the least recently used frames go first). A training run's episodes read through one, so the
    same frame is never decoded twice on the step's thread. Frames already at ``size`` in memory
    are returned as they are."""

    def __init__(self, size: tuple[int, int] | None, budget: int = 4 * 2**30):
        self.size, self.budget, self.used = size, budget, 0
        self.frames: OrderedDict[tuple[ActionClip, int], np.ndarray] = OrderedDict()

    def frame(self, clip: ActionClip, i: int) -> np.ndarray:
        if isinstance(clip.frames, np.ndarray) and (self.size is None or clip.frames.shape[1:3] == tuple(self.size)):
            return clip.frames[i]
        key = (clip, i)
        if key in self.frames:
            self.frames.move_to_end(key)
            return self.frames[key]
        frame = resize_frames(_read(clip, [i]), self.size)[0]
        self.frames[key] = frame
        self.used += frame.nbytes
        while self.used > self.budget and len(self.frames) > 1:
            self.used -= self.frames.popitem(last=False)[1].nbytes
        return frame


def _read_rgb(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def read_list(path: Path) -> list[tuple[str, str]]:
    """``(class, video)`` pairs of a TRX split list: one ``<class>/<video>`` per line (class names
    may hold spaces); a video file extension and a trailing numeric label column are dropped."""
    pairs, seen = [], {}
    for number, line in enumerate(Path(path).read_text().splitlines(), 1):
        entry = line.strip()
        head, _, tail = entry.rpartition(" ")
        if head and tail.isdigit():
            entry = head
        if not entry:
            continue
        label, _, video = entry.rpartition("/")
        if not label or not video:
            raise DatasetError(path, f"line {line!r} is not <class>/<video>")
        pair = (label, Path(video).stem if Path(video).suffix.lower() in VIDEO_SUFFIXES else video)
        if pair in seen:
            raise DatasetError(path, f"line {number} repeats line {seen[pair]} ({'/'.join(pair)}): a clip would count twice")
        seen[pair] = number
        pairs.append(pair)
    return pairs


def load_action_folders(root: Path, lists: Path, split_number: int = 3, name: str | None = None,
                        min_frames: int = 8) -> ActionSet:
    """An :class:`ActionSet` from frame folders and TRX split lists (``{train,val,test}list{NN}.txt``;
    a missing ``val`` list gives no ``val`` split). Videos with fewer than ``min_frames`` frames
    are left out, as TRX does; a listed video with no folder is an error."""
    root, lists = Path(root), Path(lists)
    splits = {}
    for split in SPLITS:
        listing = lists / f"{split}list{split_number:02d}.txt"
        if not listing.is_file():
            if split == "val":
                continue
            raise DatasetError(listing, "split list not found")
        clips, short = [], []
        for label, video in read_list(listing):
            folder = root / label / video
            if not folder.is_dir():
                raise DatasetError(folder, f"listed in {listing.name}, but not a folder")
            frames = tuple(sorted(p for p in folder.iterdir() if p.suffix.lower() in FRAME_SUFFIXES))
            if not frames:
                raise DatasetError(folder, f"listed in {listing.name}, but holds no frame ({', '.join(FRAME_SUFFIXES)})")
            if len(frames) >= min_frames:
                clips.append(ActionClip(f"{label}/{video}", label, frames))
            else:
                short.append(f"{label}/{video} ({len(frames)})")
        if short:
            print(f"vadcore: {listing.name}: left out {len(short)} video(s) with fewer than {min_frames} frames, as TRX "
                  f"does: {', '.join(short[:5])}{' …' if len(short) > 5 else ''}", file=sys.stderr)
        if not clips:
            raise DatasetError(listing, f"no video of {split!r} has {min_frames} frames or more")
        splits[split] = clips
    return ActionSet(name or root.name, splits)


def write_action_folders(clips: Sequence[ActionClip], root: Path) -> None:
    """Write in-memory clips in the frame-folder layout (``<root>/<class>/<video>/00001.png``)."""
    for clip in clips:
        folder = Path(root) / clip.label / clip.name.rpartition("/")[2]
        folder.mkdir(parents=True, exist_ok=True)
        for i, frame in enumerate(clip.frames):
            Image.fromarray(frame).save(folder / f"{i + 1:05d}.png")


ACTION_DATASETS = {
    # name: folder under data/ (frames in <folder>/<class>/<video>/, TRX split lists in <folder>/splits/)
    "kinetics100": "kinetics100",
    "hmdb51": "hmdb51",
    "ucfcrime_v2": "ucfcrime_v2",
}


def load_action_set(name: str, root: str | Path | None = None, lists: str | Path | None = None,
                    split_number: int = 3, synth=None, anomalous: str | None = None,
                    anomalous_root: str | Path | None = None) -> ActionSet:
    """A few-shot dataset: ``"synthactions"`` (generated with the settings ``synth``, a
    :class:`~vadcore.data.synthactions.SynthActionsConfig`, once per data folder) or one of
    :data:`ACTION_DATASETS`, read from ``root`` (default ``data/<folder>``) with the TRX split lists
    in ``lists`` (default ``<root>/splits``).

    ``anomalous`` names a second dataset of :data:`ACTION_DATASETS` (e.g. ``"ucfcrime_v2"``, in
    ``anomalous_root``, default ``data/<folder>``) whose ``test`` classes become the ``anomalous``
    split: clips of unseen anomalous classes, tested only, as synthactions' own anomalous split."""
    if name == "synthactions":
        from vadcore.data.synthactions import SynthActionsConfig, generate_synthactions

        data = generate_synthactions(synth or SynthActionsConfig())
    else:
        data = load_action_folders(_dataset_root(name, root), Path(lists) if lists is not None
                                   else _dataset_root(name, root) / "splits", split_number, name)
    if anomalous is None:
        return data
    extra_root = _dataset_root(anomalous, anomalous_root)
    extra = load_action_folders(extra_root, extra_root / "splits", split_number, anomalous)
    return ActionSet(f"{data.name}+{anomalous}", {**data.splits, "anomalous": extra.splits["test"]})


def _dataset_root(name: str, root: str | Path | None) -> Path:
    if name not in ACTION_DATASETS:
        raise ValueError(f"unknown few-shot dataset {name!r}; choose synthactions or one of {', '.join(ACTION_DATASETS)}")
    from vadcore import paths

    folder = Path(root) if root is not None else paths.data_dir() / ACTION_DATASETS[name]
    if not folder.is_dir():
        raise DatasetError(folder, f"dataset {name!r} not found; put its frame folders here or pass root=…")
    return folder
