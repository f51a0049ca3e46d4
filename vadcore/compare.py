"""``vadcore reproduce --compare``: what moved when a notebook ran again.

Float results differ between processors and training amplifies it, so a rerun elsewhere gives
other numbers; the question is whether they moved by more than they should. Every cell of every
table (``table*.csv``) of the committed results is compared with the rerun's: a cell moved when
the difference exceeds twice the committed spread between seeds (the ``std`` or ``ours_std``
column, or the ``± …`` of a cell), and at least the floor — :data:`FLOOR` in the table's units
for values of 10 or more (AUC %, accuracy %, dB), :data:`RELATIVE` of smaller ones (a score gap
ΔS) — which is all a table of one seed has. The tables before the rerun are the committed ones
(``HEAD``) or the files as they are (``worktree``: tables regenerated but not committed yet).
``vadcore reproduce --compare`` exits with status 1 when any cell moved, so CI can use it.
"""
from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

FLOOR = 1.0  # the smallest difference reported as a move, in the table's units (values ≥ 10)
RELATIVE = 0.05  # … for smaller values, this fraction of the committed value
NUMBER = re.compile(r"\s*([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|nan)(?:\s*±\s*(\d+(?:\.\d+)?))?\s*%?\s*")
TIMINGS = ("speed",)  # tables of a machine's speed: not compared (they differ by machine, by design)
TIMING_CELLS = ("training min", "frames/s", "steps/s")  # … nor the timing columns of other tables

Cells = dict[tuple[str, str], tuple[float, float | None]]


def cells(text: str) -> Cells:
    """``{(row, column): (value, spread)}`` of a table's CSV text (``spread``: the between-seed
    standard deviation or a cell's ``±``, ``None`` where there is none)."""
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows:
        return {}
    fields = list(rows[0])
    found: Cells = {}
    labels: set[str] = set()
    for row in rows:
        if {"ours_mean", "ours_std", "n_seeds"} <= set(fields):
            value, spread, seeds, key = row["ours_mean"], row["ours_std"], row["n_seeds"], (row["row"], row["column"])
        elif {"mean", "std", "n_seeds"} <= set(fields):
            value, spread, seeds, key = row["mean"], row["std"], row["n_seeds"], (row[fields[0]], row[fields[1]])
        else:
            texts = {column: row.get(column) or "" for column in fields}
            numbers = {column: NUMBER.fullmatch(text) for column, text in texts.items()}
            label = " / ".join(text for column, text in texts.items() if text and not numbers[column]) or "row"
            while label in labels:
                label += " ·"  # a repeated label (rows told apart only by a number): keep them apart
            labels.add(label)
            for column, match in numbers.items():
                if match:
                    found[(label, column)] = (float(match.group(1)), float(match.group(2)) if match.group(2) else None)
            continue
        if value not in ("", None):
            several = seeds not in ("", None) and float(seeds) > 1
            found[key] = (float(value), float(spread) if several and spread not in ("", None) else None)
    return found


def moved(committed: Cells, rerun: Cells) -> list[str]:
    """The cells of ``committed`` whose rerun value moved beyond the tolerance (module doc), or
    that the rerun lacks; timing cells (:data:`TIMING_CELLS`) are left out."""
    lines = []
    for key, (value, spread) in committed.items():
        if any(word in part for word in TIMING_CELLS for part in key):
            continue
        if key not in rerun:
            lines.append(f"{key[0]} / {key[1]}: {value:g} committed, missing now")
            continue
        now = rerun[key][0]
        floor = FLOOR if abs(value) >= 10 else max(RELATIVE * abs(value), 1e-3)
        tolerance = max(2 * spread if spread is not None else 0.0, floor)
        if math.isnan(value) != math.isnan(now) or abs(now - value) > tolerance:
            lines.append(f"{key[0]} / {key[1]}: {value:.4g} committed, {now:.4g} now "
                         f"(Δ {now - value:+.3g}; tolerance ± {tolerance:.3g})")
    return lines


AGAINST = ("HEAD", "worktree")  # what a rerun is compared with: the committed tables, or the files as they are


def snapshot(folder: Path, against: str = "HEAD") -> dict[str, str]:
    """The text of every table of a results folder before a rerun, by file name: ``HEAD``, the
    committed text (git's ``HEAD`` where the folder is in a checkout, else the files as they are),
    or ``worktree``, the files as they are (tables regenerated but not committed yet); speed
    tables are left out."""
    import subprocess

    if against not in AGAINST:
        raise ValueError(f"compare against {against!r}? one of {', '.join(AGAINST)}")
    texts = {}
    for path in sorted(Path(folder).glob("table*.csv")):
        if any(word in path.name for word in TIMINGS):
            continue
        shown = subprocess.run(["git", "show", f"HEAD:./{path.name}"], cwd=path.parent, capture_output=True, text=True) \
            if against == "HEAD" else None
        texts[path.name] = shown.stdout if shown is not None and shown.returncode == 0 else path.read_text()
    return texts


def compare(before: dict[str, str], folder: Path) -> list[str]:
    """What moved in ``folder``'s tables against their ``before`` texts (:func:`snapshot`), one line
    per cell, prefixed by the table."""
    after = {path.name: path.read_text() for path in sorted(Path(folder).glob("table*.csv"))}
    lines = []
    for name, text in before.items():
        if name not in after:
            lines.append(f"{name}: missing now")
            continue
        lines += [f"{name}: {line}" for line in moved(cells(text), cells(after[name]))]
    return lines
