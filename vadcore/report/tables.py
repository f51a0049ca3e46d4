"""Tables and figures under ``results/<profile>/<NN_slug>/``: a paper's table regenerated (paper
vs ours), every protocol metric of several methods, and the folder, formats and files they use.

A paper table cell shows the paper's value, ours as mean ± std over seeds, and the difference;
rows we do not implement are quoted from the paper and marked so; reference rows (trivial scores
at the same size) carry no paper value. Every table is written as CSV (long form, one line per
cell, for scripts) and Markdown (wide, for people), with a footnote for deviations from the paper.
"""
from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vadcore.atomic import atomic_path, write_text
from vadcore.report.schema import DATASET_TITLES, PaperTable


def fmt(value: float | None, digits: int = 1, signed: bool = False) -> str:
    """A table number with ``digits`` decimals (``+``/``-`` when ``signed``); ``—`` for none or NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"


def mean_std(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (0 for a single value)."""
    values = np.asarray(values, np.float64)
    return float(values.mean()), float(values.std(ddof=1)) if values.size > 1 else 0.0


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table of ``header`` and ``rows``."""
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


def settings_text(settings: Mapping[str, object]) -> str:
    """``{"flow": 0.0, "lr_generator": 0.001}`` → ``"flow = 0, lr_generator = 0.001"`` (for footnotes)."""
    return ", ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}" for k, v in settings.items()) or "none"


def save_figure(fig, folder: Path, stem: str) -> Path:
    """Save a matplotlib figure as ``<stem>.png`` at 150 dpi."""
    path = Path(folder) / f"{stem}.png"
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=150, bbox_inches="tight", format="png")
    return path


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
