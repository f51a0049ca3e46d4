"""``synthactions``: synthetic few-shot action clips (notebook 05), generated from a seed and kept
in the data folder's cache (:func:`generate_synthactions`), so that a set is rendered once per
data folder.

A small articulated actor (head, torso, two arms, two legs, each a soft capsule as in
``synthped``) performs an action over a cluttered, drifting colour background with moving
distractor blobs, so that the evidence of the class lives in a small key region around the actor.

- **Normal classes** are the product of a trajectory (still, right, up, diagonal, circle, zigzag,
  hop, approach), an articulation (none, wave, clap, walk, jump, sway, kick) and a speed (slow,
  fast): 112 classes, of which a seeded choice of 100 is split class-disjointly 64 / 12 / 24 into
  ``train`` / ``val`` / ``test``, as Kinetics-100 is (Zhu and Yang, "Compound Memory Networks for
  Few-shot Video Classification", ECCV 2018).
- **Anomalous classes** (``anomalous`` split, used only at test time, as UCF-Crime v2 is in the
  paper): fall, fight, throw, burst, chase, stagger, crawl, flail.

The actor's appearance (colour, size, start position) and the background are drawn per clip, so a
class is recognisable by motion only. Every clip records the actor's box per frame (``boxes``),
which no real dataset has: notebook 05 measures how often the selected key region covers it.
"""
from __future__ import annotations

import hashlib
import json
import math
import sys
from dataclasses import asdict, dataclass, replace
from itertools import product
from pathlib import Path

import numpy as np
import scipy
from scipy.ndimage import gaussian_filter

from vadcore import paths
from vadcore.atomic import atomic_path, lock
from vadcore.data import synthped
from vadcore.data.actions import ActionClip, ActionSet
from vadcore.data.synthped import Capsule, capsule_alpha
from vadcore.progress import progress

TRAJECTORIES = ("still", "right", "up", "diagonal", "circle", "zigzag", "hop", "approach")
ARTICULATIONS = ("none", "wave", "clap", "walk", "jump", "sway", "kick")
SPEEDS = ("slow", "fast")
ANOMALIES = ("fall", "fight", "throw", "burst", "chase", "stagger", "crawl", "flail")
CLASS_SPLITS = {"train": 64, "val": 12, "test": 24}  # Kinetics-100 (CMN split)


@dataclass(frozen=True)
class SynthActionsConfig:
    """Size and content of a synthactions set. ``size`` is the frame side in pixels; the actor is
    ``actor`` of it tall."""

    seed: int = 0
    size: int = 64
    frames: int = 12
    clips_per_class: int = 20
    anomalous_clips_per_class: int = 20
    actor: float = 0.4
    distractors: int = 3
    clutter: float = 0.1  # standard deviation of the background texture, in [0, 1] intensity


@dataclass(frozen=True)
class Pose:
    """One frame of the actor: centre (x, y) and height in pixels, arm and leg angles from hanging
    straight down (radians, positive = towards the actor's right), body tilt, crouch (0–1)."""

    x: float
    y: float
    height: float
    arms: tuple[float, float] = (0.3, -0.3)
    legs: tuple[float, float] = (0.15, -0.15)
    tilt: float = 0.0
    crouch: float = 0.0


def normal_classes() -> list[str]:
    return [f"{t}-{a}-{s}" for t, a, s in product(TRAJECTORIES, ARTICULATIONS, SPEEDS)]


def skeleton(pose: Pose, colour_index: float = 1.0) -> list[Capsule]:
    """The actor's capsules (head, torso, arms, legs) for one pose."""
    h, c, s = pose.height, math.cos(pose.tilt), math.sin(pose.tilt)

    def at(dx: float, dy: float) -> tuple[float, float]:  # body frame (x right, y down) → image (y, x)
        return pose.y + (dx * s + dy * c) * h, pose.x + (dx * c - dy * s) * h

    leg = 0.42 * (1 - 0.5 * pose.crouch)
    hip, neck, head = at(0, 0.05 + 0.2 * pose.crouch), at(0, -0.3 + 0.2 * pose.crouch), at(0, -0.42 + 0.2 * pose.crouch)
    capsules = [(*head, *head, 0.1 * h, colour_index), (*neck, *hip, 0.08 * h, colour_index)]
    for angle in pose.arms:
        hand = at(-0.3 * math.sin(angle), -0.3 + 0.2 * pose.crouch + 0.3 * math.cos(angle))
        capsules.append((*neck, *hand, 0.055 * h, colour_index))
    for angle in pose.legs:
        foot = at(-leg * math.sin(angle), 0.05 + 0.2 * pose.crouch + leg * math.cos(angle))
        capsules.append((*hip, *foot, 0.06 * h, colour_index))
    return capsules


