"""``synthped``: synthetic surveillance video in the official UCSD layout.

A static grayscale camera looks down a walkway with grass on both sides, under perspective
(objects shrink towards the top), with sensor noise and a slow illumination drift. Normal events
are pedestrians with a gait walking along the walkway in both directions, their number rising and
falling over each clip so that raw motion energy is a poor anomaly score. Test clips add UCSD-like
anomalies: bicycles (fast), carts (large), people taking a diagonal short cut across the grass
(a direction of motion no normal pedestrian has), and runners. Frame labels
mark frames where an anomalous object is visible; pixel masks mark its silhouette; an extra
``foreground/`` folder holds masks of every moving object::

    synthped/Train/Train001/001.tif …      synthped/Test/Test001/001.tif …
    synthped/Test/synthped.m               synthped/Test/Test001_gt/001.bmp …
    synthped/foreground/{Train,Test}/<clip>/001.png …
    synthped/synthped.json                 the generator's settings (regenerated when they change)

Everything is drawn from one primitive, a soft capsule (a segment with a radius): heads, torsos,
limbs, wheels and vehicle bodies.
The default data of every notebook's ``smoke`` profile.
"""
from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from scipy.ndimage import gaussian_filter

from vadcore.atomic import lock, umask
from vadcore.data.errors import DatasetError
from vadcore.progress import progress as tqdm

GENERATOR_VERSION = 3
MANIFEST = "synthped.json"  # the generator's version and settings, written last
ANOMALY_KINDS = ("bicycle", "cart", "grass_walker", "runner")


@dataclass(frozen=True)
class SynthPedConfig:
    """Size and content of a synthped copy. The defaults are what notebooks use."""

    seed: int = 0
    height: int = 160
    width: int = 240
    n_train: int = 10
    n_test: int = 12  # as many as UCSD Ped2
    train_frames: int = 120
    test_frames: int = 150
    person_height: float = 48.0  # pixels, at the bottom edge (30 % of the frame, as in Ped2)
    walk_speed: float = 1.2  # pixels per frame at the bottom edge
    noise_std: float = 0.015  # sensor noise, in [0, 1] intensity
    drift: float = 0.05  # relative amplitude of the illumination drift
    crowd: tuple[float, float] = (1.0, 7.0)  # range of the per-clip mean pedestrian count
    anomaly_kinds: tuple[str, ...] = ANOMALY_KINDS


# --------------------------------------------------------------------------------------------
# Scene geometry: perspective scale and the walkway
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scene:
    height: int
    width: int
    horizon: float  # rows above this are the far background (walkway vanishes there)
    background: np.ndarray = field(repr=False)

    def scale(self, y: float) -> float:
        """Perspective: 1 at the bottom edge, 0.35 at the horizon."""
        t = (y - self.horizon) / (self.height - self.horizon)
        return 0.35 + 0.65 * float(np.clip(t, 0.0, 1.0))

    def centre(self, y: float) -> float:
        """Walkway centre line: slightly slanted, as seen by a camera off to one side."""
        return self.width * (0.46 + 0.10 * (1 - y / self.height))

    def half_width(self, y: float) -> float:
        return 0.19 * self.width * self.scale(y)


def walkway_mask(height: int = SynthPedConfig.height, width: int = SynthPedConfig.width) -> np.ndarray:
    """Bool ``(H, W)``: the walkway pedestrians are generated on (below the horizon) — the region
    a person drawing ADL's human ROI (ADL Eq. 1) would mark."""
    scene = Scene(height, width, 0.14 * height, np.zeros((0, 0)))
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float64)
    centre = np.array([scene.centre(y) for y in range(height)])[:, None]
    half = np.array([scene.half_width(y) for y in range(height)])[:, None]
    return (np.abs(cols - centre) < half) & (rows >= scene.horizon)


