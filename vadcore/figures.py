"""Figures shared by the notebooks: one function per figure kind, returning the matplotlib
figure (save it with :func:`vadcore.report.save_figure`)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

ANOMALY_SHADE = dict(color="tab:red", alpha=0.15, lw=0)


def shade_anomalies(ax, labels: np.ndarray, offset: int = 0) -> None:
    """Shade the anomalous frames (label 1) of a clip on a time axis."""
    labels = np.asarray(labels).astype(int)
    edges = np.diff(np.concatenate([[0], labels, [0]]))
    for start, end in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
        ax.axvspan(start + offset - 0.5, end + offset - 0.5, **ANOMALY_SHADE)


def frame_grid(frames: Sequence[np.ndarray], titles: Sequence[str], masks: Sequence[np.ndarray | None] | None = None,
               columns: int = 4, width: float = 3.2):
    """Frames in a grid, anomaly masks outlined in red where given."""
    rows = int(np.ceil(len(frames) / columns))
    first = np.asarray(frames[0])
    height = width * first.shape[0] / first.shape[1]
    fig, axes = plt.subplots(rows, columns, figsize=(width * columns, (height + 0.35) * rows), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for i, (frame, title) in enumerate(zip(frames, titles)):
        ax = axes.ravel()[i]
        ax.imshow(frame, cmap="gray", vmin=0, vmax=255)
        mask = None if masks is None else masks[i]
        if mask is not None and np.any(mask):
            ax.contour(mask.astype(float), levels=[0.5], colors="red", linewidths=0.8)
        ax.set_title(title, fontsize=8)
    fig.tight_layout()
    return fig


def score_curves(curves: Mapping[str, Sequence[np.ndarray]], labels: Sequence[np.ndarray], names: Sequence[str],
                 ylabel: str = "normalised regularity S(t)", offset: int = 0, columns: int = 2):
    """Per-video score curves (one line per model/score) over time, anomalous frames shaded.

    ``curves[label][i]`` is the curve of video ``i``; ``offset`` is the frame index of the first
    score (e.g. ``t`` for a predictor from ``t`` frames).
    """
    n = len(names)
    rows = int(np.ceil(n / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(5.5 * columns, 2.6 * rows), squeeze=False, sharey=True)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    for i, name in enumerate(names):
        ax = axes.ravel()[i]
        shade_anomalies(ax, labels[i], offset)
        for label, per_video in curves.items():
            ax.plot(np.arange(len(per_video[i])) + offset, per_video[i], lw=1.2, label=label)
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("frame")
        ax.set_ylabel(ylabel)
    axes.ravel()[0].legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig


def roc_curves(curves: Mapping[str, tuple[np.ndarray, np.ndarray]], title: str = ""):
    """ROC curves: ``curves[label] = (fpr, tpr)``."""
    fig, ax = plt.subplots(figsize=(4.2, 4.0))
    for label, (fpr, tpr) in curves.items():
        ax.plot(fpr, tpr, lw=1.4, label=label)
    ax.plot([0, 1], [0, 1], color="gray", lw=0.8, ls="--")
    ax.plot([0, 1], [1, 0], color="gray", lw=0.5, ls=":", label="EER line")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig


def score_distributions(raw: Sequence[np.ndarray], normalized: Sequence[np.ndarray], names: Sequence[str],
                        labels: Sequence[np.ndarray], raw_label: str):
    """Why per-video normalisation matters: each clip's scores before and after min–max,
    normal (blue) and anomalous (red) frames side by side."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.2))
    for ax, values, ylabel in ((axes[0], raw, raw_label), (axes[1], normalized, "per-video min–max score")):
        for i, (v, y) in enumerate(zip(values, labels)):
            y = np.asarray(y).astype(bool)
            jitter = np.random.default_rng(i).uniform(-0.18, 0.18, len(v))
            ax.scatter(i + jitter[~y] - 0.1, v[~y], s=2, color="tab:blue", alpha=0.5)
            ax.scatter(i + jitter[y] + 0.1, v[y], s=2, color="tab:red", alpha=0.5)
        ax.set_xticks(range(len(names)), names, rotation=90, fontsize=7)
        ax.set_ylabel(ylabel)
        ax.set_xlabel("test clip")
    axes[0].scatter([], [], color="tab:blue", label="normal frames")
    axes[0].scatter([], [], color="tab:red", label="anomalous frames")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    return fig


