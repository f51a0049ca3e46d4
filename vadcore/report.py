"""Reporting: tables (paper vs ours), verdicts, figures and provenance under
``results/<profile>/<NN_slug>/`` (every notebook).

A paper table cell shows the paper's value, ours as mean ± std over seeds, and the difference;
rows we do not implement are quoted from the paper and marked so; reference rows (trivial scores
at the same size) carry no paper value. Every table is written as CSV (long form, one line per
cell, for scripts) and Markdown (wide, for people), with a footnote for deviations from the paper.
A verdict (:func:`verdict`) turns a paper's claim and the numbers into a sentence — never typed.
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
import platform
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.stats import t as t_distribution

from vadcore import paths
from vadcore.atomic import atomic_path, write_text
from vadcore.papers import DATASET_TITLES, Claim, PaperTable
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
    """One cell of a table: the paper's value and ours per seed (both in %).

    ``ours=None``: a row we do not implement, quoted from the paper. ``reference=True``: a
    trivial score or another method measured here at the same size (no paper value), shown so
    that a learned number can be judged against it.
    """

    row: str
    column: str
    paper: float | None
    ours: Sequence[float] | None = None
    reference: bool = False


def comparison_table(
    folder: Path, stem: str, cells: Sequence[Cell], title: str, footnote: str = "", digits: int = 1
) -> str:
    """A paper table regenerated: for each column, the paper's value, ours (mean ± std over
    seeds) and the difference ours − paper. Quoted and reference rows are marked."""
    rows_order = list(dict.fromkeys(c.row for c in cells))
    columns = list(dict.fromkeys(c.column for c in cells))
    by_key = {(c.row, c.column): c for c in cells}
    header = ["method"] + [f"{col} {part}" for col in columns for part in ("paper", "ours", "Δ")]
    rows, csv_rows = [], []
    for row in rows_order:
        present = [by_key[(row, c)] for c in columns if (row, c) in by_key]
        source = "reference" if any(c.reference for c in present) else \
            "quoted" if all(c.ours is None for c in present) else "ours"
        line = [row if source == "ours" else f"{row} ({source})"]
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
            csv_rows.append([row, column, cell.paper, mean, std, n, diff, source])
        rows.append(line)
    return write_table(
        folder, stem, header, rows, title, footnote, csv_rows,
        ["row", "column", "paper", "ours_mean", "ours_std", "n_seeds", "difference", "source"],
    )


def paper_table(folder: Path, stem: str, table: PaperTable, dataset: str, ours: Mapping[str, Sequence[float]],
                reference: Mapping[str, Sequence[float]] | None = None, quoted: bool = True,
                footnote: str = "", title: str | None = None) -> str:
    """A paper's table regenerated on ``dataset``: the paper's rows we do not run, quoted (where
    the paper has a value for the dataset); ours (``ours[row]``: one value per seed) with the
    paper's value and the difference; then the ``reference`` rows measured at the same size
    (trivial predictors, frame difference …). Returns the Markdown and writes ``.csv``/``.md``."""
    column = DATASET_TITLES.get(dataset, dataset)
    cells = [Cell(row, column, table.value(row, dataset)) for row in table.rows
             if quoted and row not in ours and table.value(row, dataset) is not None]
    cells += [Cell(row, column, table.value(row, dataset) if row in table.rows else None, values)
              for row, values in ours.items()]
    cells += [Cell(row, column, None, values, reference=True) for row, values in (reference or {}).items()]
    heading = title or f"{table.name}. {table.caption} — {column}"
    return comparison_table(folder, stem, cells, heading, footnote)


# --------------------------------------------------------------------------------------------
# Verdicts: what the numbers say about a paper's claim, generated, never typed
# --------------------------------------------------------------------------------------------
def difference_interval(better: Sequence[float], worse: Sequence[float], noise: float | None = None) -> tuple[float, float]:
    """``(mean difference, half-width of its 95 % interval)`` of ``better − worse``.

    With the same seeds on both sides (n ≥ 2), the per-seed differences give a t interval.
    With one run each, ``noise`` (the seed-to-seed standard deviation of one run, measured on
    the headline rows) gives 1.96·√2·noise; without it the half-width is unknown (``nan``)."""
    better, worse = np.asarray(better, np.float64), np.asarray(worse, np.float64)
    if len(better) == len(worse) and len(better) >= 2:
        differences = better - worse
        n = len(differences)
        return float(differences.mean()), float(t_distribution.ppf(0.975, n - 1) * differences.std(ddof=1) / math.sqrt(n))
    difference = float(better.mean() - worse.mean())
    return difference, float("nan") if noise is None else 1.96 * math.sqrt(2) * noise


def verdict(claim: Claim, ours: Mapping[str, Sequence[float]], paper: Mapping[str, float | None] | None = None,
            reference: Mapping[str, Sequence[float]] | None = None, noise: float | None = None,
            where: str = "", digits: int = 1, unit: str = "seeds") -> str:
    """A "What we found" paragraph for one claim of a paper, from the numbers only: the paper's
    values (``paper[row]``, where it has them), ours with their spread, the strongest reference
    row, and one of *reproduced*, *not reproduced* or *within seed noise*. ``unit`` names what
    the values of a row are (``"seeds"``; notebook 05 passes paired ``"episodes"``).

    A comparison claim (``claim.worse`` set) is *reproduced* when our difference has the paper's
    sign and its 95 % interval (:func:`difference_interval`) excludes 0, *not reproduced* when it
    has the other sign beyond the interval, else *within seed noise*; without an interval (one
    seed, no noise estimate) it is *undecided*. A level claim is *reproduced* when our mean is
    within max(1, 2·std) of the paper's value."""
    rows = [claim.better] + ([claim.worse] if claim.worse else [])
    paper = {row: (paper or {}).get(row) for row in rows}
    number = lambda value: f"{value:.{digits}f}"  # noqa: E731
    parts = [f"**What we found — {claim.text}**{f' ({where})' if where else ''}."]
    if all(v is not None for v in paper.values()):
        text = " vs ".join(f"{row} {number(paper[row])}" for row in rows)
        if claim.worse:
            text += f" ({paper[claim.better] - paper[claim.worse]:+.{digits}f})"
        parts.append(f"Paper: {text}.")
    else:
        parts.append("The paper gives no number here; only the direction of its claim is checked.")
    if claim.worse:
        difference, half = difference_interval(ours[claim.better], ours[claim.worse], noise)
        interval = "" if math.isnan(half) else f", 95 % interval ± {number(half)}"
        parts.append(f"Ours: {_describe(ours[claim.better], digits, unit)} vs {_describe(ours[claim.worse], digits, unit)}, "
                     f"difference {difference:+.{digits}f}{interval}.")
        expected = 1.0 if None in paper.values() else math.copysign(1.0, paper[claim.better] - paper[claim.worse])
        if math.isnan(half):
            outcome = "undecided (one seed and no noise estimate)"
        elif abs(difference) <= half:
            outcome = "within seed noise" if unit == "seeds" else f"within the spread over {unit}"
        else:
            outcome = "reproduced" if difference * expected > 0 else "not reproduced"
    else:
        mean, std = mean_std(ours[claim.better])
        parts.append(f"Ours: {_describe(ours[claim.better], digits, unit)}.")
        target = paper[claim.better]
        outcome = "no paper value to compare with" if target is None else \
            "reproduced" if abs(mean - target) <= max(1.0, 2 * std) else f"not reproduced ({mean - target:+.{digits}f})"
    if reference:
        label, values = max(reference.items(), key=lambda item: float(np.mean(item[1])))
        strongest = float(np.mean(values))
        beating = [row for row in rows if np.mean(ours[row]) > strongest]
        summary = "all" if len(beating) == len(rows) else "none" if not beating else ", ".join(beating)
        parts.append(f"Strongest reference at the same size: {label} {number(strongest)}; above it: {summary}.")
    parts.append(f"**Verdict: {outcome}.**")
    return " ".join(parts)