def make_scene(rng: np.random.Generator, height: int, width: int) -> Scene:
    """Textured grass, a paved walkway with kerbs and paving joints, a far building band, bushes."""
    horizon = 0.14 * height
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float64)
    scene = Scene(height, width, horizon, np.zeros((height, width)))
    centre = np.array([scene.centre(y) for y in range(height)])[:, None]
    half = np.array([scene.half_width(y) for y in range(height)])[:, None]
    lateral = np.abs(cols - centre) / half

    grass = 0.40 + 0.07 * gaussian_filter(rng.standard_normal((height, width)), 0.8)
    grass += 0.25 * gaussian_filter(rng.standard_normal((height, width)), 6.0)
    walkway = 0.64 + 0.015 * gaussian_filter(rng.standard_normal((height, width)), 1.0)
    # paving joints: rows equally spaced in "metres", hence closer together towards the top
    depth = np.cumsum([1.0 / scene.scale(y) for y in range(height)])[::-1][:, None]
    walkway -= 0.035 * (np.mod(depth, 9.0) < 1.0)
    kerb = np.clip(1.0 - np.abs(lateral - 1.0) * half / 1.5, 0.0, 1.0)
    image = np.where(lateral < 1.0, walkway, grass) - 0.12 * kerb
    for _ in range(6):  # bushes on the grass
        by, bx = rng.uniform(horizon + 10, height - 5), rng.uniform(0, width)
        if abs(bx - scene.centre(by)) < 1.6 * scene.half_width(by):
            continue
        radius = 9 * scene.scale(by) * rng.uniform(0.8, 1.4)
        image -= 0.12 * np.clip(radius - np.hypot(rows - by, cols - bx), 0, 1.5) / 1.5
    far = 0.30 + 0.05 * np.sign(np.sin(cols / 7.0)) + 0.02 * rng.standard_normal((height, width))
    image = np.where(rows < horizon, gaussian_filter(far, 0.7), image)
    return Scene(height, width, horizon, np.clip(image, 0.0, 1.0))


# --------------------------------------------------------------------------------------------
# Drawing: soft capsules composited into the frame
# --------------------------------------------------------------------------------------------
Capsule = tuple[float, float, float, float, float, float]  # y0, x0, y1, x1, radius, value


def capsule_alpha(shape: tuple[int, int], capsules: list[Capsule]) -> tuple[np.ndarray, np.ndarray, tuple]:
    """Coverage (alpha) and intensity of a union of capsules, inside their bounding box.

    Returns ``(alpha, value, (top, left))``; the later capsule wins where two overlap.
    """
    ys = [c[0] for c in capsules] + [c[2] for c in capsules]
    xs = [c[1] for c in capsules] + [c[3] for c in capsules]
    pad = max(c[4] for c in capsules) + 2
    top, bottom = max(int(min(ys) - pad), 0), min(int(max(ys) + pad) + 1, shape[0])
    left, right = max(int(min(xs) - pad), 0), min(int(max(xs) + pad) + 1, shape[1])
    if top >= bottom or left >= right:
        return np.zeros((0, 0)), np.zeros((0, 0)), (0, 0)
    py, px = np.mgrid[top:bottom, left:right].astype(np.float64)
    alpha = np.zeros(py.shape)
    value = np.zeros(py.shape)
    for y0, x0, y1, x1, radius, intensity in capsules:
        dy, dx = y1 - y0, x1 - x0
        length2 = dy * dy + dx * dx
        t = np.zeros(py.shape) if length2 == 0 else np.clip(((py - y0) * dy + (px - x0) * dx) / length2, 0, 1)
        distance = np.hypot(py - (y0 + t * dy), px - (x0 + t * dx))
        a = np.clip(radius + 0.5 - distance, 0.0, 1.0)
        value = np.where(a > 0, intensity, value)
        alpha = np.maximum(alpha, a)
    return alpha, value, (top, left)