def _normal_poses(name: str, start: tuple[float, float], height: float, n: int) -> list[Pose]:
    trajectory, articulation, speed = name.split("-")
    k = 1.0 if speed == "slow" else 2.0
    poses = []
    for i in range(n):
        u = i / max(n - 1, 1)
        dx, dy, scale = {
            "still": (0, 0, 1), "right": (1.1 * k * u, 0, 1), "up": (0, -0.9 * k * u, 1),
            "diagonal": (0.8 * k * u, -0.7 * k * u, 1),
            "circle": (0.45 * (math.cos(2 * math.pi * k * u) - 1), 0.45 * math.sin(2 * math.pi * k * u), 1),
            "zigzag": (1.1 * k * u, 0.3 * (abs((2 * k * u) % 2 - 1) * 2 - 1), 1),
            "hop": (0, -0.45 * abs(math.sin(math.pi * 2 * k * u)), 1), "approach": (0, 0.15 * k * u, 1 + 0.35 * k * u),
        }[trajectory]
        w = math.sin(2 * math.pi * 1.5 * k * u)
        pose = {
            "none": {}, "wave": {"arms": (0.3, -(2.2 + 0.7 * w))}, "clap": {"arms": (1.2 + 0.6 * w, -(1.2 + 0.6 * w))},
            "walk": {"legs": (0.5 * w, -0.5 * w), "arms": (-0.4 * w, 0.4 * w)},
            "jump": {"crouch": 0.5 * (1 + w), "arms": (2.5 - 1.2 * (1 + w), -(2.5 - 1.2 * (1 + w)))},
            "sway": {"tilt": 0.45 * w}, "kick": {"legs": (0.15, -1.3 * max(0.0, w))},
        }[articulation]
        poses.append(Pose(start[0] + dx * height, start[1] + dy * height, height * scale, **pose))
    return poses


def _anomalous_poses(name: str, start: tuple[float, float], height: float, n: int,
                     rng: np.random.Generator) -> tuple[list[Pose], list[Pose], list[tuple[float, float]]]:
    """``(actor, second actor or [], thrown object positions or [])`` for an anomalous class."""
    actor, other, thrown = [], [], []
    x0, y0 = start
    jitter = rng.normal(0, 1, (n, 2))
    for i in range(n):
        u = i / max(n - 1, 1)
        w = math.sin(2 * math.pi * 3 * u)
        if name == "fall":
            tilt = min(1.0, 1.6 * u) * math.pi / 2
            actor.append(Pose(x0, y0 + 0.3 * height * math.sin(tilt), height, arms=(1.5, -1.5), tilt=tilt))
        elif name == "fight":
            gap = 0.55 - 0.1 * w
            actor.append(Pose(x0 - gap * height / 2, y0, height, arms=(-1.6 - 0.6 * w, -0.4), tilt=0.15 * w))
            other.append(Pose(x0 + gap * height / 2, y0, height, arms=(0.4, 1.6 + 0.6 * w), tilt=-0.15 * w))
        elif name == "throw":
            actor.append(Pose(x0, y0, height, arms=(0.3, -(3.0 - 2.5 * min(1.0, 3 * u)))))
            t = max(0.0, u - 1 / 3)
            thrown.append((x0 + 2.2 * height * t, y0 - 0.5 * height + 2.0 * height * (t * t * 2.5 - t)))
        elif name == "burst":
            actor.append(Pose(x0 + 0.35 * height * jitter[i, 0], y0 + 0.2 * height * jitter[i, 1], height,
                              legs=(0.6 * jitter[i, 1], -0.6 * jitter[i, 0])))
        elif name == "chase":
            actor.append(Pose(x0 + 2.2 * height * u, y0, height, legs=(0.7 * w, -0.7 * w), tilt=0.3))
            other.append(Pose(x0 + 2.2 * height * u - 0.7 * height, y0, height, legs=(-0.7 * w, 0.7 * w), tilt=0.3))
        elif name == "stagger":
            actor.append(Pose(x0 + 0.25 * height * np.cumsum(jitter[: i + 1, 0])[-1] / 2, y0, height,
                              arms=(1.0, -1.0), tilt=0.5 * jitter[i, 1]))
        elif name == "crawl":
            actor.append(Pose(x0 + 0.4 * height * u, y0 + 0.25 * height, height, arms=(0.6 * w, -0.6 * w),
                              legs=(-0.5 * w, 0.5 * w), tilt=math.pi / 2))
        elif name == "flail":
            spin = 2 * math.pi * 4 * u
            actor.append(Pose(x0, y0, height, arms=(spin, -spin)))
        else:
            raise ValueError(f"unknown anomalous class {name!r}; choose one of {', '.join(ANOMALIES)}")
    return actor, other, thrown


