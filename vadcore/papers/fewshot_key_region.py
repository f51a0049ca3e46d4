"""Few-shot anomalous action recognition with key-region enhancement (notebook 05): reference, the
paper's Tables 1–3 as printed (accuracy %, 5-way), the ablation rows as few-shot configs, claims
and deviations; the notebook's runs (:func:`study`), and its Tables 1–4 and verdicts built from
the finished runs (:func:`table1_rows`, :func:`ablation_rows`, :func:`coverage_rows` …).

Table 1 quotes each method twice where the paper does: "(reported)" is the number of the method's
own paper, which the authors show for reference only; the plain row is their re-implementation on
their platform, the one they compare with.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from vadcore import baselines, metrics, report
from vadcore.methods.fewshot.evaluation import at_shot
from vadcore.methods.fewshot.profiles import TRX
from vadcore.papers import Claim, PaperTable, Reference

REFERENCE = Reference("J. Xiao, S. Wang, Y. Wu, C. Zhao, Y. Chen, H. Zhang",
                      "Anomalous Action Recognition with Spatio-Temporal Key Region Enhancement and Few-Shot "
                      "Learning (时空关键区域增强的小样本异常行为识别)", "Chinese Journal of Computers 48(1)", 2025)
TRX_REFERENCE = Reference("T. Perrett, A. Masullo, T. Burghardt, M. Mirmehdi, D. Damen",
                          "Temporal-Relational CrossTransformers for Few-Shot Action Recognition", "CVPR", 2021)

#: Where each numbered equation, table and figure of the paper lives in this project, in the
#: paper's order: a dotted name inside vadcore, a notebook section (``notebooks/<file>.ipynb#<its
#: heading>``) or ``"not implemented: <why>"`` (:func:`vadcore.report.schema.implementation_kind`).
#: Docstrings cite these keys as "Eq. N" in the few-shot modules (``vadcore.models.key_region``,
#: ``vadcore.models.fewshot``) and as "Eq. N of Xiao et al." elsewhere; ``tests/test_paper_maps.py``
#: checks both.
IMPLEMENTED = {
    "Fig. 1": "vadcore.models.fewshot.KeyRegionTRX",
    "Fig. 2": "vadcore.models.key_region.RelationModule",
    "Eq. 1": "vadcore.models.key_region.RelationModule.gates",
    "Eq. 2": "vadcore.models.key_region.RelationModule.gates",
    "Eq. 3": "vadcore.models.key_region.RelationModule.gates",
    "Fig. 3": "vadcore.models.key_region.key_region_centres",
    "Eq. 4": "vadcore.models.key_region.valid_range",
    "Eq. 5": "vadcore.models.key_region.anchor_points",
    "Eq. 6": "vadcore.models.key_region.key_region_centres",
    "Eq. 7": "vadcore.models.key_region.key_region_centres",
    "Fig. 4": "vadcore.models.key_region.key_region_centres",
    "Eq. 8": "vadcore.models.key_region.crop_regions",
    "Fig. 5": "vadcore.models.fewshot.KeyRegionTRX.logits",
    "Eq. 9": "vadcore.models.fewshot.KeyRegionTRX.logits",
    "Eq. 10": "vadcore.models.fewshot.KeyRegionTRX.logits",
    "Eq. 11": "vadcore.models.fewshot.hausdorff_distance",
    "Eq. 12": "vadcore.models.fewshot.KeyRegionTRX.loss",
    "Table 1": "notebooks/05_fewshot_key_region.ipynb#4. Table 1 — unseen normal classes and anomalous classes",
    "Fig. 6": "notebooks/05_fewshot_key_region.ipynb#6. Where the key regions fall (Figure 6) — and whether they "
              "hold the actor",
    "Table 2": "notebooks/05_fewshot_key_region.ipynb#5. Tables 2 and 3 — modules and tricks (one seed, 5-shot)",
    "Fig. 7": "notebooks/05_fewshot_key_region.ipynb#7. Feature maps before and after the relation module (Figure 7)",
    "Table 3": "notebooks/05_fewshot_key_region.ipynb#5. Tables 2 and 3 — modules and tricks (one seed, 5-shot)",
    "Fig. 8": "not implemented: the authors' hand-picked failure cases on UCF-Crime v2 (targets too small for the "
              "fixed-size key region); the notebook picks none",
    "Fig. 9": "not implemented: the authors' hand-picked failure case of an ambiguous support set on UCF-Crime v2; "
              "the notebook picks none",
}

SETTINGS = ("HMDB51 1-shot", "HMDB51 5-shot", "Kinetics 1-shot", "Kinetics 5-shot", "UCF-Crime v2 1-shot",
            "UCF-Crime v2 5-shot")
UNIT = "accuracy % (5-way)"
INPUTS = "actions"  # a study of action clips: `vadcore plan` picks the profile's action dataset and calls load()
OURS = "Ours (key region)"
HEADLINE = ("TRX", OURS)  # Table 1's trained rows, every K and seed

TABLE1 = PaperTable("Table 1", "Comparison with few-shot action recognition methods", SETTINGS, {
    "ARN (reported)": (45.5, 60.6, 63.7, 82.4, None, None),
    "OTAM (reported)": (None, None, 73.0, 85.8, None, None),
    "OTAM": (49.6, 60.5, 68.1, 79.4, 39.3, 47.9),
    "TRX (reported)": (None, 75.6, 63.6, 85.9, None, None),
    "TRX": (51.2, 73.3, 63.7, 84.9, 34.4, 48.2),
    "ATA (reported)": (59.6, 76.9, 74.3, 87.4, None, None),
    "ATA": (56.5, 71.5, 71.1, 85.0, 39.0, 48.4),
    "STRM (reported)": (None, 77.3, None, 86.7, None, None),
    "STRM": (50.4, 73.3, 66.8, 85.1, 36.5, 48.7),
    "SloshNet (reported)": (None, 77.5, None, 87.0, None, None),
    "SloshNet": (50.9, 74.0, 63.0, 85.8, 36.8, 49.3),
    "BiMACL (reported)": (57.0, 78.4, 68.1, 87.6, None, None),
    "BiMACL": (53.3, 73.7, 64.8, 85.6, 36.6, 49.6),
    OURS: (54.5, 74.3, 67.9, 86.1, 37.0, 50.2),
}, unit=UNIT)

TABLE2 = PaperTable("Table 2", "Module ablation (added to TRX in turn)", SETTINGS, {
    "TRX": (51.2, 73.3, 63.7, 84.9, 34.4, 48.2),
    "+ key-region selection": (52.8, 73.7, 66.8, 86.0, 36.1, 49.5),
    "+ relation module": (53.9, 74.0, 67.5, 86.1, 36.9, 50.0),
    "+ refined loss": (54.5, 74.3, 67.9, 86.1, 37.0, 50.2),
}, unit=UNIT)

TABLE3 = PaperTable("Table 3", "Training tricks (TRX + key-region selection, 5-shot)",
                    ("HMDB51 5-shot", "Kinetics 5-shot", "UCF-Crime v2 5-shot"), {
    "no trick": (63.9, 71.5, 44.4),
    "+ stop-gradient": (72.3, 84.5, 47.5),
    "+ extra losses": (73.3, 85.5, 49.3),
    "+ random regions": (73.7, 86.0, 49.5),
}, unit=UNIT)

_KEY_REGION = {"relation": False, "refined": False}
# Table 2 rows → few-shot overrides; each row adds one module (the tricks on, as in the paper)
MODULE_ROWS = {
    "TRX": TRX,
    "+ key-region selection": _KEY_REGION,
    "+ relation module": {"refined": False},
    "+ refined loss": {},
}
# Table 3 rows: TRX + key-region selection, tricks added in turn
TRICK_ROWS = {
    "no trick": {**_KEY_REGION, "stop_gradient": False, "extra_losses": False, "random_regions": 0.0},
    "+ stop-gradient": {**_KEY_REGION, "extra_losses": False, "random_regions": 0.0},
    "+ extra losses": {**_KEY_REGION, "random_regions": 0.0},
    "+ random regions": _KEY_REGION,
}

# results file → (the study's table label, the paper's table, its rows)
ABLATION_TABLES = {"table2_modules": ("modules", TABLE2, MODULE_ROWS), "table3_tricks": ("tricks", TABLE3, TRICK_ROWS)}

CLAIMS = {
    "ours_vs_trx": Claim("the key-region method beats TRX", OURS, "TRX"),
    "key_region": Claim("key-region selection improves TRX", "+ key-region selection", "TRX"),
    "relation": Claim("the relation module improves key-region selection", "+ relation module",
                      "+ key-region selection"),
    "refined": Claim("the refined loss improves the relation model", "+ refined loss", "+ relation module"),
    "stop_gradient": Claim("stop-gradient is needed to train the branch", "+ stop-gradient", "no trick"),
    "extra_losses": Claim("the extra losses help", "+ extra losses", "+ stop-gradient"),
    "random_regions": Claim("random-region augmentation helps", "+ random regions", "+ extra losses"),
}

DEVIATIONS = (
    "**Data:** `smoke`, `cpu` and `gpu` run on synthactions (generated; class-disjoint 64/12/24 normal classes like "
    "Kinetics-100, 8 anomalous classes for testing only, like UCF-Crime v2 in the paper), not on HMDB51, Kinetics or "
    "UCF-Crime v2: our numbers are not comparable with the paper's values, only the differences between rows are.",
    "**Backbones:** narrow ResNet-18s (width 32 at `gpu` on 96×96 frames with 54-pixel regions, 16 at `cpu`, 4 at `smoke`) trained from scratch on small frames "
    "(64×64 / 32×32, key regions 36 / 16 pixels: the paper's 128 : 224 ratio), without the stem's max pooling so that "
    "the anchor grid is 4×4 / 2×2 (with it, 2×2 / 1×1: a 1×1 grid fixes the region); the paper uses ImageNet "
    "ResNet-50s on 224×224 frames with 128×128 regions and a 7×7 grid (`full`, given the weights file).",
    "**Schedule:** Adam, one episode per step, 1,000 steps at `cpu` (`gpu`: 2,000 steps of 4 episodes; the paper: SGD, 30,000 steps "
    "on Kinetics, from ImageNet weights — `full` uses TRX's 16 episodes per step, which the paper does not give; from scratch, SGD left TRX at chance on the validation classes after "
    "300–600 steps); one model per method and seed trained on 5-shot episodes and tested at 1 and 5 shots (the "
    "paper trains per K; trained on 1-shot episodes for 600 steps TRX stayed at chance); the learning rate is "
    "chosen for TRX on episodes of the validation classes and used for every row (the paper: 10⁻³); the "
    "ablation rows train for the validation runs' shorter schedule; ≥ 1,000 test episodes (the paper: "
    "10,000), one query per class at test time as TRX.",
    "**Augmentation:** frames resized to 256/224 of the working size and cropped to it, at random in training and "
    "at the centre at test time, as the paper (every side scaled: the paper keeps the aspect ratio, short side "
    "256); no random flip below `full` (a flip would turn synthactions' “right” into an unseen “left” class).",
    "**Random regions:** with probability ½ per training episode the key regions' centres are drawn uniformly over the valid "
    "range; the paper feeds a completely random feature map, which through Eq. 6's softmax weights would average "
    "to regions near the middle.",
    "**Key-region weights:** the spatial softmax of the relation map weights the anchor offsets (Eq. 6 gives no "
    "scale; raw weights leave the valid range and the clamp stops the gradient).",
    "**Refined loss:** as written, D_MH classifies and the refined loss is the sum of two cross-entropies, of "
    "−‖D_MH‖ and of −D_TR, with D_TR's sums divided by the feature dimension d (Eq. 11); a class's D_TR is the mean "
    "over its support clips (the paper does not say). With d in the hundreds D_TR's logits span a fraction of a "
    "unit, so its loss moves little. Eq. 12's extra TRM modules are heads of their own, not D_MH's.",
)


def dataset_name(dataset: str, profile: str, anomalous: str | None = None) -> str:
    """The name of the action set notebook 05 loads: ``dataset``, with ``+<anomalous>`` when a
    second dataset's test classes are its anomalous split (``full``: UCF-Crime v2)."""
    from vadcore.methods import fewshot

    anomalous = anomalous or fewshot.ANOMALOUS.get(profile)
    return f"{dataset}+{anomalous}" if anomalous else dataset