# --------------------------------------------------------------------------------------------
# Actors
# --------------------------------------------------------------------------------------------
@dataclass
class Actor:
    """A moving object. ``y``, ``x``: image position of its feet (ground contact point)."""

    kind: str  # "pedestrian" or one of ANOMALY_KINDS
    y: float
    x: float
    vy: float  # pixels per frame at scale 1 (negative: walking away, up the image)
    vx: float
    lateral: float | None  # position across the walkway in half-widths; None: free path
    body: float
    head: float
    phase: float
    anomalous: bool

    def place(self, scene: Scene) -> Actor:
        """Put an actor that keeps to a lane across the walkway (``lateral``) on that lane."""
        if self.lateral is not None:
            self.x = scene.centre(self.y) + self.lateral * scene.half_width(self.y)
        return self

    def step(self, scene: Scene) -> None:
        s = scene.scale(self.y)
        self.y += self.vy * s
        self.x += self.vx * s
        self.place(scene)
        stride = {"runner": 0.9, "bicycle": 1.6}.get(self.kind, 0.55)
        self.phase += math.hypot(self.vy, self.vx) / (stride * 30.0) * 2 * math.pi

    def visible(self, scene: Scene) -> bool:
        return scene.horizon - 2 < self.y < scene.height + 30 and -30 < self.x < scene.width + 30

    def capsules(self, scene: Scene, person_height: float) -> list[Capsule]:
        h = person_height * scene.scale(self.y)
        y, x, sw = self.y, self.x, math.sin(self.phase)
        if self.kind == "cart":
            return [  # a small vehicle, wider than a person, with a darker canopy
                (y - 0.32 * h, x - 0.45 * h, y - 0.32 * h, x + 0.45 * h, 0.30 * h, self.body),
                (y - 0.55 * h, x - 0.30 * h, y - 0.55 * h, x + 0.30 * h, 0.16 * h, self.body * 0.5),
                (y - 0.02 * h, x - 0.45 * h, y - 0.02 * h, x - 0.45 * h, 0.09 * h, 0.08),
                (y - 0.02 * h, x + 0.45 * h, y - 0.02 * h, x + 0.45 * h, 0.09 * h, 0.08),
            ]
        if self.kind == "bicycle":
            lift = 0.12 * h
            return [  # wheels seen end-on (a thin vertical bar), rider higher up and pedalling
                (y - 0.40 * h, x, y + 0.02 * h, x, 0.05 * h, 0.12),
                (y - 0.62 * h, x - 0.16 * h, y - 0.62 * h, x + 0.16 * h, 0.03 * h, 0.15),
                (y - 0.45 * h + 0.05 * h * sw, x - 0.06 * h, y - 0.62 * h, x - 0.04 * h, 0.045 * h, self.body),
                (y - 0.45 * h - 0.05 * h * sw, x + 0.06 * h, y - 0.62 * h, x + 0.04 * h, 0.045 * h, self.body),
                (y - 0.75 * h - lift, x, y - 0.55 * h - lift, x, 0.11 * h, self.body),
                (y - 0.92 * h - lift, x, y - 0.92 * h - lift, x, 0.085 * h, self.head),
            ]
        swing = 0.07 * h * (1.8 if self.kind == "runner" else 1.0)
        return [  # pedestrian (also the runner and the grass walker)
            (y - 0.48 * h, x - 0.04 * h, y + swing * sw, x - 0.05 * h, 0.05 * h, self.body * 0.8),
            (y - 0.48 * h, x + 0.04 * h, y - swing * sw, x + 0.05 * h, 0.05 * h, self.body * 0.8),
            (y - 0.76 * h, x - 0.13 * h, y - 0.52 * h - swing * sw, x - 0.15 * h, 0.04 * h, self.body),
            (y - 0.76 * h, x + 0.13 * h, y - 0.52 * h + swing * sw, x + 0.15 * h, 0.04 * h, self.body),
            (y - 0.78 * h, x, y - 0.52 * h, x, 0.11 * h, self.body),
            (y - 0.92 * h, x, y - 0.92 * h, x, 0.085 * h, self.head),
        ]


def _colours(rng: np.random.Generator) -> tuple[float, float]:
    body = rng.uniform(0.08, 0.32) if rng.random() < 0.6 else rng.uniform(0.78, 0.95)
    return float(body), float(rng.uniform(0.45, 0.6))


def spawn_pedestrian(rng, scene: Scene, config: SynthPedConfig, anywhere: bool) -> Actor:
    """A normal pedestrian entering at the near or far end (or anywhere, at a clip's start)."""
    away = rng.random() < 0.5
    if anywhere:
        y = rng.uniform(scene.horizon + 4, scene.height)
    else:
        y = scene.height + 8 if away else scene.horizon + 1
    speed = config.walk_speed * float(np.clip(rng.normal(1.0, 0.12), 0.75, 1.3))
    body, head = _colours(rng)
    lateral = float(rng.uniform(-0.75, 0.75))
    actor = Actor("pedestrian", y, 0.0, -speed if away else speed, 0.0, lateral, body, head,
                  float(rng.uniform(0, 2 * np.pi)), False)
    return actor.place(scene)


def spawn_anomaly(rng, scene: Scene, config: SynthPedConfig, kind: str) -> Actor:
    """An anomalous actor entering the scene (UCSD-like: bikes, carts, grass walkers, runners)."""
    away = rng.random() < 0.5
    y = scene.height + 8 if away else scene.horizon + 1
    direction = -1.0 if away else 1.0
    body, head = _colours(rng)
    lateral: float | None = float(rng.uniform(-0.5, 0.5))
    vx = 0.0
    speed = config.walk_speed * {"bicycle": 3.2, "cart": 1.5, "runner": 2.6}.get(kind, 1.0)
    if kind == "cart":
        body = float(rng.uniform(0.15, 0.3) if rng.random() < 0.5 else rng.uniform(0.8, 0.9))
    if kind == "grass_walker":  # a short cut: diagonally across the grass and the walkway
        angle = math.radians(rng.uniform(20, 45)) * (1.0 if rng.random() < 0.5 else -1.0)
        vx = speed * math.cos(angle) * (1.0 if rng.random() < 0.5 else -1.0)
        y = float(rng.uniform(scene.horizon + 0.4 * (scene.height - scene.horizon), scene.height - 5))
        x0 = -8.0 if vx > 0 else scene.width + 8.0
        return Actor(kind, y, x0, speed * math.sin(angle), vx, None, body, head, 0.0, True)
    return Actor(kind, y, 0.0, direction * speed, vx, lateral, body, head, 0.0, True).place(scene)


