"""Pseudo-anomalies: held-out *normal* training clips altered on one stretch of frames, so that
which frames are anomalous is known by construction — a labelled validation set that reads no
test label. A setting chosen by the detection AUC on these clips is chosen for detection, where
the prediction error of normal frames only measures how well normal video is modelled.

Three kinds, each altering ``length`` frames from a drawn ``start``:

- ``skip`` — the stretch is played ``speed`` times faster (every ``speed``-th frame, ``speed``
  drawn from 2–4): what moves, moves too fast; the clip gets shorter by ``(speed − 1)·length``;
- ``reverse`` — the stretch is played backwards: motion against the scene's direction;
- ``patch`` — a square patch of another clip (the same frames of it) is pasted over the stretch
  and moved across the frame at a constant speed: something that does not belong there, moving.

The altered frames are labelled 1 (every pixel of the patch in the pixel masks of ``patch``).
A clip of the returned list is a :class:`~vadcore.data.video.Video` of split ``"pseudo"`` at the
working size of the clip it was made from, scored like a test clip; :func:`detection_auc` turns a
family's scores of them into the validation AUC its search can decide by.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import roc_auc_score

from vadcore.data.video import Video, VideoSource, array_digest

KINDS = ("skip", "reverse", "patch")
SPEEDS = (2, 3, 4)


@dataclass(frozen=True)
class Alteration:
    """What was done to one clip: ``kind`` on frames ``start … start + length − 1`` of the result
    (``speed``: the skip's factor; ``patch``: the patch's side, its source clip and rows)."""

    kind: str
    start: int
    length: int
    speed: int = 1
    side: int = 0
    source: str = ""


def skip(frames: np.ndarray, start: int, length: int, speed: int) -> np.ndarray:
    """``frames`` with the ``length`` frames from ``start`` on replaced by every ``speed``-th of the
    next ``speed·length`` frames (the rest of the clip follows on)."""
    stop = start + speed * length
    if start < 0 or length < 1 or speed < 2 or stop > len(frames):
        raise ValueError(f"a skip of {length} frames ×{speed} from frame {start} needs {stop} frames, "
                         f"the clip has {len(frames)}")
    return np.concatenate([frames[:start], frames[start:stop:speed], frames[stop:]])


def reverse(frames: np.ndarray, start: int, length: int) -> np.ndarray:
    """``frames`` with the ``length`` frames from ``start`` on in reverse order."""
    if start < 0 or length < 2 or start + length > len(frames):
        raise ValueError(f"cannot reverse {length} frames from frame {start} of a clip of {len(frames)}")
    out = frames.copy()
    out[start : start + length] = frames[start : start + length][::-1]
    return out


def patch(frames: np.ndarray, other: np.ndarray, start: int, length: int, side: int, rng: np.random.Generator
          ) -> tuple[np.ndarray, np.ndarray]:
    """``frames`` with a ``side``×``side`` patch of ``other`` (cut at one drawn place of its frames
    ``start …``, in time with the clip) pasted on frames ``start … start + length − 1``, moving in a
    straight line from one side of the frame to the other at a constant speed; and the pasted
    pixels' masks ``(T, H, W)``."""
    height, width = frames.shape[1:3]
    if side < 1 or side > min(height, width) or start < 0 or length < 2 or start + length > len(frames):
        raise ValueError(f"cannot paste a {side}-pixel patch on {length} frames from frame {start} of a clip of "
                         f"{len(frames)} frames {height}×{width}")
    out, masks = frames.copy(), np.zeros(frames.shape[:3], bool)
    top, left = rng.integers(0, height - side + 1), rng.integers(0, width - side + 1)
    row = rng.integers(0, height - side + 1)
    columns = np.linspace(0, width - side, length).round().astype(int)
    if rng.random() < 0.5:
        columns = columns[::-1]
    for i, column in enumerate(columns):
        t = start + i
        out[t, row : row + side, column : column + side] = other[t % len(other), top : top + side, left : left + side]
        masks[t, row : row + side, column : column + side] = True
    return out, masks