def load(lab, profile: str, anomalous: str | None = None, anomalous_root: str | None = None, **_):
    """The action set notebook 05 (and ``vadcore plan``/``train`` for it) reads: synthactions made
    with the profile's settings, or the dataset with the anomalous split of :func:`dataset_name`."""
    from vadcore.methods import fewshot

    return lab.actions(fewshot.SYNTHACTIONS.get(profile), anomalous=anomalous or fewshot.ANOMALOUS.get(profile),
                       anomalous_root=anomalous_root)


def study(profile: str, dataset: str, seeds, *, device: str, shots=(1, 5), iterations: int | None = None, lr: float | None = None,
          ablations: bool = True, ablation_iterations: int | None = None, backbone_weights: str | None = None,
          anomalous: str | None = None, **_):
    """Notebook 05's runs (:mod:`vadcore.methods.study`): the learning-rate search on TRX, then TRX
    and the key-region model at every K of ``shots`` with every seed (``(method, shot, seed)``; at
    ``smoke``/``cpu``/``gpu`` one model per method and seed is tested at every K, so the labels of
    one seed share a run), and Tables 2 and 3's rows with the first seed on the search's schedule
    (``("ablation", table, row)``). Returns the chosen ``settings``, the search (``choice``), the
    ablations' schedule (``short``), the ``headline`` config and, per K, the config the scores that
    learn nothing use (``reference``)."""
    from vadcore.methods import fewshot

    inputs = fewshot.profile_inputs(profile, backbone_weights)
    name = dataset_name(dataset, profile, anomalous)
    settings, choice = yield from fewshot.validation_steps(profile, name, seeds[0], lr, **inputs, device=device)
    settings = {**settings, **inputs, **({} if iterations is None else {"iterations": iterations})}

    def config(shot: int, seed: int, **overrides) -> fewshot.Config:
        per_k = {"test_shots": tuple(shots)} if fewshot.PROFILES[profile].get("test_shots") else {"shot": shot}
        return fewshot.profile_config(profile, name, seed, **{**per_k, **settings, **overrides}, device=device)

    headline = config(shots[-1], seeds[0])
    short = ablation_iterations or fewshot.VALIDATION.get(profile, {}).get("iterations", headline.iterations)
    methods = {"TRX": MODULE_ROWS["TRX"], OURS: {}}
    runs = {(method, shot, seed): config(shot, seed, **overrides)
            for method, overrides in methods.items() for shot in shots for seed in seeds}
    if ablations:
        runs.update({("ablation", table, row): config(shots[-1], seeds[0], iterations=short, **overrides)
                     for table, _, rows in ABLATION_TABLES.values() for row, overrides in rows.items()})
    yield runs
    return {"settings": settings, "choice": choice, "short": short, "headline": headline,
            "reference": {shot: fewshot.profile_config(profile, name, shot=shot, **inputs, device=device) for shot in shots}}