# --------------------------------------------------------------------------------------------
# Clips
# --------------------------------------------------------------------------------------------
@dataclass
class Clip:
    frames: np.ndarray  # uint8 (T, H, W)
    labels: np.ndarray  # uint8 (T,)
    anomaly_masks: np.ndarray  # bool (T, H, W)
    foreground: np.ndarray  # bool (T, H, W)
    events: list[str]


def render_clip(
    rng: np.random.Generator, scene: Scene, config: SynthPedConfig, n_frames: int,
    anomalies: list[tuple[int, str]],
) -> Clip:
    """Simulate and draw one clip; ``anomalies`` lists ``(start frame, kind)`` events."""
    shape = (scene.height, scene.width)
    mean_count = rng.uniform(*config.crowd)
    period, phase = rng.uniform(60, 160), rng.uniform(0, 2 * np.pi)
    actors = [spawn_pedestrian(rng, scene, config, True) for _ in range(rng.poisson(mean_count))]
    drift_period, drift_phase = rng.uniform(150, 400), rng.uniform(0, 2 * np.pi)
    frames = np.empty((n_frames, *shape), np.uint8)
    anomaly_masks = np.zeros((n_frames, *shape), bool)
    foreground = np.zeros((n_frames, *shape), bool)
    for t in range(n_frames):
        target = mean_count * (1 + 0.8 * math.sin(2 * math.pi * t / period + phase))
        normal = sum(not a.anomalous for a in actors)
        if normal < target and rng.random() < 0.25:
            actors.append(spawn_pedestrian(rng, scene, config, False))
            if rng.random() < 0.3:  # people often walk in pairs
                friend = spawn_pedestrian(rng, scene, config, False)
                friend.y, friend.vy = actors[-1].y + np.sign(actors[-1].vy) * 4, actors[-1].vy
                actors.append(friend.place(scene))
        actors += [spawn_anomaly(rng, scene, config, kind) for start, kind in anomalies if start == t]
        image = scene.background.copy()
        for actor in sorted(actors, key=lambda a: a.y):  # far first: nearer objects occlude
            alpha, value, (top, left) = capsule_alpha(shape, actor.capsules(scene, config.person_height))
            if alpha.size == 0:
                continue
            window = (slice(top, top + alpha.shape[0]), slice(left, left + alpha.shape[1]))
            image[window] = image[window] * (1 - alpha) + value * alpha
            covered = alpha > 0.5
            foreground[t][window] |= covered
            if actor.anomalous:
                anomaly_masks[t][window] |= covered
            else:  # a nearer pedestrian hides the part of an anomaly behind it
                anomaly_masks[t][window] &= ~covered
        gain = 1 + config.drift * math.sin(2 * math.pi * t / drift_period + drift_phase)
        image = image * gain + rng.normal(0, config.noise_std, shape)
        frames[t] = np.clip(np.round(image * 255), 0, 255).astype(np.uint8)
        for actor in actors:
            actor.step(scene)
        actors = [a for a in actors if a.visible(scene)]
    labels = (anomaly_masks.sum(axis=(1, 2)) >= 10).astype(np.uint8)
    anomaly_masks[labels == 0] = False
    return Clip(frames, labels, anomaly_masks, foreground, [k for _, k in anomalies])


