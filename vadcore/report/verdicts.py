"""Verdicts: what the numbers say about a paper's claim, generated, never typed.

:func:`verdict` turns a claim and the numbers into a "What we found" sentence; a comparison is
decided on the 95 % interval of its difference (:func:`difference_interval`), which, with one
run per row, rests on the between-seed noise every notebook measures the same way
(:func:`seed_noise`).
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from scipy.stats import t as t_distribution

from vadcore.report.schema import DATASET_TITLES, Claim, PaperTable
from vadcore.report.tables import mean_std


def seed_noise(groups: Mapping[str, Sequence[float]] | Sequence[Sequence[float]]) -> float | None:
    """The pooled between-seed standard deviation of several groups of per-seed values, each
    group one setting measured over seeds (a mapping is read by its values):

        noise = √( Σᵢ (nᵢ − 1)·sᵢ² / Σᵢ (nᵢ − 1) )

    with sᵢ² the sample variance (ddof 1) of group i's nᵢ values: with the same seeds in every
    group, the square root of the mean of the per-group variances. A group of one value adds
    nothing; ``None`` when no group has two seeds. This is the ``noise`` of every verdict
    (:func:`difference_interval`)."""
    measured = [np.asarray(group, np.float64) for group in (groups.values() if isinstance(groups, Mapping) else groups)]
    measured = [group for group in measured if len(group) > 1]
    if not measured:
        return None
    degrees = sum(len(group) - 1 for group in measured)
    return math.sqrt(sum((len(group) - 1) * group.var(ddof=1) for group in measured) / degrees)


def mean_interval(values: Sequence[float]) -> float:
    """The 95 % half-width of the mean of ``values`` (seeds, paired differences …), t·SD/√n with
    n − 1 degrees of freedom; ``nan`` with fewer than two values."""
    values = np.asarray(values, np.float64)
    if len(values) < 2:
        return float("nan")
    return float(t_distribution.ppf(0.975, len(values) - 1) * values.std(ddof=1) / math.sqrt(len(values)))


def difference_interval(better: Sequence[float], worse: Sequence[float], noise: float | None = None) -> tuple[float, float]:
    """``(mean difference, half-width of its 95 % interval)`` of ``better − worse``.

    With the same seeds on both sides (n ≥ 2), the per-seed differences give a t interval.
    With one run each, ``noise`` (the seed-to-seed standard deviation of one run,
    :func:`seed_noise` of the headline rows) gives 1.96·√2·noise; without it the half-width is
    unknown (``nan``)."""
    better, worse = np.asarray(better, np.float64), np.asarray(worse, np.float64)
    if len(better) == len(worse) and len(better) >= 2:
        differences = better - worse
        return float(differences.mean()), mean_interval(differences)
    difference = float(better.mean() - worse.mean())
    return difference, float("nan") if noise is None else 1.96 * math.sqrt(2) * noise


def verdict(claim: Claim, ours: Mapping[str, Sequence[float]], paper: Mapping[str, float | None] | None = None,
            reference: Mapping[str, Sequence[float]] | None = None, noise: float | None = None,
            where: str = "", digits: int = 1, unit: str = "seeds", overruled: tuple[str, str] | None = None) -> str:
    """A "What we found" paragraph for one claim of a paper, from the numbers only: the paper's
    values (``paper[row]``, where it has them), ours with their spread, the strongest reference
    row, and one of *reproduced*, *not reproduced* or *within seed noise*. ``unit`` names what
    the values of a row are (``"seeds"``; notebook 05 passes paired ``"episodes"``).

    A comparison claim (``claim.worse`` set) is *reproduced* when our difference has the paper's
    sign and its 95 % interval (:func:`difference_interval`) excludes 0, *not reproduced* when it
    has the other sign beyond the interval, else *within seed noise*; without an interval (one
    seed, no noise estimate) it is *undecided*. A level claim is *reproduced* when our mean is
    within max(1, 2·std) of the paper's value. ``overruled`` = ``(reason, outcome)`` replaces the
    outcome by one the caller decided on other grounds (notebook 05: both rows at chance), the
    reason stated before it."""
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
    if overruled:
        reason, outcome = overruled
        parts.append(reason)
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