# ---------------------------------------------------------------- notebook 05's tables from finished runs

SPLITS = {"test": "unseen normal", "anomalous": "anomalous"}  # the tested splits, as the tables name them


CHANCE = "chance"


def interval_cell(values: Sequence[float], per_seed: Sequence[Sequence[float]] | None = None) -> str:
    """A cell of Tables 1–3 (ours): the mean accuracy ± its 95 % interval over episodes
    (1.96·std/√N, :func:`vadcore.metrics.mean_confidence_interval`, as TRX reports it), and with
    two seeds or more (``per_seed``: each seed's episodes) the interval between seeds
    (:func:`vadcore.report.mean_interval` of the seeds' means: the spread between trained models,
    which episodes of one model cannot show)."""
    cell = "{:.1f} ± {:.1f}".format(*metrics.mean_confidence_interval(values))
    if per_seed is not None and len(per_seed) > 1:
        cell += f" (seeds ± {report.mean_interval([np.mean(v) for v in per_seed]):.1f})"
    return cell


def seed_accuracies(plan, results, method: str, shot: int, split: str, seeds: Sequence[int]) -> list[np.ndarray]:
    """Per-episode accuracy (%) of Table 1's row ``method`` (``"TRX"`` or :data:`OURS`) at ``shot``
    on ``split``, one array per seed: the runs ``(method, shot, seed)`` of :func:`study`."""
    return [100 * at_shot(plan[method, shot, seed], results[method, shot, seed].scores, split, shot) for seed in seeds]