def test_events(rng: np.random.Generator, index: int, config: SynthPedConfig, n_frames: int):
    """One or two anomalous events per test clip, kinds taken in turn so every kind appears."""
    kinds = config.anomaly_kinds
    first = kinds[index % len(kinds)]
    start = 0 if index % 3 == 0 else int(rng.integers(15, n_frames // 2))
    events = [(start, first)]
    if index % 2 == 1 and start + 70 < n_frames - 20:
        events.append((int(rng.integers(start + 70, n_frames - 20)), kinds[(index + 1) % len(kinds)]))
    return events


# --------------------------------------------------------------------------------------------
# Writing the UCSD layout
# --------------------------------------------------------------------------------------------
def _write_clip(folder: Path, clip: Clip, split: str, name: str, with_gt: bool) -> None:
    import tifffile
    from PIL import Image

    (folder / split / name).mkdir(parents=True)
    (folder / "foreground" / split / name).mkdir(parents=True)
    if with_gt:
        (folder / split / f"{name}_gt").mkdir()
    for t, frame in enumerate(clip.frames, start=1):
        tifffile.imwrite(folder / split / name / f"{t:03d}.tif", frame)
        Image.fromarray(clip.foreground[t - 1]).save(folder / "foreground" / split / name / f"{t:03d}.png")
        if with_gt:
            Image.fromarray(clip.anomaly_masks[t - 1]).save(folder / split / f"{name}_gt" / f"{t:03d}.bmp")


def _ranges(labels: np.ndarray) -> str:
    """MATLAB ranges ``[61:180, 200:210]`` (1-based, inclusive) of the anomalous frames."""
    edges = np.diff(np.concatenate([[0], labels.astype(int), [0]]))
    starts, ends = np.flatnonzero(edges == 1) + 1, np.flatnonzero(edges == -1)
    return "[" + ", ".join(f"{s}:{e}" for s, e in zip(starts, ends)) + "]"


def generate_synthped(root: Path, config: SynthPedConfig = SynthPedConfig(), progress: bool = True) -> Path:
    """Write a synthped copy to ``root`` (atomically: a temporary folder renamed at the end;
    under a lock, so that two processes never write one copy, and what a killed generation left
    behind is removed first)."""
    with lock(Path(root).parent / f".{Path(root).name}.lock", f"generating synthped in {root}"):
        return _generate(Path(root), config, progress)


def ensure_synthped(root: Path, config: SynthPedConfig | None) -> None:
    """Generate synthped in ``root`` unless a current copy made with ``config`` (any, if ``None``)
    is there; a process that finds another one generating waits for it and reads its copy."""
    root = Path(root)
    if is_current(root, config):
        return
    with lock(root.parent / f".{root.name}.lock", f"generating synthped in {root}"):
        if not is_current(root, config):
            _generate(root, config or SynthPedConfig(), True)


def _generate(root: Path, config: SynthPedConfig, progress: bool) -> Path:
    if root.is_dir() and any(root.iterdir()) and not (root / MANIFEST).is_file():
        raise DatasetError(root, f"holds files but no synthped copy (no {MANIFEST}): not overwritten. Another "
                                 "dataset? Name it (dataset=…, --dataset); else give an empty or a new folder")
    rng = np.random.default_rng(config.seed)
    scene = make_scene(rng, config.height, config.width)
    root.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{root.name}-generating-"
    for stale in root.parent.glob(prefix + "*"):  # left by a killed generation (we hold the lock)
        shutil.rmtree(stale, ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix=prefix, dir=root.parent))
    try:
        gt_lines, summary = ["TestVideoFile = {};"], []
        total = config.n_train + config.n_test
        bar = tqdm(total=total, desc="synthped", unit="clip", disable=not progress)
        for i in range(config.n_train):
            clip = render_clip(rng, scene, config, config.train_frames, [])
            _write_clip(work, clip, "Train", f"Train{i + 1:03d}", with_gt=False)
            bar.update()
        for i in range(config.n_test):
            events = test_events(rng, i, config, config.test_frames)
            clip = render_clip(rng, scene, config, config.test_frames, events)
            _write_clip(work, clip, "Test", f"Test{i + 1:03d}", with_gt=True)
            gt_lines.append(f"TestVideoFile{{end+1}}.gt_frame = {_ranges(clip.labels)};")
            summary.append({"clip": f"Test{i + 1:03d}", "events": clip.events})
            bar.update()
        bar.close()
        (work / "Test" / "synthped.m").write_text("\n".join(gt_lines) + "\n")
        manifest = {"generator_version": GENERATOR_VERSION, "config": asdict(config), "test_events": summary}
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2))
        os.chmod(work, 0o777 & ~umask())  # mkdtemp makes it owner-only; a class may share the copy
        if root.exists():
            shutil.rmtree(root)
        work.rename(root)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return root


def is_current(root: Path, config: SynthPedConfig | None = None) -> bool:
    """Whether ``root`` holds a complete copy from this generator (made with ``config``, if given)."""
    manifest = Path(root) / MANIFEST
    if not manifest.is_file():
        return False
    content = json.loads(manifest.read_text())
    if content.get("generator_version") != GENERATOR_VERSION:
        return False
    return config is None or content.get("config") == json.loads(json.dumps(asdict(config)))