def pseudo_anomalies(videos: Sequence[Video], seed: int = 0, kinds: Sequence[str] = KINDS, length: float = 1 / 3,
                     side: float = 0.25) -> tuple[list[Video], list[Alteration]]:
    """One altered copy of every clip of ``videos`` per kind of ``kinds``: the stretch is a
    ``length`` share of the clip, starting at a drawn frame; a patch's side is a ``side`` share of
    the frame's shorter side, cut from the next clip of ``videos`` (at least two are needed for
    ``patch``). Everything drawn comes from ``seed``. Returns the clips and what was done to each."""
    unknown = set(kinds) - set(KINDS)
    if unknown or not kinds:
        raise ValueError(f"kinds must be among {KINDS}, got {list(kinds)}")
    if "patch" in kinds and len(videos) < 2:
        raise ValueError("a patch is cut from another clip: give at least two clips")
    rng = np.random.default_rng(seed)
    clips, alterations = [], []
    for index, video in enumerate(videos):
        frames = np.asarray(video.frames)
        for kind in kinds:
            stretch = max(2, round(length * len(frames)))
            masks = None
            if kind == "skip":  # as long a stretch as the clip allows at the drawn speed
                speed = int(rng.choice(SPEEDS))
                stretch = max(2, min(stretch, (len(frames) - 1) // speed))
                start = int(rng.integers(1, max(2, len(frames) - speed * stretch + 1)))
                altered, alteration = skip(frames, start, stretch, speed), Alteration(kind, start, stretch, speed)
            elif kind == "reverse":
                start = int(rng.integers(1, len(frames) - stretch + 1))
                altered, alteration = reverse(frames, start, stretch), Alteration(kind, start, stretch)
            else:
                other = videos[(index + 1) % len(videos)]
                start = int(rng.integers(1, len(frames) - stretch + 1))
                pixels = max(1, round(side * min(frames.shape[1:3])))
                altered, masks = patch(frames, np.asarray(other.frames), start, stretch, pixels, rng)
                alteration = Alteration(kind, start, stretch, side=pixels, source=other.name)
            labels = np.zeros(len(altered), np.uint8)
            labels[alteration.start : alteration.start + alteration.length] = 1
            name = f"{video.name}~{kind}"
            source = VideoSource(name, len(altered), lambda a=altered: a, labels,
                                 None if masks is None else (lambda m=masks: m),
                                 fingerprint=f"{name}|{array_digest(altered)}")
            clips.append(Video(name, "pseudo", source, video.size))
            alterations.append(alteration)
    return clips, alterations


def detection_auc(anomaly_scores: Sequence[np.ndarray], labels: Sequence[np.ndarray]) -> float:
    """The micro AUC of pseudo-anomalous clips: each clip's anomaly scores (higher = more anomalous)
    min–max normalised over the clip, every frame pooled — the protocol's headline AUC
    (:func:`vadcore.metrics.frame_metrics`), computed here with scikit-learn so that the protocol
    module stays out of the families' run keys. ``labels`` are each clip's labels of the scored
    frames, aligned with its scores."""
    if len(anomaly_scores) != len(labels) or not anomaly_scores:
        raise ValueError(f"need one label array per clip of scores, got {len(anomaly_scores)} and {len(labels)}")
    normalised = []
    for clip, (scores, truth) in enumerate(zip(anomaly_scores, labels)):
        scores = np.asarray(scores, float)
        if scores.shape != np.shape(truth):
            raise ValueError(f"clip {clip}: {scores.shape[0]} scores for {len(truth)} labels")
        span = scores.max() - scores.min()
        normalised.append((scores - scores.min()) / span if span > 0 else np.zeros_like(scores))
    return float(roc_auc_score(np.concatenate(labels), np.concatenate(normalised)))