def headline_accuracies(plan, results, method: str, shot: int, split: str, seeds: Sequence[int]) -> np.ndarray:
    """:func:`seed_accuracies`, the seeds' episodes one after the other."""
    return np.concatenate(seed_accuracies(plan, results, method, shot, split, seeds))


def table1_rows(plan, results, trivial: dict, seeds: Sequence[int], shots: Sequence[int]) -> tuple[list, list]:
    """Header and rows of Table 1 (5-way accuracy on unseen normal and anomalous classes at every
    K of ``shots``): TRX and :data:`OURS` as :func:`interval_cell`, then one reference row per
    score of ``trivial`` (``{shot: {score: {split: per-episode %}}}``,
    :func:`vadcore.baselines.trivial_accuracies`)."""
    header = ["method"] + [f"{SPLITS[s]} {k}-shot" for s in SPLITS for k in shots]
    rows = [[m] + [interval_cell(headline_accuracies(plan, results, m, k, s, seeds),
                                 seed_accuracies(plan, results, m, k, s, seeds)) for s in SPLITS for k in shots]
            for m in HEADLINE]
    rows += [[f"{name} (reference)"] + [interval_cell(trivial[k][name][s]) for s in SPLITS for k in shots]
             for name in trivial[shots[0]]]
    return header, rows


