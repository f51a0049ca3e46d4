"""The leaderboard (notebook 06): every frame-scoring method of notebooks 01–04 on the same data,
frame size, frames, protocol and seeds, next to the scores that learn nothing — the comparison no
single paper makes. No paper of its own: no table to quote, and one question asked of the numbers
(does any learned method beat the strongest score that learns nothing, beyond seed noise?).

**Its runs are those of notebooks 01–04.** :func:`study` walks their studies at the notebook's
profile — the validation search that notebooks 02–04 share included (it is declared once here
too: same labels, same configs) — and keeps only their headline runs (:data:`METHODS`), so that
every config, hence every run key, is one those notebooks train themselves: where they have run,
the leaderboard reads every run from the run cache; where they have not, it trains exactly their
runs. It never builds a config of its own.

**The same frames.** A predictor from four frames has no score for the first four frames of a
clip, the dissociation model none for the first four of its five-frame window, an autoencoder
scores every frame, frame difference all but the first. AUCs over different frames are different
numbers, so every row is evaluated on the frames all of them score (:func:`first_common`,
:func:`run_metrics`), through each family's own evaluation (headline score, alignment).

**How much the ranking is a choice of metric.** :func:`ranks` ranks every row under each metric of
the protocol (:mod:`vadcore.metrics`: micro AUC with per-clip min–max, macro AUC over clips, AUC
with one global min–max, EER, ΔS); :func:`rank_agreement` gives Kendall's τ between the headline
ranking and each other one.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from types import SimpleNamespace

import numpy as np
from scipy.stats import kendalltau, rankdata

from vadcore import metrics, report

Rows = Mapping[str, Mapping[str, Sequence[float]]]  # the leaderboard's rows: {row: {column key: values per seed}}

# leaderboard row → (paper module of the notebook that trains it, that notebook, the label of its
# headline runs in that study's last stage without the seed)
METHODS = {
    "ConvLSTM-AE": ("convlstm_ae", "01", ("ConvLSTM-AE (tutorial)",)),
    "Conv-AE": ("convlstm_ae", "01", ("Conv-AE (Hasan et al.)",)),
    "AnoPred": ("adl", "02", ("full", "AnoPred")),
    "ADL": ("adl", "02", ("full", "ADL")),
    "SEUNet": ("seunet", "03", ("SEUNet (ours)",)),
    "Dissociation AE": ("dissociation", "04", ("Dissociation AE",)),
}
# what each score measures (the family's headline score of that row)
SCORES = {
    "ConvLSTM-AE": "reconstruction error of 10-frame windows",
    "Conv-AE": "reconstruction error of 10-frame cuboids",
    "AnoPred": "PSNR of the frame predicted from four",
    "ADL": "PSNR of the frame predicted from four",
    "SEUNet": "masked PSNR of the frame predicted from four",
    "Dissociation AE": "prediction error × distance to the nearest k-means centre",
}
# the parameters each study is driven with: its notebook's defaults, less the tables and
# ablations the leaderboard does not read (their runs would be declared, then dropped, anyway)
PARAMETERS = {"convlstm_ae": {}, "adl": {"tables": ("I",)}, "seunet": {"tables": ()},
              "dissociation": {"ablations": False}}
TRIVIAL = ("frame difference", "copy last frame", "linear extrapolation", "random")
TRIVIAL_NOTEBOOK = "00"

# (key, column label, scale, digits, higher is better): the leaderboard's columns
COLUMNS = (
    ("micro_auc", "micro AUC %", 100.0, 1, True),
    ("macro_auc", "macro AUC %", 100.0, 1, True),
    ("global_auc", "global AUC %", 100.0, 1, True),
    ("eer", "EER %", 100.0, 1, False),
    ("score_gap", "ΔS", 1.0, 3, True),
    ("train_min", "training min", 1.0, 2, False),
    ("frames_per_s", "inference frames/s", 1.0, 0, True),
)
# the metrics the ranking table ranks by, with what each one normalises
RANKED = {"micro_auc": "micro AUC (per-clip min–max, pooled)", "macro_auc": "macro AUC (mean over clips)",
          "global_auc": "global AUC (one min–max)", "eer": "EER (lower is better)", "score_gap": "ΔS"}
HEADLINE = "micro_auc"

DEVIATIONS = (
    "**Frames:** every row is evaluated on frames 5… of every test clip, the frames all of them score; notebook "
    "01's own table scores every frame of the autoencoders, so its numbers differ from these by the first four "
    "frames of each clip.",
    "**Settings:** each method's headline config as its notebook trains it at this profile (notebook 02's "
    "validation search chose the prediction family's λ_of and learning rates; the dissociation model and the "
    "autoencoders keep their profiles' settings); no setting is tuned here.",
    "**Channels:** the dissociation model reads three channels; on grey datasets they are three copies of the one "
    "the other methods read — the same information.",
    "**Compute:** training minutes and inference frames/s are what each run recorded when it was trained (on the "
    "machine and under the load of that moment); the validation search's runs are not counted in the minutes of "
    "the methods whose settings it chose (the footnote gives its cost).",
)


# --------------------------------------------------------------------------------------------
# The runs: the headline runs of notebooks 01–04's studies
# --------------------------------------------------------------------------------------------
def headline_runs(steps, wanted: Mapping[str, tuple], searched: dict):
    """Drive one paper module's study (``steps``) as a part of another study: pass its
    validation searches on — each run once, reading the results of runs ``searched`` already
    holds (``{label: (config, result)}``, updated) — and keep, from its other stages, the runs
    whose label without the seed is one of ``wanted``'s (``{row: label prefix}``). Returns
    ``({(row, seed): config}, the study's value)``. The other stages' runs are neither declared
    nor trained: a study reads only its searches' results (:mod:`vadcore.methods.study`)."""
    from vadcore.methods.study import Search

    chosen = {}
    try:
        stage = next(steps)
    except StopIteration as done:
        return chosen, done.value
    while True:
        if isinstance(stage, Search):
            clashes = [label for label, config in stage.items() if label in searched and searched[label][0] != config]
            if clashes:
                raise ValueError(f"two studies search under the same labels with other configs: {clashes}")
            new = Search({label: config for label, config in stage.items() if label not in searched})
            if new:
                results = yield new
                searched.update({label: (config, results[label]) for label, config in new.items()})
            reply = {label: searched[label][1] for label in stage}
        else:
            for label, config in stage.items():
                for row, prefix in wanted.items():
                    if tuple(label[:-1]) == tuple(prefix):
                        chosen[row, label[-1]] = config
            reply = dict.fromkeys(stage)
        try:
            stage = steps.send(reply)
        except StopIteration as done:
            return chosen, done.value


def common_size(configs) -> tuple[int, int]:
    """The one frame size of ``configs``; an error naming the sizes when they differ."""
    sizes = {tuple(c.size) for c in configs}
    if len(sizes) != 1:
        raise ValueError(f"the leaderboard compares methods at one frame size; its runs have sizes {sorted(sizes)}")
    return sizes.pop()


def study(profile: str, dataset: str, seeds, *, device: str, **_):
    """Notebook 06's runs (:mod:`vadcore.methods.study`): notebook 02's validation search, then
    one stage with the headline runs of notebooks 01–04 (:data:`METHODS`) with every seed,
    labelled ``(row, seed)`` — taken from those notebooks' studies, never built here. Returns the
    prediction config the trivial predictors are scored with (``predictor``, at the common size),
    the prediction settings the search chose (``settings``) and the frame size (``size``)."""
    from vadcore.papers import adl, convlstm_ae, dissociation, seunet

    modules = {"convlstm_ae": convlstm_ae, "adl": adl, "seunet": seunet, "dissociation": dissociation}
    searched, runs, values = {}, {}, {}
    for name, module in modules.items():
        wanted = {row: prefix for row, (source, _, prefix) in METHODS.items() if source == name}
        chosen, values[name] = yield from headline_runs(
            module.study(profile, dataset, seeds, device=device, **PARAMETERS[name]), wanted, searched)
        runs.update(chosen)
    missing = [(row, seed) for row in METHODS for seed in seeds if (row, seed) not in runs]
    if missing:
        raise ValueError(f"the studies of notebooks 01–04 declare no run for {missing}")
    headline = {(row, seed): runs[row, seed] for row in METHODS for seed in seeds}
    size = common_size(headline.values())
    yield headline
    return {"predictor": values["convlstm_ae"]["predictor"], "settings": values["adl"]["settings"], "size": size}


SEARCHES = ("validation", "clusters")  # the label prefixes of notebook 02's and notebook 04's searches


def search_minutes(outcome) -> tuple[int, float]:
    """``(runs, training minutes)`` of the validation searches of a driven study
    (:class:`~vadcore.methods.study.Outcome`), each distinct run once (a search's later stage can
    repeat an earlier stage's choice), without the runs a row of the table is (a search that
    trains on the profile's schedule chooses the first seed's run itself)."""
    rows = {config for label, config in outcome.configs.items() if not (label and label[0] in SEARCHES)}
    found = {outcome.configs[label]: result for label, result in outcome.results.items()
             if label and label[0] in SEARCHES and outcome.configs[label] not in rows}
    return len(found), sum(float(r.timings.get("train_s", 0.0)) for r in found.values()) / 60


def roster(folder, stem: str, plan: Mapping[tuple, object], data_for: Callable, title: str, footnote: str = "") -> str:
    """Who is who: for each method of the study's ``plan`` (``{(row, seed): config}``), the
    notebook that trains it, its family, the channels it reads, its headline score, its
    iterations and its number of parameters (the untrained network of its family); writes
    ``<stem>.csv`` and ``<stem>.md`` and returns the Markdown."""
    from vadcore.methods import family_of

    header = ["method", "notebook", "family", "channels", "score", "iterations", "parameters"]
    lines, done = [], set()
    for (row, _), config in plan.items():
        if row in done:
            continue
        done.add(row)
        channels = 1 if data_for(config).gray else 3
        network = family_of(config).build(config, channels)
        lines.append([row, METHODS[row][1], config.family, str(channels), SCORES[row], str(config.iterations),
                      f"{sum(p.numel() for p in network.parameters()):,}"])
    return report.write_table(folder, stem, header, lines, title, footnote)


# --------------------------------------------------------------------------------------------
# The same frames for every row
# --------------------------------------------------------------------------------------------
def unscored(per_clip: Sequence[np.ndarray], videos) -> int:
    """How many frames at the start of every clip a score leaves without a value (the same in
    every clip: an error otherwise)."""
    gaps = {len(v.labels) - len(s) for s, v in zip(per_clip, videos, strict=True)}
    if len(gaps) != 1 or min(gaps) < 0:
        raise ValueError(f"a score that leaves {sorted(gaps)} frames unscored in different clips")
    return gaps.pop()


def first_common(scores: Sequence[Mapping[str, Sequence[np.ndarray]]], videos) -> int:
    """The frames every row scores begin after this many frames of each clip: the largest number
    any of ``scores`` (a run's score arrays by name) leaves unscored."""
    return max(unscored(per_clip, videos) for named in scores for per_clip in named.values())


def trim(per_clip: Sequence[np.ndarray], videos, first: int) -> list[np.ndarray]:
    """A score's values for frames ``first + 1 …`` of every clip."""
    gap = unscored(per_clip, videos)
    if gap > first:
        raise ValueError(f"this score has no value for frame {gap} of a clip; the common frames start at {first + 1}")
    return [np.asarray(s)[first - gap:] for s in per_clip]


def frames_scored(videos, first: int) -> tuple[int, int]:
    """``(frames, anomalous frames)`` of the test clips from frame ``first + 1`` on."""
    labels = metrics.drop_first([v.labels for v in videos], first)
    return sum(len(l) for l in labels), int(sum(np.asarray(l).sum() for l in labels))


def run_metrics(config, scores: Mapping[str, Sequence[np.ndarray]], videos, first: int) -> dict:
    """The protocol's metrics of a run's headline score on frames ``first + 1 …`` of every clip,
    through its family's own evaluation (which score, which alignment): each score keeps its
    values from frame ``first + 1`` on, and the family's evaluation drops its own unscored frames
    from labels cut to begin that many frames earlier."""
    from vadcore.methods import evaluate
    from vadcore.runs import RunResult

    gaps = {unscored(per_clip, videos) for per_clip in scores.values()}
    if len(gaps) != 1:
        raise ValueError(f"the scores of one run leave different numbers of frames unscored: {sorted(gaps)}")
    gap = gaps.pop()
    result = RunResult(scores={name: trim(per_clip, videos, first) for name, per_clip in scores.items()})
    clips = SimpleNamespace(test=[SimpleNamespace(labels=np.asarray(v.labels)[first - gap:]) for v in videos])
    return evaluate(config, result, clips)


def score_metrics(per_clip: Sequence[np.ndarray], videos, first: int, higher_is_normal: bool = False) -> dict:
    """The protocol's metrics of one per-clip score (a score that learns nothing) on frames
    ``first + 1 …`` of every clip."""
    labels = metrics.drop_first([v.labels for v in videos], first)
    return metrics.frame_metrics(trim(per_clip, videos, first), labels, higher_is_normal).as_dict()


# --------------------------------------------------------------------------------------------
# The rows
# --------------------------------------------------------------------------------------------
def row_values(per_seed: Sequence[Mapping[str, float]],
               timings: Sequence[Mapping] | None = None) -> dict[str, list[float]]:
    """A row's values per seed, by column key: the metrics (``metrics.FrameMetrics.as_dict()``)
    and, from each run's ``timings``, training minutes and inference frames/s."""
    values = {key: [float(m[key]) for m in per_seed] for key, *_ in COLUMNS if key in per_seed[0]}
    if timings is not None:
        values["train_min"] = [float(t["train_s"]) / 60 for t in timings]
        values["frames_per_s"] = [float(t["scored_per_s"]) for t in timings]
    return values


def learned_rows(plan: Mapping[tuple, object], results: Mapping[tuple, object], data_for: Callable,
                 first: int) -> dict[str, dict[str, list[float]]]:
    """``{method: {column key: values per seed}}`` of the study's ``(row, seed)`` runs, each on
    frames ``first + 1 …``."""
    grouped: dict[str, tuple[list, list]] = {}
    for (row, seed), config in plan.items():
        result = results[row, seed]
        found = grouped.setdefault(row, ([], []))
        found[0].append(run_metrics(config, result.scores, data_for(config).test, first))
        found[1].append(result.timings)
    return {row: row_values(measured, timings) for row, (measured, timings) in grouped.items()}


def trivial_rows(predictor, data, seeds: Sequence[int], first: int) -> dict[str, dict[str, list[float]]]:
    """The scores that learn nothing (:mod:`vadcore.baselines`) on ``data`` (the predictor's size,
    grey) and frames ``first + 1 …``: frame difference, the trivial predictors scored as a learned
    predictor of ``predictor``, and random scores with every seed."""
    from vadcore import baselines

    videos = data.test
    rows = {"frame difference": [score_metrics(baselines.frame_difference_scores(videos), videos, first)]}
    for name, outcome in baselines.trivial_predictions(predictor, data).items():
        rows[name] = [run_metrics(predictor, outcome["scores"], videos, first)]
    rows["random"] = [score_metrics(baselines.random_scores(videos, seed), videos, first) for seed in seeds]
    return {name: row_values(measured) for name, measured in rows.items()}


def mean(values: Mapping[str, Sequence[float]], key: str = HEADLINE) -> float:
    """A row's mean over seeds of column ``key`` (``nan`` without it)."""
    found = values.get(key)
    return float(np.mean(found)) if found else float("nan")


def _cell(values: Sequence[float] | None, scale: float, digits: int) -> tuple[str, float | None, float | None]:
    if not values or all(math.isnan(v) for v in values):
        return "—", None, None
    average, spread = report.mean_std([scale * v for v in values])
    text = report.fmt(average, digits)
    if len(values) > 1:
        text += f" ± {report.fmt(spread, digits)}"
    return text, average, spread


def order(rows: Rows, key: str = HEADLINE) -> list[str]:
    """Row names from best to worst by their mean of ``key`` (its direction of better)."""
    higher = next(better for k, *_, better in COLUMNS if k == key)
    return sorted(rows, key=lambda name: -mean(rows[name], key) if higher else mean(rows[name], key))


def table(folder, stem: str, learned: Rows, trivial: Rows, title: str, footnote: str = "") -> str:
    """The leaderboard: every row, learned and trivial, from best to worst micro AUC, each column
    as mean ± std over seeds; writes ``<stem>.csv`` (long form) and ``<stem>.md``; returns the
    Markdown."""
    rows = {**learned, **trivial}
    header = ["#", "method", "notebook", "seeds"] + [label for _, label, *_ in COLUMNS]
    lines, csv_rows = [], []
    for place, name in enumerate(order(rows), 1):
        kind = "learned" if name in learned else "learns nothing"
        notebook = METHODS[name][1] if name in METHODS else TRIVIAL_NOTEBOOK if name in trivial else "—"
        values = rows[name]
        seeds = len(values[HEADLINE])
        line = [str(place), name if name in learned else f"{name} (learns nothing)", notebook, str(seeds)]
        for key, label, scale, digits, _ in COLUMNS:
            text, average, spread = _cell(values.get(key), scale, digits)
            line.append(text)
            csv_rows.append([name, kind, notebook, label, average, spread, len(values.get(key) or [])])
        lines.append(line)
    return report.write_table(folder, stem, header, lines, title, footnote, csv_rows,
                              ["method", "kind", "notebook", "column", "mean", "std", "n"])


# --------------------------------------------------------------------------------------------
# How the ranking depends on the metric
# --------------------------------------------------------------------------------------------
def ranks(rows: Rows, keys: Sequence[str] = tuple(RANKED)) -> dict[str, dict[str, int]]:
    """``{row: {metric: rank}}``: 1 is the best mean over seeds under that metric (the lowest
    EER, the highest of every other), ties sharing the better rank (1, 1, 3)."""
    names = list(rows)
    found = {name: {} for name in names}
    for key in keys:
        higher = next(better for k, *_, better in COLUMNS if k == key)
        values = np.round([mean(rows[name], key) for name in names], 12)  # equal means tie, rounding aside
        order_of = rankdata(-values if higher else values, method="min")
        for name, rank in zip(names, order_of):
            found[name][key] = int(rank)
    return found


def rank_agreement(ranked: Mapping[str, Mapping[str, int]], keys: Sequence[str] = tuple(RANKED),
                   against: str = HEADLINE) -> dict[str, float]:
    """Kendall's τ between the ranking by ``against`` and the ranking by each metric of ``keys``
    (1: the same order, −1: reversed)."""
    names = list(ranked)
    base = [ranked[name][against] for name in names]
    return {key: float(kendalltau(base, [ranked[name][key] for name in names])[0]) for key in keys}


def rank_table(folder, stem: str, rows: Rows, title: str,
               footnote: str = "", keys: Sequence[str] = tuple(RANKED)) -> str:
    """Each row's rank under each metric of ``keys`` (rows in the leaderboard's order), its rank
    spread (worst − best), and Kendall's τ of each ranking with the headline one; writes
    ``<stem>.csv`` and ``<stem>.md`` and returns the Markdown."""
    ranked = ranks(rows, keys)
    header = ["method"] + [RANKED.get(key, key) for key in keys] + ["spread"]
    lines, csv_rows = [], []
    for name in order(rows):
        places = [ranked[name][key] for key in keys]
        lines.append([name] + [str(p) for p in places] + [str(max(places) - min(places))])
        csv_rows += [[name, key, ranked[name][key]] for key in keys]
    tau = rank_agreement(ranked, keys)
    headline = RANKED[HEADLINE].split(" (")[0]
    lines.append([f"Kendall τ with the {headline} ranking"] + [f"{tau[key]:+.2f}" for key in keys] + [""])
    csv_rows += [["kendall_tau", key, tau[key]] for key in keys]
    return report.write_table(folder, stem, header, lines, title, footnote, csv_rows, ["method", "metric", "rank"])


# A constructed case of two clips (the second mostly anomalous, as many Ped2 clips are) on which
# micro and macro AUC disagree: "sharp" separates the frames of each clip perfectly (macro AUC 1),
# but after per-clip min–max its normal frames of the first clip score above the weaker anomalies
# of the second; "steady" misorders one frame of the second clip, yet its normal frames stay low
# in both clips after min–max, so pooled over the clips it separates better. Micro AUC prefers
# steady (0.781 vs 0.750), macro AUC sharp (1 vs 0.833).
FLIP_LABELS = ((0, 0, 0, 1), (0, 1, 1, 1))
FLIP_SCORES = {"sharp": ((0, 6, 8, 10), (0, 3, 5, 10)), "steady": ((0, 1, 1, 10), (6, 0, 9, 10))}


def flip_case() -> dict[str, dict[str, list[float]]]:
    """The rows (:func:`row_values`) of the constructed case :data:`FLIP_SCORES`."""
    labels = [np.asarray(l) for l in FLIP_LABELS]
    return {name: row_values([metrics.frame_metrics([np.asarray(s, np.float64) for s in scores], labels).as_dict()])
            for name, scores in FLIP_SCORES.items()}


def rank_moves(rows: Rows, keys: Sequence[str] = tuple(RANKED)) -> str:
    """A sentence, from the numbers, on how the order changes with the metric: which metric puts
    which row first, and the row whose rank moves most."""
    ranked = ranks(rows, keys)
    leaders = {key: sorted(name for name in rows if ranked[name][key] == 1) for key in keys}
    spread = {name: max(ranked[name].values()) - min(ranked[name].values()) for name in rows}
    mover = max(spread, key=spread.get)
    first = "; ".join(f"{RANKED[key].split(' (')[0]}: {' = '.join(names)}" for key, names in leaders.items())
    if spread[mover] == 0:
        return f"Every metric ranks the {len(rows)} rows in the same order (first: {first})."
    best, worst = (min(ranked[mover].items(), key=lambda kv: kv[1]), max(ranked[mover].items(), key=lambda kv: kv[1]))
    same = sum(1 for key in keys if key != HEADLINE and leaders[key] == leaders[HEADLINE])
    return (f"First place by metric — {first}. {same} of the {len(keys) - 1} other metrics agree with the micro AUC "
            f"on first place. "
            f"The row that moves most is {mover}: {_ordinal(best[1])} by {RANKED[best[0]].split(' (')[0]}, "
            f"{_ordinal(worst[1])} by {RANKED[worst[0]].split(' (')[0]} (of {len(rows)} rows).")


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


# --------------------------------------------------------------------------------------------
# The verdict: does any learned method beat the scores that learn nothing?
# --------------------------------------------------------------------------------------------
def against_reference(learned: Sequence[float], reference: Sequence[float],
                      noise: float | None = None) -> tuple[float, float]:
    """``(mean difference, half-width of its 95 % interval)`` of a learned row over a reference row
    (:func:`vadcore.report.difference_interval`). A reference with one value and no seed (a
    trivial predictor, frame difference) is a constant: the interval is the learned row's own t
    interval over its seeds."""
    reference = list(reference)
    if len(reference) == 1 and len(learned) > 1:
        reference = reference * len(learned)
    return report.difference_interval(learned, reference, noise)


def outcome(difference: float, half: float) -> str:
    """``above``, ``below`` (beyond the interval), ``within`` it, or ``undecided`` (no interval)."""
    if math.isnan(half):
        return "undecided"
    return "above" if difference - half > 0 else "below" if difference + half < 0 else "within"


def beats_trivial(learned: Rows, trivial: Rows,
                  key: str = HEADLINE, scale: float = 100.0) -> dict:
    """Every learned row against the strongest trivial row under ``key``: ``{"reference": name,
    "value": its mean, "noise": the pooled between-seed std of the learned rows
    (:func:`vadcore.report.seed_noise`), "rows": {method: (mean, difference, half-width,
    outcome)}}``, values scaled by ``scale``."""
    strongest = order(trivial, key)[0]
    reference = [scale * v for v in trivial[strongest][key]]
    scaled = {name: [scale * v for v in values[key]] for name, values in learned.items()}
    noise = report.seed_noise(scaled)
    rows = {}
    for name, values in scaled.items():
        difference, half = against_reference(values, reference, noise)
        rows[name] = (float(np.mean(values)), difference, half, outcome(difference, half))
    return {"reference": strongest, "value": float(np.mean(reference)), "noise": noise, "rows": rows}


def verdict(found: Mapping, where: str = "", unit: str = "micro AUC %") -> str:
    """The leaderboard's verdict, from :func:`beats_trivial`'s numbers only."""
    rows = found["rows"]
    best = max(rows, key=lambda name: rows[name][0])
    groups = {kind: [name for name, row in rows.items() if row[3] == kind]
              for kind in ("above", "within", "below", "undecided")}

    def listed(names):
        return ", ".join(f"{n} ({rows[n][1]:+.1f} ± {rows[n][2]:.1f})" for n in names) or "none"

    parts = [f"**Does any learned method beat the scores that learn nothing?**{f' ({where})' if where else ''}",
             f"The strongest score that learns nothing is **{found['reference']}** at {found['value']:.1f} ({unit}); "
             f"the best learned method is **{best}** at {rows[best][0]:.1f} ({rows[best][1]:+.1f})."]
    if groups["undecided"] and len(groups["undecided"]) == len(rows):
        above = [name for name, row in rows.items() if row[1] > 0]
        parts.append(f"With one seed per method and no measure of seed noise nothing is decided; by the point "
                     f"estimates alone, {len(above)} of {len(rows)} learned methods are above it"
                     f"{': ' + ', '.join(above) if above else ''}.")
        parts.append("**Verdict: undecided (one seed).**")
        return " ".join(parts)
    parts.append(f"Difference and 95 % interval over seeds — above it beyond seed noise: {listed(groups['above'])}; "
                 f"within seed noise: {listed(groups['within'])}; below it beyond seed noise: {listed(groups['below'])}"
                 + (f"; undecided: {', '.join(groups['undecided'])}" if groups["undecided"] else "") + ".")
    if groups["above"]:
        parts.append(f"**Verdict: {', '.join(groups['above'])} beat{'s' if len(groups['above']) == 1 else ''} every "
                     f"score that learns nothing beyond seed noise.**")
    elif len(groups["below"]) == len(rows):
        parts.append("**Verdict: every learned method is below the strongest score that learns nothing, "
                     "beyond seed noise.**")
    else:
        parts.append("**Verdict: no learned method beats the strongest score that learns nothing beyond seed noise.**")
    return " ".join(parts)