def table_verdict(claim: Claim, table: PaperTable, dataset: str, ours: Mapping[str, Sequence[float]],
                  reference: Mapping[str, Sequence[float]] | None = None, noise: float | None = None) -> str:
    """:func:`verdict` for a claim about rows of a paper table, on ``dataset``'s column."""
    rows = [claim.better] + ([claim.worse] if claim.worse else [])
    paper = {row: table.value(row, dataset) if row in table.rows else None for row in rows}
    return verdict(claim, ours, paper, reference, noise, where=DATASET_TITLES.get(dataset, dataset))


def _describe(values: Sequence[float], digits: int = 1, unit: str = "seeds") -> str:
    mean, std = mean_std(values)
    return f"{mean:.{digits}f} ± {std:.{digits}f} ({len(values)} {unit})" if len(values) > 1 else \
        f"{mean:.{digits}f} (1 {unit.rstrip('s')})"


def settings_text(settings: Mapping[str, object]) -> str:
    """``{"flow": 0.0, "lr_generator": 0.001}`` → ``"flow = 0, lr_generator = 0.001"`` (for footnotes)."""
    return ", ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}" for k, v in settings.items()) or "none"


def save_figure(fig, folder: Path, stem: str) -> Path:
    """Save a matplotlib figure as ``<stem>.png`` at 150 dpi."""
    path = Path(folder) / f"{stem}.png"
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=150, bbox_inches="tight", format="png")
    return path


def git_commit() -> str:
    """The checkout's short commit (``-dirty`` with uncommitted changes to tracked files outside
    ``results/``, ``docs/`` and the README); ``VADCORE_COMMIT`` where the copy has no git history
    (a borrowed GPU)."""
    if os.environ.get("VADCORE_COMMIT"):
        return os.environ["VADCORE_COMMIT"]
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=paths.project_dir(), capture_output=True, text=True, timeout=10
        )
        dirty = subprocess.run(  # any change that can move a number: code, notebooks, the project's settings
            ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!results", ":!docs", ":!README.md"],
            cwd=paths.project_dir(), capture_output=True, text=True, timeout=10,
        ).stdout.strip()
        return out.stdout.strip() + ("-dirty" if dirty else "") if out.returncode == 0 else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def device_name(device=None) -> str:
    """The device's name as tables and provenance show it (default: the session's device)."""
    import torch

    from vadcore import engine

    device = torch.device(device) if device is not None else engine.session_device()
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return f"cpu ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads)"


# the packages whose version can move a number in a table
NUMERIC_PACKAGES = ("numpy", "scipy", "scikit-learn", "scikit-image", "torch", "av", "pillow", "tifffile",
                    "matplotlib", "seaborn", "papermill", "opencv-python-headless")


def package_versions() -> dict[str, str]:
    """``{package: version}`` of :data:`NUMERIC_PACKAGES` installed here (missing ones left out)."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in NUMERIC_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def write_provenance(folder: Path, profile: str, dataset: str, seeds: Sequence[int], started: float,
                     commit: str | None = None, **extra) -> dict:
    """``provenance.json``: commit, profile, dataset, seeds, device, versions, wall time, and
    whatever the notebook adds (data fingerprints, run counts and compute time: see
    :func:`vadcore.notebook.finish`). ``commit`` is the one the notebook started on."""
    import torch

    record = {
        "git_commit": commit or git_commit(),
        "profile": profile,
        "dataset": dataset,
        "seeds": list(seeds),
        "device": device_name(),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "packages": package_versions(),
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