def _background(rng: np.random.Generator, config: SynthActionsConfig) -> tuple[np.ndarray, np.ndarray]:
    """A textured colour canvas larger than the frame and the per-frame offsets of the camera's
    drift over it."""
    size, n = config.size, config.frames
    margin = size // 2
    texture = np.stack([gaussian_filter(rng.standard_normal((size + margin,) * 2), sigma)
                        for sigma in rng.uniform(1.0, 4.0, 3)], axis=-1)
    canvas = rng.uniform(0.3, 0.7, 3) + config.clutter * texture / texture.std(axis=(0, 1))
    velocity = rng.uniform(-1.0, 1.0, 2) * margin / (2 * n)
    offsets = margin / 2 + np.arange(n)[:, None] * velocity
    return canvas, np.clip(np.round(offsets), 0, margin).astype(int)


def _box(capsules: list[Capsule]) -> np.ndarray:
    """(top, left, bottom, right) around the capsules."""
    ys = [v for c in capsules for v in (c[0] - c[4], c[2] - c[4], c[0] + c[4], c[2] + c[4])]
    xs = [v for c in capsules for v in (c[1] - c[4], c[3] - c[4], c[1] + c[4], c[3] + c[4])]
    return np.array([min(ys), min(xs), max(ys), max(xs)])


def _paint(frame: np.ndarray, capsules: list[Capsule], colour: np.ndarray) -> None:
    alpha, _, (top, left) = capsule_alpha(frame.shape[:2], capsules)
    if alpha.size:
        region = frame[top : top + alpha.shape[0], left : left + alpha.shape[1]]
        region[:] = region * (1 - alpha[..., None]) + colour * alpha[..., None]


def render_clip(name: str, label: str, rng: np.random.Generator, config: SynthActionsConfig) -> ActionClip:
    """One clip of class ``label`` (a normal class name or one of :data:`ANOMALIES`)."""
    size, n = config.size, config.frames
    height = config.actor * size * rng.uniform(0.85, 1.15)
    if label in ANOMALIES:
        actor, other, thrown = _anomalous_poses(label, (0.0, 0.0), height, n, rng)
    else:
        actor, other, thrown = _normal_poses(label, (0.0, 0.0), height, n), [], []
    # place the whole action at random where it stays inside the frame (centred if it cannot)
    extent = _box([c for pose in actor + other for c in skeleton(pose)]
                  + [(y, x, y, x, 0.05 * height, 1.0) for x, y in thrown])
    low, high = -extent[:2], size - extent[2:]
    dy, dx = np.where(low <= high, rng.uniform(np.minimum(low, high), np.maximum(low, high)), (low + high) / 2)
    actor, other = ([replace(p, x=p.x + dx, y=p.y + dy) for p in poses] for poses in (actor, other))
    thrown = [(x + dx, y + dy) for x, y in thrown]
    colours = rng.uniform(0.0, 1.0, (2, 3))
    canvas, offsets = _background(rng, config)
    blobs = rng.uniform(0, size, (config.distractors, 2)), rng.uniform(-1.5, 1.5, (config.distractors, 2))
    blob_colours = rng.uniform(0.0, 1.0, (config.distractors, 3))
    frames, boxes = np.empty((n, size, size, 3), np.uint8), np.empty((n, 4))
    for i in range(n):
        frame = canvas[offsets[i, 0] : offsets[i, 0] + size, offsets[i, 1] : offsets[i, 1] + size].copy()
        for (y, x), colour in zip(np.mod(blobs[0] + i * blobs[1], size), blob_colours):
            _paint(frame, [(y, x, y, x + 0.1 * size, 0.07 * size, 1.0)], colour)
        actors = [skeleton(actor[i])] + ([skeleton(other[i])] if other else [])
        for capsules, colour in zip(actors, colours):
            _paint(frame, capsules, colour)
        if thrown:
            x, y = thrown[i]
            actors.append([(y, x, y, x, 0.05 * height, 1.0)])
            _paint(frame, actors[-1], colours[1])
        boxes[i] = np.clip(_box([c for capsules in actors for c in capsules]), 0, size)
        frames[i] = np.clip(np.round(frame * 255), 0, 255)
    return ActionClip(name, label, frames, boxes)


