"""What a notebook passes to a table, built in one place: the per-seed values of its runs, the
reference rows of the scores that learn nothing at the table's size, and the verdicts that follow
a table — so that no notebook cell reshapes results into rows (``tests/test_orchestration.py``).

- :func:`per_seed` — ``{row: [value per seed]}`` of finished runs (a paper table's ``ours``);
- :func:`seed_metrics` — ``{row: [FrameMetrics per seed]}`` (a metrics table's learned rows);
- :func:`reference_rows` / :func:`reference_metrics` — frame difference and the trivial
  predictors, one value each (they learn nothing: no seeds);
- :func:`rescored` — a run's other score through the protocol, per seed;
- :func:`scored_labels` — the test labels of the frames a score covers;
- :func:`mean_rows` — ``[row, mean, n]`` lines of a small summary table;
- :func:`validation_psnr` — the trivial predictors' PSNR on the held-out clips, by label;
- :func:`search_curves` — a validation search's curves, by trial;
- :func:`table_verdicts` — the verdicts of several claims about one table, as one Markdown text;
- :func:`dataset_rows`, :func:`split_rows` — one line per dataset (notebook 00) or per split of
  an action set (notebook 05);
- :func:`trial_rows` — a search's trials with the value that chose among them;
- :func:`quoted_cells` — a paper table's every cell, quoted.

A run's label is a tuple ending with its seed: ``(row, seed)`` or ``(schedule, variant, seed)``
(:mod:`vadcore.methods.study`). Values keep the notebooks' arithmetic (``scale × metric``), so a
table written from them is the same file, byte for byte.

Not re-exported by :mod:`vadcore.report` (notebooks import ``from vadcore.report.rows``): the package's
``__init__`` is part of the code that keys what a notebook reads off a network through
:mod:`vadcore.bench`, and a new import there would measure every stored inference speed anew.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from vadcore import baselines, metrics
from vadcore.methods import evaluate
from vadcore.metrics import FrameMetrics
from vadcore.report.schema import Claim, PaperTable
from vadcore.report.tables import Cell, fmt, settings_text
from vadcore.report.verdicts import table_verdict

Label = tuple
FRAME_DIFFERENCE = "frame difference"


def _prefix(row, within: tuple) -> tuple:
    return (*within, *row) if isinstance(row, tuple) else (*within, row)


def runs_by_row(results: Mapping[Label, object], rows: Iterable | None = None, seeds: Sequence[int] | None = None,
                within: tuple = ()) -> dict:
    """``{row: [result per seed]}`` of ``results`` (by label, the seed last).

    ``rows``: the table's rows in order, each a label without its seed — a row name or a tuple
    (``("full", "ADL")``); a mapping gives its keys. ``None``: every label of ``results`` less its
    seed, in the order first met. ``within``: what every label starts with before the row
    (``("IV",)``: the rows of ``("IV", row, seed)``). ``seeds``: the seeds in order (a missing run
    is a ``KeyError``); ``None``: each row's seeds as ``results`` holds them, in its order."""
    if rows is None:
        rows = dict.fromkeys(label[len(within):-1] if len(label) - len(within) > 2 else label[len(within)]
                             for label in results if tuple(label[:len(within)]) == tuple(within))
    found = {}
    for row in rows:
        prefix = _prefix(row, within)
        if seeds is None:
            found[row] = [result for label, result in results.items() if tuple(label[:-1]) == prefix]
            if not found[row]:
                raise KeyError(f"no run of {prefix} in the results")
        else:
            found[row] = [results[(*prefix, seed)] for seed in seeds]
    return found


def per_seed(results: Mapping[Label, object], rows: Iterable | None = None, seeds: Sequence[int] | None = None,
             metric: str = "micro_auc", scale: float = 100, within: tuple = ()) -> dict[str, list[float]]:
    """``{row: [scale × metric of each seed's run]}``: the ``ours`` of a paper table, micro AUC in
    % by default (:func:`runs_by_row` for ``rows``, ``seeds`` and ``within``)."""
    return {row: [scale * result.metrics[metric] for result in found]
            for row, found in runs_by_row(results, rows, seeds, within).items()}


def seed_metrics(results: Mapping[Label, object], rows: Iterable | None = None, seeds: Sequence[int] | None = None,
                 within: tuple = ()) -> dict[str, list[FrameMetrics]]:
    """``{row: [FrameMetrics of each seed's run]}``: the learned rows of a metrics table
    (:func:`runs_by_row` for ``rows``, ``seeds`` and ``within``)."""
    return {row: [FrameMetrics(**result.metrics) for result in found]
            for row, found in runs_by_row(results, rows, seeds, within).items()}


def rescored(configs: Mapping[Label, object], results: Mapping[Label, object], data, row, score: str,
             seeds: Sequence[int], metric: str = "micro_auc", scale: float = 100) -> list[float]:
    """``[scale × metric]`` per seed of ``row``'s runs scored by their ``score`` instead of the
    headline one (:func:`vadcore.methods.evaluate`: SEUNet without its mask, the dissociation
    AE's error or cluster distance alone)."""
    prefix = _prefix(row, ())
    return [scale * evaluate(configs[(*prefix, s)], results[(*prefix, s)], data, score)[metric] for s in seeds]


