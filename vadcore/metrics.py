"""The evaluation protocol, in one place (``docs/protocol.md``). Every table of every notebook goes
through these functions; notebook 00 walks through them.

Conventions (the per-frame scores themselves, e.g. PSNR, come from :mod:`vadcore.quality`):

- A video's scores are a 1-D array. *Anomaly scores* grow with abnormality; *regularity scores*
  (PSNR, the tutorial's Sr) shrink with it: pass ``higher_is_normal=True`` for those.
- Per-video min–max normalisation (ADL Eq. 16), then one ROC-AUC over all test frames
  concatenated (*micro*, the headline). Also *macro* (mean of per-video AUCs, skipping
  single-class videos), *global* (one min–max over all videos), EER, and the score gap ΔS.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve

Scores = Sequence[np.ndarray]


# --------------------------------------------------------------------------------------------
# Frame scores → protocol
# --------------------------------------------------------------------------------------------
def drop_first(per_video: Scores, t: int) -> list[np.ndarray]:
    """Drop the first ``t`` frames of every video (prediction from ``t`` frames has no score
    for them; AnoPred's convention). Apply it to scores *and* labels."""
    if t < 0:
        raise ValueError("t must be >= 0")
    return [np.asarray(x)[t:] for x in per_video]


def minmax(scores: np.ndarray) -> np.ndarray:
    """Min–max normalise to [0, 1] (ADL Eq. 16); a constant array maps to zeros."""
    scores = np.asarray(scores, dtype=np.float64)
    low, high = scores.min(), scores.max()
    return np.zeros_like(scores) if high == low else (scores - low) / (high - low)


def to_anomaly(per_video: Scores, higher_is_normal: bool) -> list[np.ndarray]:
    return [-np.asarray(s, np.float64) if higher_is_normal else np.asarray(s, np.float64) for s in per_video]


def normalize_per_video(per_video: Scores) -> list[np.ndarray]:
    return [minmax(s) for s in per_video]


def regularity(per_video: Scores, higher_is_normal: bool = False) -> list[np.ndarray]:
    """Per-video normalised regularity S(t) in [0, 1], 1 = most normal (ADL Eq. 16; SEUNet
    Eq. 9 on the masked PSNR; the tutorial's Sr(t) = 1 − (e(t) − min e)/(max e − min e) for
    reconstruction errors e)."""
    return [1.0 - a for a in normalize_per_video(to_anomaly(per_video, higher_is_normal))]


def eer(labels: np.ndarray, scores: np.ndarray) -> float:
    """Equal error rate: where the false-positive rate equals the miss rate (1 − TPR),
    linearly interpolated between the two ROC points around the crossing."""
    fpr, tpr, _ = roc_curve(labels, scores)
    fnr = 1.0 - tpr
    diff = fpr - fnr  # increases from -1 to +1 along the curve
    k = int(np.argmax(diff >= 0))
    if k == 0 or diff[k] == 0:
        return float(fpr[k])
    w = -diff[k - 1] / (diff[k] - diff[k - 1])
    return float(fpr[k - 1] + w * (fpr[k] - fpr[k - 1]))


def _check_aligned(scores: Scores, labels: Scores) -> None:
    if len(scores) != len(labels):
        raise ValueError(f"{len(scores)} score arrays but {len(labels)} label arrays")
    for i, (s, l) in enumerate(zip(scores, labels)):
        if len(s) != len(l):
            raise ValueError(f"video {i}: {len(s)} scores but {len(l)} labels")


@dataclass
class FrameMetrics:
    """Frame-level results of one model on one test set (AUC and EER as fractions in [0, 1])."""

    micro_auc: float
    macro_auc: float
    global_auc: float
    eer: float
    score_gap: float
    n_frames: int
    n_anomalous: int
    macro_skipped: list[int] = field(default_factory=list)
    pixel_auc: float = float("nan")  # UCSD pixel-level rule, where per-pixel maps were scored

    def as_dict(self) -> dict:
        return asdict(self)


def score_gap(normalized_regularity: Scores, labels: Scores) -> float:
    """ΔS = mean normalised regularity of normal frames − that of abnormal frames
    (SEUNet Fig. 8, ADL Fig. 6). Larger means a clearer separation."""
    s = np.concatenate(normalized_regularity)
    y = np.concatenate(labels).astype(bool)
    return float(s[~y].mean() - s[y].mean())


def frame_metrics(scores: Scores, labels: Scores, higher_is_normal: bool = False) -> FrameMetrics:
    """Every frame-level number of the protocol for per-video ``scores`` and 0/1 ``labels``
    (already aligned: drop the first ``t`` frames of both first)."""
    _check_aligned(scores, labels)
    anomaly = to_anomaly(scores, higher_is_normal)
    normalized = normalize_per_video(anomaly)
    y = np.concatenate(labels).astype(int)
    if y.min() == y.max():
        raise ValueError("labels hold a single class: AUC is undefined")
    micro = np.concatenate(normalized)
    per_video, skipped = [], []
    for i, (a, l) in enumerate(zip(anomaly, labels)):
        if np.min(l) == np.max(l):
            skipped.append(i)
        else:
            per_video.append(roc_auc_score(np.asarray(l).astype(int), a))
    return FrameMetrics(
        micro_auc=float(roc_auc_score(y, micro)),
        macro_auc=float(np.mean(per_video)) if per_video else float("nan"),
        global_auc=float(roc_auc_score(y, minmax(np.concatenate(anomaly)))),
        eer=eer(y, micro),
        score_gap=score_gap([1.0 - a for a in normalized], labels),
        n_frames=int(y.size),
        n_anomalous=int(y.sum()),
        macro_skipped=skipped,
    )


def frame_roc(scores: Scores, labels: Scores, higher_is_normal: bool = False, normalization: str = "video"):
    """``(fpr, tpr)`` of the micro ROC, with per-``"video"`` or ``"global"`` min–max."""
    _check_aligned(scores, labels)
    anomaly = to_anomaly(scores, higher_is_normal)
    if normalization == "video":
        values = np.concatenate(normalize_per_video(anomaly))
    elif normalization == "global":
        values = minmax(np.concatenate(anomaly))
    else:
        raise ValueError("normalization must be 'video' or 'global'")
    fpr, tpr, _ = roc_curve(np.concatenate(labels).astype(int), values)
    return fpr, tpr


# --------------------------------------------------------------------------------------------
# Thresholds (SEUNet §3.1: a frame is abnormal when its normalised score is below a threshold)
# --------------------------------------------------------------------------------------------
def threshold_accuracy(normalized_regularity: Scores, labels: Scores, threshold: float) -> float:
    """Frame accuracy when a frame is called anomalous exactly when its normalised regularity
    S_t is at or below ``threshold`` (the convention of the ROC curve's thresholds)."""
    s = np.concatenate(normalized_regularity)
    y = np.concatenate(labels).astype(bool)
    return float(np.mean((s <= threshold) == y))


def best_test_threshold(normalized_regularity: Scores, labels: Scores) -> float:
    """The threshold of the test ROC's point farthest above the diagonal (max TPR − FPR): what
    "the best threshold from the ROC" means when it is read off the test set — a number no
    deployment could know in advance."""
    y = np.concatenate(labels).astype(int)
    fpr, tpr, thresholds = roc_curve(y, -np.concatenate(normalized_regularity))
    return float(-thresholds[int(np.argmax(tpr - fpr))])


def false_alarm_threshold(normalized_regularity_of_normal: Scores, rate: float = 0.05) -> float:
    """The threshold that calls a fraction ``rate`` of *normal* frames anomalous: chosen on
    held-out normal training clips, it needs no test label."""
    return float(np.quantile(np.concatenate(normalized_regularity_of_normal), rate))


# --------------------------------------------------------------------------------------------
# Masks against ground truth (notebook 03)
# --------------------------------------------------------------------------------------------
def iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two boolean masks (of any shape); 1 when both are empty."""
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    union = np.logical_or(a, b).sum()
    return 1.0 if union == 0 else float(np.logical_and(a, b).sum() / union)


def mask_coverage(mask: np.ndarray, anomaly_masks: np.ndarray) -> np.ndarray:
    """For each frame with a non-empty anomaly mask, the fraction of its anomalous pixels inside
    ``mask`` ``(H, W)``: how much of the anomaly a masked score can see."""
    anomaly_masks = np.asarray(anomaly_masks, bool)
    sizes = anomaly_masks.reshape(len(anomaly_masks), -1).sum(1)
    inside = (anomaly_masks & np.asarray(mask, bool)).reshape(len(anomaly_masks), -1).sum(1)
    return inside[sizes > 0] / sizes[sizes > 0]


# --------------------------------------------------------------------------------------------
# Pixel level (UCSD rule)
# --------------------------------------------------------------------------------------------
def pixel_detection_scores(maps: np.ndarray, masks: np.ndarray, labels: np.ndarray, coverage: float = 0.4):
    """Per-frame scores that turn the UCSD pixel-level rule into an ordinary ROC.

    At threshold θ a pixel is detected when ``map ≥ θ``. An anomalous frame is a true positive
    when at least ``coverage`` of its true anomalous pixels are detected, i.e. when θ is at most
    the ⌈coverage·|G|⌉-th largest map value inside the mask G; a normal frame is a false positive
    when any pixel is detected, i.e. when θ ≤ its maximum. Those two values are the scores.
    Anomalous frames whose mask is empty cannot be judged and are returned as ``NaN``.
    """
    maps = np.asarray(maps, np.float64)
    masks = np.asarray(masks, bool)
    labels = np.asarray(labels).astype(bool)
    out = maps.reshape(len(maps), -1).max(axis=1)
    for t in np.flatnonzero(labels):
        inside = np.sort(maps[t][masks[t]])[::-1]
        out[t] = inside[math.ceil(coverage * inside.size) - 1] if inside.size else np.nan
    return out


def pixel_auc(maps: Scores, masks: Scores, labels: Scores, coverage: float = 0.4) -> tuple[float, int]:
    """Pixel-level AUC over all test videos with the UCSD rule (≥ 40 % of the anomalous pixels
    covered); returns ``(auc, number of anomalous frames skipped for lack of a mask)``."""
    scores = np.concatenate([pixel_detection_scores(m, k, l, coverage) for m, k, l in zip(maps, masks, labels)])
    y = np.concatenate(labels).astype(int)
    keep = ~np.isnan(scores)
    return float(roc_auc_score(y[keep], scores[keep])), int((~keep).sum())


# --------------------------------------------------------------------------------------------
# Few-shot
# --------------------------------------------------------------------------------------------
def mean_confidence_interval(accuracies: Sequence[float]) -> tuple[float, float]:
    """Mean accuracy over episodes and its 95 % half-width 1.96·std/√N (population std)."""
    values = np.asarray(accuracies, np.float64)
    if values.size == 0:
        raise ValueError("no episodes")
    return float(values.mean()), float(1.96 * values.std() / math.sqrt(values.size))