def render_synthactions(config: SynthActionsConfig = SynthActionsConfig(), progress_bar: bool = True) -> ActionSet:
    """The whole set: ``train`` / ``val`` / ``test`` normal classes and the ``anomalous`` classes.
    Each clip has its own random stream (from the seed, its class and its number), so a clip does
    not change when other classes or clip counts do."""
    names = normal_classes()
    chosen = np.random.default_rng(config.seed).permutation(len(names))[: sum(CLASS_SPLITS.values())]
    bounds = np.cumsum([0, *CLASS_SPLITS.values()])
    plan = {split: [(names[j], config.clips_per_class) for j in chosen[a:b]]
            for split, a, b in zip(CLASS_SPLITS, bounds[:-1], bounds[1:])}
    plan["anomalous"] = [(name, config.anomalous_clips_per_class) for name in ANOMALIES]
    total = sum(count for classes in plan.values() for _, count in classes)
    bar = progress(total=total, desc="synthactions", disable=not progress_bar)
    splits = {}
    for split, classes in plan.items():
        splits[split] = []
        for label, count in classes:
            for k in range(count):
                key = [config.seed, *label.encode(), k]
                splits[split].append(render_clip(f"{label}/{k:03d}", label, np.random.default_rng(key), config))
                bar.update()
    bar.close()
    return ActionSet("synthactions", splits)


def generate_synthactions(config: SynthActionsConfig = SynthActionsConfig(), progress_bar: bool = True,
                          folder: str | Path | None = None) -> ActionSet:
    """The set of ``config`` (:func:`render_synthactions`), read from ``folder`` (default the data
    folder's ``cache/synthactions``) when the same code and libraries rendered it there before,
    else rendered and saved there (atomically, under a lock: a second process waits and reads it;
    a folder that cannot be written to gets a warning and the set rendered in memory). The same
    clips, byte for byte, as rendering gives: a run's key does not depend on where the set came
    from. Sets made by other code stay in the folder until it is deleted (it is only a cache)."""
    folder = Path(folder) if folder is not None else paths.data_dir() / "cache" / "synthactions"
    path = folder / f"{_cache_key(config)}.npz"
    rendered = None
    try:
        if not path.is_file():
            with lock(folder / f".{path.stem}.lock", f"generating synthactions in {folder}"):
                if not path.is_file():
                    for leftover in folder.glob(f".{path.name}.*.tmp"):  # of a killed save (we hold the lock)
                        leftover.unlink(missing_ok=True)
                    rendered = render_synthactions(config, progress_bar)
                    _save(path, rendered, config)
    except OSError as error:
        print(f"vadcore: synthactions not kept in {folder} ({error}); rendered in memory", file=sys.stderr)
        return rendered if rendered is not None else render_synthactions(config, progress_bar)
    return rendered if rendered is not None else _load(path)


def _cache_key(config: SynthActionsConfig) -> str:
    """The settings, the rendering code (this module and synthped's capsules) and the versions of
    the libraries it draws and filters with: a change of any renders the set again."""
    settings = json.dumps(asdict(config), sort_keys=True, default=lambda value: value.item())  # NumPy scalars too
    digest = hashlib.sha256(f"{settings}|numpy {np.__version__}|scipy {scipy.__version__}".encode())
    for module in (__file__, synthped.__file__):
        digest.update(Path(module).read_bytes())
    return digest.hexdigest()[:16]


def _save(path: Path, data: ActionSet, config: SynthActionsConfig) -> None:
    arrays = {}
    for split, clips in data.splits.items():
        frames = arrays[f"{split}.frames"] = np.empty((len(clips), config.frames, config.size, config.size, 3), np.uint8)
        boxes = arrays[f"{split}.boxes"] = np.empty((len(clips), config.frames, 4))
        for i, clip in enumerate(clips):
            frames[i], boxes[i] = clip.frames, clip.boxes
        arrays[f"{split}.names"] = np.array([c.name for c in clips], str)
        arrays[f"{split}.labels"] = np.array([c.label for c in clips], str)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as stream:
            np.savez(stream, splits=np.array(list(data.splits)), **arrays)


def _load(path: Path) -> ActionSet:
    with np.load(path) as stored:
        splits = {split: [ActionClip(str(name), str(label), frames, boxes) for name, label, frames, boxes in
                          zip(*(stored[f"{split}.{part}"] for part in ("names", "labels", "frames", "boxes")))]
                  for split in stored["splits"].tolist()}
    return ActionSet("synthactions", splits)