def reference_metrics(predictions: Mapping[str, dict] | None = None, videos=None,
                      first_scored: int = baselines.FIRST_SCORED, frame_difference_first: bool = False,
                      suffix: str = "") -> dict[str, list[FrameMetrics]]:
    """The reference rows of a table at its size, as metrics (one each: they learn nothing).

    ``predictions``: :func:`vadcore.baselines.trivial_predictions` of a config at the table's size
    (copy last frame, linear extrapolation), each row named with ``suffix``; ``videos``: the test
    clips, for a frame-difference row scored on frames ``first_scored + 1 …`` of each clip (none
    without). Frame difference comes after the predictors, or first with
    ``frame_difference_first`` (notebook 01, where it is not scored on the predictors' frames)."""
    trivial = {f"{name}{suffix}": [FrameMetrics(**outcome["metrics"])] for name, outcome in (predictions or {}).items()}
    difference = {} if videos is None else \
        {FRAME_DIFFERENCE: [baselines.frame_difference_metrics(videos, first_scored)]}
    return {**difference, **trivial} if frame_difference_first else {**trivial, **difference}


def reference_rows(predictions: Mapping[str, dict] | None = None, videos=None,
                   first_scored: int = baselines.FIRST_SCORED, frame_difference_first: bool = False,
                   suffix: str = "", metric: str = "micro_auc", scale: float = 100) -> dict[str, list[float]]:
    """``{row: [scale × metric]}`` of :func:`reference_metrics` (same arguments): the
    ``reference`` of a paper table, micro AUC in % by default."""
    return {row: [scale * getattr(m, metric) for m in found]
            for row, found in reference_metrics(predictions, videos, first_scored, frame_difference_first,
                                                suffix).items()}


def scored_labels(videos, first_scored: int) -> list:
    """Each clip's frame labels from frame ``first_scored + 1`` on: the frames that a score with
    that alignment covers (what a threshold or a metric of those scores is judged against)."""
    return metrics.drop_first([v.labels for v in videos], first_scored)


def mean_rows(values: Mapping[str, Sequence[float]], digits: int = 1) -> list[list]:
    """``[[row, mean, number of values]]``: a summary table's lines (the mean as
    :func:`~vadcore.report.tables.fmt` writes it)."""
    return [[row, fmt(np.mean(v), digits), len(v)] for row, v in values.items()]


def validation_psnr(predictions: Mapping[str, dict], label: str = "{name} ({psnr:.2f} dB)") -> dict[str, float]:
    """``{label: PSNR}`` of each trivial predictor on the held-out training clips
    (``val_psnr`` of :func:`vadcore.baselines.trivial_predictions`): the levels drawn beside a
    validation curve, or named in a footnote."""
    return {label.format(name=name, psnr=outcome["val_psnr"]): outcome["val_psnr"] for name, outcome in predictions.items()}


def search_curves(choice, curve: str = "val_psnr") -> dict[str, tuple]:
    """``{"stage N: settings": (steps, values)}``: the ``curve`` of every trial of a validation
    search (:class:`~vadcore.methods.validation.Choice`), for :func:`vadcore.figures.validation_curves`."""
    return {f"stage {t.stage + 1}: {settings_text(t.overrides)}": (t.result.curves["val_step"], t.result.curves[curve])
            for t in choice.trials}


def table_verdicts(claims: Iterable[Claim], table: PaperTable, dataset: str, ours: Mapping[str, Sequence[float]],
                   reference: Mapping[str, Sequence[float]] | None = None, noise: float | None = None) -> str:
    """:func:`~vadcore.report.verdicts.table_verdict` of each claim, one paragraph each."""
    return "\n\n".join(table_verdict(claim, table, dataset, ours, reference, noise) for claim in claims)


DATASET_HEADER = ["dataset", "train clips", "test clips", "train frames", "test frames", "anomalous test frames",
                  "anomalous %", "frame size", "test clips with masks"]


def dataset_rows(datasets: Mapping[str, object]) -> list[list]:
    """One line of :data:`DATASET_HEADER` per ``{name: VideoSet}``: clips, frames, the anomalous
    share of the test frames, the frame size and how many test clips have pixel masks
    (:func:`vadcore.data.check.summarize` of the frames as loaded)."""
    from vadcore.data.check import summarize

    rows = []
    for name, videos in datasets.items():
        s = summarize(videos, from_source=False, progress=False)
        rows.append([name, s.train_clips, s.test_clips, s.train_frames, s.test_frames, s.anomalous_frames,
                     f"{100 * s.anomalous_frames / s.test_frames:.1f}", "×".join(map(str, s.frame_shape)),
                     f"{s.clips_with_masks}/{s.test_clips}"])
    return rows


def split_rows(actions) -> list[list]:
    """``[split, classes, clips]`` of every split of an :class:`~vadcore.data.actions.ActionSet`."""
    return [[split, len(actions.classes(split)), len(clips)] for split, clips in actions.splits.items()]


def trial_rows(choice) -> list[list]:
    """``[what it tried, its value in %, "chosen" or ""]`` of every trial of a validation search
    whose criterion is an accuracy or an AUC (notebook 05's learning-rate search)."""
    return [[settings_text(t.overrides), f"{100 * t.value:.1f}", "chosen" if t.config == choice.final.config else ""]
            for t in choice.trials]


def quoted_cells(table: PaperTable, columns: Sequence[str]) -> list[Cell]:
    """Every cell of a paper table in ``columns``, quoted (no value of ours): the table as the
    paper prints it."""
    return [Cell(row, column, table.value(row, column)) for row in table.rows for column in columns]