def strongest_reference(trivial: dict, shot: int, split: str) -> str:
    """The score of ``trivial`` (as in :func:`table1_rows`) with the highest mean accuracy at
    ``shot`` on ``split`` (the first on a tie)."""
    return max(trivial[shot], key=lambda name: trivial[shot][name][split].mean())


def table1_verdicts(plan, results, trivial: dict, seeds: Sequence[int], shots: Sequence[int]) -> list[str]:
    """The verdict of the claim "the key region beats TRX" (Table 1) on each split and K, against
    the paper's Kinetics (unseen normal) and UCF-Crime v2 (anomalous) columns and the strongest
    reference score: with two seeds or more, paired by seed over the seeds' mean accuracies (the
    spread between trained models); with one, paired over the same episodes."""
    texts = []
    for split, kind in SPLITS.items():
        column = "Kinetics" if split == "test" else "UCF-Crime v2"
        for shot in shots:
            name = strongest_reference(trivial, shot, split)
            if len(seeds) > 1:
                ours = {row: [float(np.mean(a)) for a in seed_accuracies(plan, results, row, shot, split, seeds)]
                        for row in HEADLINE}
            else:
                ours = {row: headline_accuracies(plan, results, row, shot, split, seeds) for row in HEADLINE}
            quoted = {row: TABLE1.value(row, f"{column} {shot}-shot") for row in HEADLINE}
            texts.append(report.verdict(
                CLAIMS["ours_vs_trx"], ours, paper=quoted,
                reference={name: trivial[shot][name][split]}, where=f"{kind}, {shot}-shot; paper: {column}",
                unit="seeds" if len(seeds) > 1 else "episodes"))
    return texts


def search_verdict(choice) -> str:
    """Whether the learning-rate search told its trials from guessing: each trial's final validation
    accuracy against the binomial 95 % interval of chance over the same number of validation
    predictions (``validation_episodes`` × ``way`` × ``test_queries``). When every trial lies inside
    it, the chosen rate is the search's noise, and the notebook says so."""
    config = choice.final.config
    predictions = config.validation_episodes * config.way * config.test_queries
    p = 1 / config.way
    half = 100 * 1.96 * np.sqrt(p * (1 - p) / predictions)
    values = [100 * t.value for t in choice.distinct]
    above = [v for v in values if v > 100 * p + half]
    title = (f"**Did the search learn anything?** Chance is {100 * p:.1f} ± {half:.1f} % (binomial 95 % interval "
             f"over {predictions} validation predictions); the trials reached {', '.join(f'{v:.1f}' for v in values)} %.")
    if not above:
        return (f"{title} **Every trial is within chance:** at {config.iterations} steps no rate has left guessing, "
                "so the chosen rate is the search's noise, not a finding — a longer search schedule would be needed "
                "to choose it.")
    return f"{title} {len(above)} of {len(values)} trial(s) above chance: the choice rests on learning, not on noise."


