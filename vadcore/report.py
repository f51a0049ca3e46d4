"""Reporting: tables (paper vs ours), figures and provenance under ``results/<profile>/<NN_slug>/``.

A paper table cell shows the paper's value, ours as mean ± std over seeds, and the difference;
rows we do not implement are quoted from the paper and marked so. Every table is written as CSV
(long form, one line per cell, for scripts) and Markdown (wide, for people), with a footnote for
deviations from the paper.
"""
from __future__ import annotations

import csv
import io
import json
import math
import platform
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vadcore import paths
from vadcore.atomic import atomic_path, write_text
from vadcore.profiles import check_profile


def results_folder(profile: str, slug: str, results_dir: str | Path | None = None) -> Path:
    """``results/<profile>/<slug>/`` (or ``results_dir`` when given), created if missing."""
    check_profile(profile)
    folder = Path(results_dir) if results_dir else paths.results_dir() / profile / slug
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def fmt(value: float | None, digits: int = 1, signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def mean_std(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (0 for a single value)."""
    values = np.asarray(values, np.float64)
    return float(values.mean()), float(values.std(ddof=1)) if values.size > 1 else 0.0


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def write_table(
    folder: Path, stem: str, header: Sequence[str], rows: Sequence[Sequence], title: str,
    footnote: str = "", csv_rows: Sequence[Sequence] | None = None, csv_header: Sequence[str] | None = None,
) -> str:
    """Write ``<stem>.csv`` and ``<stem>.md``; returns the Markdown (for display in a notebook)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(csv_header or header)
    writer.writerows(csv_rows if csv_rows is not None else rows)
    write_text(Path(folder) / f"{stem}.csv", buffer.getvalue())
    text = f"**{title}**\n\n" + markdown_table(header, [[str(c) for c in r] for r in rows])
    if footnote:
        text += f"\n\n{footnote}"
    write_text(Path(folder) / f"{stem}.md", text + "\n")
    return text


@dataclass
class Cell:
    """One cell of a paper's table: the paper's value and ours per seed (both in %).

    ``ours=None``: a row we do not implement, quoted from the paper.
    """

    row: str
    column: str
    paper: float | None
    ours: Sequence[float] | None = None


def comparison_table(
    folder: Path, stem: str, cells: Sequence[Cell], title: str, footnote: str = "", digits: int = 1
) -> str:
    """A paper table regenerated: for each column, the paper's value, ours (mean ± std over
    seeds) and the difference ours − paper. Quoted rows are marked."""
    rows_order = list(dict.fromkeys(c.row for c in cells))
    columns = list(dict.fromkeys(c.column for c in cells))
    by_key = {(c.row, c.column): c for c in cells}
    header = ["method"] + [f"{col} {part}" for col in columns for part in ("paper", "ours", "Δ")]
    rows, csv_rows = [], []
    for row in rows_order:
        quoted = all(by_key[(row, c)].ours is None for c in columns if (row, c) in by_key)
        line = [f"{row} (quoted)" if quoted else row]
        for column in columns:
            cell = by_key.get((row, column))
            if cell is None:
                line += ["", "", ""]
                continue
            if cell.ours is None or len(cell.ours) == 0:
                mean = std = None
                n = 0
            else:
                (mean, std), n = mean_std(cell.ours), len(cell.ours)
            ours = "—" if mean is None else f"{fmt(mean, digits)} ± {fmt(std, digits)}" if n > 1 else fmt(mean, digits)
            diff = None if mean is None or cell.paper is None else mean - cell.paper
            line += [fmt(cell.paper, digits), ours, fmt(diff, digits, signed=True)]
            csv_rows.append([row, column, cell.paper, mean, std, n, diff, "quoted" if mean is None else "ours"])
        rows.append(line)
    return write_table(
        folder, stem, header, rows, title, footnote, csv_rows,
        ["row", "column", "paper", "ours_mean", "ours_std", "n_seeds", "difference", "source"],
    )


def save_figure(fig, folder: Path, stem: str) -> Path:
    """Save a matplotlib figure as ``<stem>.png`` at 150 dpi (DESIGN §7)."""
    path = Path(folder) / f"{stem}.png"
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=150, bbox_inches="tight", format="png")
    return path


def git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=paths.project_dir(), capture_output=True, text=True, timeout=10
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "vadcore", "notebooks"], cwd=paths.project_dir(),
            capture_output=True, text=True, timeout=10,
        ).stdout.strip()
        return out.stdout.strip() + ("-dirty" if dirty else "") if out.returncode == 0 else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def device_name() -> str:
    import torch

    if torch.cuda.is_available():
        return torch.cuda.get_device_name(0)
    return f"cpu ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads)"


def write_provenance(folder: Path, profile: str, dataset: str, seeds: Sequence[int], started: float, **extra) -> dict:
    """``provenance.json``: commit, profile, dataset, seeds, device, versions, wall time."""
    import torch

    record = {
        "git_commit": git_commit(),
        "profile": profile,
        "dataset": dataset,
        "seeds": list(seeds),
        "device": device_name(),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "wall_time_s": round(time.time() - started, 1),
        **extra,
    }
    write_text(Path(folder) / "provenance.json", json.dumps(record, indent=2, default=str) + "\n")
    return record


# (label, FrameMetrics attribute, scale, digits): the columns of a metrics table
METRIC_COLUMNS = (
    ("micro AUC %", "micro_auc", 100.0, 1),
    ("macro AUC %", "macro_auc", 100.0, 1),
    ("global AUC %", "global_auc", 100.0, 1),
    ("EER %", "eer", 100.0, 1),
    ("ΔS", "score_gap", 1.0, 3),
    ("pixel AUC %", "pixel_auc", 100.0, 1),
)


def metrics_table(folder: Path, stem: str, results: dict, title: str, footnote: str = "") -> str:
    """Every protocol metric of several methods: ``results[method]`` is a list of
    :class:`~vadcore.metrics.FrameMetrics`, one per seed, shown as mean ± std."""
    header = ["method", "seeds"] + [label for label, *_ in METRIC_COLUMNS]
    rows, csv_rows = [], []
    for method, per_seed in results.items():
        line = [method, str(len(per_seed))]
        for label, attribute, scale, digits in METRIC_COLUMNS:
            values = [getattr(m, attribute) * scale for m in per_seed]
            if all(math.isnan(v) for v in values):
                line.append("—")
                csv_rows.append([method, label, None, None, len(values)])
                continue
            mean, std = mean_std(values)
            line.append(f"{fmt(mean, digits)} ± {fmt(std, digits)}" if len(values) > 1 else fmt(mean, digits))
            csv_rows.append([method, label, mean, std, len(values)])
        rows.append(line)
    return write_table(folder, stem, header, rows, title, footnote, csv_rows, ["method", "metric", "mean", "std", "n_seeds"])