def dataset_preview(dataset, n_train: int = 2, n_test: int = 6, foreground: bool = False):
    """Training frames, then test frames in the middle of their first anomalous event with the
    anomaly mask outlined (with ``foreground=True``: the masks of every moving object)."""
    frames, titles, masks = [], [], []
    for video in dataset.train[:n_train]:
        t = video.n_frames // 2
        frames.append(video.frames[t])
        titles.append(f"train {video.name}, frame {t + 1}")
        masks.append(video.foreground[t] if foreground and video.foreground is not None else None)
    for video in dataset.test[:n_test]:
        anomalous = np.flatnonzero(video.labels)
        t = int(anomalous[len(anomalous) // 2]) if anomalous.size else video.n_frames // 2
        frames.append(video.frames[t])
        titles.append(f"test {video.name}, frame {t + 1}" + (" (anomalous)" if anomalous.size else ""))
        if foreground and video.foreground is not None:
            masks.append(video.foreground[t])
        else:
            masks.append(None if video.masks is None else video.masks[t])
    return frame_grid(frames, titles, masks, columns=4)


def image_table(images: Sequence[Sequence[np.ndarray]], row_labels: Sequence[str], column_labels: Sequence[str],
                cmaps: Sequence[str] | None = None, width: float = 2.6, colorbar_label: str | None = None,
                shared_scale: bool = False):
    """A grid of images: ``images[r][c]``; ``cmaps[c]`` per column (``"gray"`` frames in 0–255;
    any other map is scaled from 0 to the column's maximum, or, with ``shared_scale``, to the
    maximum of every non-gray image, so that two models' error maps can be compared by colour;
    ``colorbar_label`` adds colour bars)."""
    rows, columns = len(images), len(images[0])
    first = np.asarray(images[0][0])
    height = width * first.shape[0] / first.shape[1]
    fig, axes = plt.subplots(rows, columns, figsize=(width * columns, (height + 0.3) * rows), squeeze=False)
    colored = [c for c in range(columns) if cmaps and cmaps[c] != "gray"]
    overall = max((float(np.max(images[r][c])) for r in range(rows) for c in colored), default=1.0)
    for c in range(columns):
        cmap = cmaps[c] if cmaps else "gray"
        top = overall if shared_scale else max(float(np.max(images[r][c])) for r in range(rows))
        for r in range(rows):
            ax = axes[r][c]
            kwargs = {"vmin": 0, "vmax": 255} if cmap == "gray" else {"vmin": 0, "vmax": top or 1}
            shown = ax.imshow(images[r][c], cmap=cmap, **kwargs)
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(column_labels[c], fontsize=8)
            if c == 0:
                ax.set_ylabel(row_labels[r], fontsize=8)
            if cmap != "gray" and colorbar_label:
                bar = fig.colorbar(shown, ax=ax, fraction=0.046, pad=0.02)
                bar.ax.tick_params(labelsize=6)
                if r == rows - 1:
                    bar.set_label(colorbar_label, fontsize=7)
    return fig


def training_curves(curves: Mapping[str, np.ndarray], ylabel: str, smooth: int = 20, log: bool = True, ax=None):
    """Loss per iteration (moving average over ``smooth`` iterations), one line per run; drawn
    into ``ax`` when given (for side-by-side panels), else into a new figure."""
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.2))
    fig = ax.figure
    for label, values in curves.items():
        values = np.asarray(values, np.float64)
        k = max(1, min(smooth, len(values) // 5))
        averaged = np.convolve(values, np.ones(k) / k, mode="valid")
        ax.plot(np.arange(len(averaged)) + k - 1, averaged, lw=1.2, label=label)
    ax.set_xlabel("iteration")
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("log")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def validation_curves(runs: Mapping[str, tuple[np.ndarray, np.ndarray]], reference: Mapping[str, float],
                      ylabel: str = "validation PSNR (dB)", title: str = "", ax=None):
    """Validation score against training iterations, one line per run (``runs[label] = (steps,
    values)``), and a dashed line per reference value (e.g. copying the last frame)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(5.8, 3.4))
    for label, (steps, values) in runs.items():
        ax.plot(steps, values, marker="o", ms=2.5, lw=1.2, label=label)
    for i, (label, value) in enumerate(reference.items()):
        ax.axhline(value, color="k", lw=0.9, ls=("--", ":", "-.")[i % 3], label=label)
    ax.set_xlabel("iteration")
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)
    ax.figure.tight_layout()
    return ax.figure


def score_difference(normalized: Mapping[str, np.ndarray], labels: np.ndarray, offset: int, title: str = ""):
    """ADL Fig. 6: each model's normalised score S_t on one clip (left) and the difference of the
    second minus the first (right), anomalous frames shaded."""
    (first, a), (second, b) = list(normalized.items())[:2]
    fig, axes = plt.subplots(1, 2, figsize=(11, 2.8))
    for name, values in normalized.items():
        axes[0].plot(np.arange(offset, offset + len(values)), values, lw=1.2, label=name)
    axes[1].plot(np.arange(offset, offset + len(a)), b - a, color="k", lw=1.2)
    axes[1].axhline(0, color="gray", lw=0.6)
    for ax, ylabel in zip(axes, ["normalised score $S_t$", f"{second} − {first}"]):
        shade_anomalies(ax, labels, offset)
        ax.set_xlabel("frame")
        ax.set_ylabel(ylabel)
    axes[0].legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def region_curves(curves: Mapping[str, Mapping[str, np.ndarray]], labels: np.ndarray, offset: int,
                  ylabel: str = "PSNR (dB)", title: str = ""):
    """ADL Fig. 7: one panel per region (``curves[region][model]`` over the frames of one clip),
    anomalous frames shaded."""
    fig, axes = plt.subplots(1, len(curves), figsize=(5.5 * len(curves), 2.8), sharey=True, squeeze=False)
    for ax, (region, per_model) in zip(axes[0], curves.items()):
        for name, values in per_model.items():
            ax.plot(np.arange(offset, offset + len(values)), values, lw=1.2, label=name)
        shade_anomalies(ax, labels, offset)
        ax.set_title(f"{region} {ylabel.split(' (')[0]}", fontsize=9)
        ax.set_xlabel("frame")
    axes[0][0].set_ylabel(ylabel)
    axes[0][0].legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def regularity_formula(error: np.ndarray, labels: np.ndarray, title: str = ""):
    """The tutorial's regularity score s_r(t) = 1 − (e − min e)/(max e − min e) next to its
    code's version 1 − (e − min e)/max e, on one clip (notebook 01)."""
    error = np.asarray(error, np.float64)
    correct = 1 - (error - error.min()) / (error.max() - error.min())
    tutorial = 1 - (error - error.min()) / error.max()
    fig, ax = plt.subplots(figsize=(6, 2.8))
    shade_anomalies(ax, labels)
    ax.plot(correct, label="$s_r$, correct (max − min)")
    ax.plot(tutorial, label="tutorial's code (÷ max)", ls="--")
    ax.set_xlabel("frame")
    ax.set_ylabel("regularity score $s_r(t)$")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def periodic_signal(curves: Mapping[str, np.ndarray], period: int, ylabel: str, offset: int = 1):
    """One panel per curve over the frames of a clip, with a dotted line every ``period`` frames
    (notebook 00: the static background's change, and the codec's 12-frame groups)."""
    fig, axes = plt.subplots(1, len(curves), figsize=(5.5 * len(curves), 2.6), squeeze=False, sharey=True)
    for ax, (label, values) in zip(axes[0], curves.items()):
        frames = np.arange(offset, offset + len(values))
        ax.plot(frames, values, lw=1.0)
        for x in range(period, frames[-1] + 1, period):
            ax.axvline(x, color="gray", lw=0.5, ls=":")
        ax.set_title(label, fontsize=9)
        ax.set_xlabel("frame")
    axes[0][0].set_ylabel(ylabel)
    fig.tight_layout()
    return fig


def bars(values: Mapping[str, Sequence[float]], ylabel: str, title: str = ""):
    """One bar per method: the mean over seeds, with the seeds as dots (SEUNet Fig. 8: ΔS)."""
    fig, ax = plt.subplots(figsize=(1.2 + 1.3 * len(values), 3.2))
    for i, (name, per_seed) in enumerate(values.items()):
        per_seed = np.asarray(per_seed, np.float64)
        ax.bar(i, per_seed.mean(), color=f"C{i}", alpha=0.8)
        ax.scatter(np.full(len(per_seed), i), per_seed, color="k", s=10, zorder=3)
    ax.set_xticks(range(len(values)), list(values), fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig


def thresholded_score(score: np.ndarray, labels: np.ndarray, offset: int, thresholds: Mapping[str, float],
                      ylabel: str, title: str = ""):
    """One clip's normalised score over time, anomalous frames shaded, with horizontal threshold
    lines (SEUNet Fig. 4: frames under a line are called anomalous)."""
    fig, ax = plt.subplots(figsize=(7, 2.8))
    shade_anomalies(ax, labels, offset)
    ax.plot(np.arange(offset, offset + len(score)), score, color="k", lw=1.2, label="score")
    for i, (label, value) in enumerate(thresholds.items()):
        ax.axhline(value, color=f"C{i + 1}", lw=1.0, ls=("--", ":", "-.")[i % 3], label=label)
    ax.set_xlabel("frame")
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    return fig


def boxes_on_frames(frames: Sequence[np.ndarray], boxes: Mapping[str, Sequence[np.ndarray]], row_labels: Sequence[str],
                    colours: Sequence[str] = ("tab:red", "tab:green"), width: float = 1.3):
    """Clips as rows of frames ``frames[r]`` ``(T, H, W, 3)`` with boxes drawn on them:
    ``boxes[name][r]`` ``(T, 4)`` (top, left, bottom, right), one colour per name (nan boxes are
    skipped) — e.g. key regions against the actor's true box."""
    rows, columns = len(frames), len(frames[0])
    fig, axes = plt.subplots(rows, columns, figsize=(width * columns, width * rows + 0.4), squeeze=False)
    for r in range(rows):
        for t in range(columns):
            ax = axes[r][t]
            ax.imshow(frames[r][t])
            ax.set_xticks([])
            ax.set_yticks([])
            for (name, per_clip), colour in zip(boxes.items(), colours):
                top, left, bottom, right = per_clip[r][t]
                if not np.isnan(top):
                    ax.add_patch(plt.Rectangle((left - 0.5, top - 0.5), right - left, bottom - top, fill=False,
                                               edgecolor=colour, linewidth=1.2, label=name if r == t == 0 else None))
            if t == 0:
                ax.set_ylabel(row_labels[r], fontsize=7)
    fig.legend(loc="upper center", ncol=len(boxes), fontsize=7, frameon=False)
    return fig


def accuracy_against_compute(points: Mapping[str, tuple[Sequence[float], Sequence[float]]],
                             reference: Mapping[str, float], xlabel: str = "training time (min)",
                             ylabel: str = "micro AUC %", title: str = ""):
    """One marker per method at its mean ``(compute, accuracy)`` over seeds, with error bars of
    one standard deviation on both axes and each seed as a small dot (``points[method] =
    (compute per seed, accuracy per seed)``, compute > 0, drawn on a log scale), and a dotted
    horizontal line per ``reference`` value that costs no training (the scores that learn
    nothing) — the leaderboard's accuracy against training compute (notebook 06)."""
    fig, ax = plt.subplots(figsize=(6.4, 5.0))
    for i, (name, (compute, accuracy)) in enumerate(points.items()):
        compute, accuracy = np.asarray(compute, np.float64), np.asarray(accuracy, np.float64)
        spread = (lambda v: v.std(ddof=1) if v.size > 1 else 0.0)  # noqa: E731
        ax.scatter(compute, accuracy, color=f"C{i}", s=8, alpha=0.5, zorder=2)
        ax.errorbar(compute.mean(), accuracy.mean(), xerr=spread(compute), yerr=spread(accuracy), color=f"C{i}",
                    marker="o", ms=6, capsize=2, lw=1.0, zorder=3, label=name)
        ax.annotate(name, (compute.mean(), accuracy.mean()), textcoords="offset points", xytext=(5, 4), fontsize=7)
    for i, (name, value) in enumerate(reference.items()):
        ax.axhline(value, color="0.45", lw=1.0, ls=(":", "--", "-.", (0, (6, 2, 1, 2, 1, 2)))[i % 4],
                   label=f"{name} (no training)")
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=9)
    ax.margins(x=0.15, y=0.08)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
    fig.tight_layout()
    return fig


def relation_maps(frames: Sequence[np.ndarray], before: np.ndarray, after: np.ndarray, step: int = 2):
    """Figure 7 of Xiao et al. (notebook 05): every ``step``-th sampled frame of a clip (rows), next
    to the global feature map's channel mean before and after the relation module (``(T, H, W)``
    each, :func:`vadcore.methods.fewshot.diagnostics.relation_maps`), each map column on its own
    colour scale."""
    steps = range(0, len(before), step)
    return image_table([[frames[t], before[t], after[t]] for t in steps], [f"frame {t + 1}" for t in steps],
                       ["frame", "global map (channel mean)", "after relation"], cmaps=["gray", "magma", "magma"],
                       colorbar_label="activation")