def validation_curves(plan, results, shot: int, seeds: Sequence[int]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{method: (steps, accuracy % (seeds, steps))}``: the accuracy on the fixed episodes of the
    validation classes that every headline run (:data:`HEADLINE`, trained at ``shot``) measured
    during training, seed by seed."""
    curves = {}
    for method in HEADLINE:
        runs = [results[method, shot, seed] for seed in seeds]
        if not all("val_accuracy" in r.curves for r in runs):
            continue
        curves[method] = (np.asarray(runs[0].curves["val_step"]), 100 * np.stack([r.curves["val_accuracy"] for r in runs]))
    return curves


def curve_rows(curves: dict[str, tuple[np.ndarray, np.ndarray]]) -> tuple[list, list]:
    """Header and rows of the accuracy-against-steps table: per validated step, each method's
    mean over seeds ± the between-seed 95 % interval, and the difference ours − TRX with its
    interval paired by seed."""
    steps, _ = curves["TRX"]
    header = ["step"] + [f"{m} (val %)" for m in HEADLINE] + [f"{OURS} − TRX"]
    rows = []
    for i, step in enumerate(steps):
        cells = [str(int(step))]
        for method in HEADLINE:
            values = curves[method][1][:, i]
            half = report.mean_interval(values)
            cells.append(f"{values.mean():.1f}" + ("" if np.isnan(half) else f" ± {half:.1f}"))
        difference, half = report.difference_interval(curves[OURS][1][:, i], curves["TRX"][1][:, i])
        cells.append(f"{difference:+.1f}" + ("" if np.isnan(half) else f" ± {half:.1f}"))
        rows.append(cells)
    return header, rows


def curve_verdict(curves: dict[str, tuple[np.ndarray, np.ndarray]]) -> str:
    """What the validation curves say about "the key-region method beats TRX", from the numbers:
    the steps where ours is ahead or behind beyond the between-seed interval (within it otherwise),
    and whether the verdict at the last step is the verdict all along."""
    steps = curves["TRX"][0]
    title = f"**What the curves say — {CLAIMS['ours_vs_trx'].text}** (validation classes, accuracy against training steps"
    differences = [report.difference_interval(curves[OURS][1][:, i], curves["TRX"][1][:, i]) for i in range(len(steps))]
    if any(np.isnan(half) for _, half in differences):
        by_step = ", ".join(f"{d:+.1f} at {int(s)}" for s, (d, _) in zip(steps, differences))
        return (f"{title}): one seed gives no interval between trained models, so the curves decide nothing. "
                f"Ours − TRX: {by_step}. **Undecided.**")
    signs = [0 if abs(d) <= half else int(np.sign(d)) for d, half in differences]
    named = {1: "ahead", -1: "behind", 0: "within the seeds' spread"}
    spans = ", ".join(f"{named[sign]} at steps {', '.join(str(int(steps[i])) for i, s in enumerate(signs) if s == sign)}"
                      for sign in (1, -1, 0) if sign in signs)
    changes = len(set(signs)) > 1
    return (f"{title}, paired by seed): the key-region model is {spans}. " +
            ("**The verdict depends on the schedule:** it changes along the curve, so a table at one step "
             "reports where training stopped, not which method is better." if changes else
             "**The verdict does not depend on the schedule** within these steps."))



def ablation_accuracies(plan, results, table: str, rows: Sequence[str], shot: int) -> dict[str, dict[str, np.ndarray]]:
    """``{row: {split: per-episode accuracy %}}`` of Table 2 (``table="modules"``) or Table 3
    (``"tricks"``): the runs ``("ablation", table, row)`` of :func:`study`, at ``shot``."""
    measured = {}
    for row in rows:
        key = ("ablation", table, row)
        measured[row] = {split: 100 * at_shot(plan[key], results[key].scores, split, shot) for split in SPLITS}
    return measured


def chance(way: int = 5) -> float:
    """The accuracy (%) of a guess in a ``way``-way episode."""
    return 100 / way


def ablation_rows(table: PaperTable, measured: dict[str, dict[str, np.ndarray]], shot: int,
                  way: int = 5) -> tuple[list, list]:
    """Header and rows of Table 2 or 3 at ``shot``: the paper's ``shot`` columns next to ours
    (``measured``, :func:`ablation_accuracies`) on each split, as :func:`interval_cell`, and a
    last row at chance in a ``way``-way episode (the paper's tables are 5-way)."""
    columns = [c for c in table.columns if c.endswith(f"{shot}-shot")]
    header = ["row"] + [f"paper {c}" for c in columns] + [f"ours {SPLITS[s]}" for s in SPLITS]
    rows = [[row] + [report.fmt(table.value(row, c)) for c in columns]
            + [interval_cell(measured[row][s]) for s in SPLITS] for row in measured]
    rows.append([CHANCE] + [report.fmt(chance())] * len(columns) + [report.fmt(chance(way))] * len(SPLITS))
    return header, rows


def at_chance(accuracies: Sequence[float], way: int = 5) -> bool:
    """Whether the 95 % interval over episodes of per-episode accuracies (%) reaches chance in a
    ``way``-way episode (or lies below it): a row that has learnt nothing measurable."""
    mean, half = metrics.mean_confidence_interval(accuracies)
    return mean - half <= chance(way)


def ablation_verdicts(measured: dict[str, dict[str, np.ndarray]], shot: int, way: int = 5) -> list[str]:
    """The verdict of every claim of :data:`CLAIMS` whose two rows are both in ``measured``
    (Table 2's modules, Table 3's tricks), on each split, paired over episodes; each names the
    rows above chance in a ``way``-way episode. When both rows are at chance (:func:`at_chance`)
    neither has learnt, their difference is noise, and the verdict is *undecided*."""
    texts = []
    for claim in CLAIMS.values():
        if claim.better not in measured or claim.worse not in measured:
            continue
        for split, kind in SPLITS.items():
            rows = {r: measured[r][split] for r in (claim.better, claim.worse)}
            unlearnt = (("Both rows are within their 95 % interval of chance: neither has learnt at this schedule, "
                         "so their difference is not evidence.", "undecided (both at chance)")
                        if all(at_chance(values, way) for values in rows.values()) else None)
            texts.append(report.verdict(claim, rows, reference={CHANCE: [chance(way)]}, where=f"{kind}, {shot}-shot",
                                        unit="episodes", overruled=unlearnt))
    return texts


def coverage_rows(regions: dict[str, dict[str, np.ndarray]], crop: int, size: tuple[int, int],
                  seed: int = 0) -> list[list[str]]:
    """Rows of Table 4 (share of the actor's box inside the key region, which no paper can
    measure): per split of ``regions`` (``{split: diagnostics.key_regions(...)}``), the mean
    ``covered`` fraction (%) and that of a random region (:func:`vadcore.baselines.random_region_coverage`,
    one generator seeded with ``seed`` drawn for the splits in turn)."""
    rng = np.random.default_rng(seed)
    rows = []
    for split, found in regions.items():
        chance = baselines.random_region_coverage(found["actors"], crop, size, rng)
        rows.append([SPLITS[split], f"{100 * np.nanmean(found['covered']):.1f}", f"{100 * np.nanmean(chance):.1f}"])
    return rows


def key_region_gain(plan, results, shot: int, seeds: Sequence[int]) -> dict[str, float]:
    """``{split: points}``: Table 1's mean accuracy of :data:`OURS` minus that of TRX at ``shot``
    (the difference the discussion questions of notebook 05 quote)."""
    return {split: float(np.mean(headline_accuracies(plan, results, OURS, shot, split, seeds))
                         - np.mean(headline_accuracies(plan, results, "TRX", shot, split, seeds))) for split in SPLITS}
