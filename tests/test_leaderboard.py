"""Notebook 06, the leaderboard (``vadcore.papers.leaderboard``): its study declares exactly the
headline runs notebooks 01–04 train themselves, at one frame size per profile; every row is
evaluated on the same frames through its family's evaluation; the table, the ranks and the verdict
on hand-made inputs with known values (a ranking that flips between micro and macro AUC)."""
import ast
import math
from types import SimpleNamespace

import nbformat
import numpy as np
import pytest

from vadcore import metrics, plan, report
from vadcore.methods import prediction, reconstruction
from vadcore.methods.study import Search, walk
from vadcore.papers import leaderboard as board
from vadcore.reproduce import list_notebooks
from vadcore.runs import RunResult
from vadcore.teaching import SOLUTION

SIZES = {"smoke": (32, 48), "cpu": (96, 96), "gpu": (256, 256), "full": (256, 256)}


def fake_results(stage):
    """Results a study can read: a validation search prefers its last option."""
    def last(label) -> float:
        return float(label[-1]) if isinstance(label[-1], (int, float)) else 0.0

    return {label: RunResult(curves={name: np.array([last(label)]) for name in ("val_psnr", "val_pseudo_auc", "val_accuracy")})
            for label in stage}


def declared(steps) -> list[dict]:
    stages = []
    walk(steps, lambda stage: (stages.append(dict(stage)), fake_results(stage))[1])
    return stages


@pytest.mark.parametrize("profile", list(SIZES), ids=lambda p: f"at-{p}")  # an id "gpu" would mark it as needing CUDA
def test_the_study_declares_only_the_headline_runs_of_notebooks_01_to_04(profile):
    seeds = [0, 1]
    stages = declared(board.study(profile, "synthped", seeds, device="cpu"))
    *searches, headline = stages
    assert list(headline) == [(row, seed) for row in board.METHODS for seed in seeds]
    assert {tuple(c.size) for c in headline.values()} == {SIZES[profile]}
    assert all(label[0] in board.SEARCHES for stage in searches for label in stage)
    assert len({label for stage in searches for label in stage}) == sum(len(stage) for stage in searches)  # once each
    # every config is one the notebooks train themselves, with their own parameters at this profile
    theirs = {}
    for number in ("01", "02", "03", "04"):
        notebook = plan.open_notebook(number, profile, {"seeds": seeds, "dataset": "synthped"})
        for stage in declared(notebook.steps()):
            theirs.update({(number, *label): config for label, config in stage.items()})
    for (row, seed), config in headline.items():
        source, number, prefix = board.METHODS[row]
        assert theirs[(number, *prefix, seed)] == config
    assert headline["AnoPred", 0] == theirs["04", "AnoPred", 0]  # notebook 04 trains the same AnoPred runs
    assert headline["ADL", 1] == theirs["03", "Driven_loss (ADL)", 1]
    for stage in searches:  # notebook 02's search, and notebook 04's of the clusters
        assert all(theirs["02" if label[0] == "validation" else "04", *label] == config for label, config in stage.items())


def test_plan_lists_notebook_06_and_waits_for_the_search():
    planned, complete = plan.plan(["06"], "smoke")
    assert complete == {"06": False} and {p.label[0] for p in planned} == {"validation"}


def test_headline_runs_searches_once_and_keeps_only_the_wanted_rows():
    a, b = prediction.profile_config("smoke", "synthped", 0), prediction.profile_config("smoke", "synthped", 1)

    def paper(search):
        reply = yield Search(search)
        assert set(reply) == set(search) and all(r is not None for r in reply.values())
        yield {("full", "X", 0): a, ("full", "Y", 0): b, ("short", "X", 0): b}
        return "value"

    def two():
        searched = {}
        first = yield from board.headline_runs(paper({("validation", 0, 0): a}), {"X": ("full", "X")}, searched)
        second = yield from board.headline_runs(paper({("validation", 0, 0): a}), {"Y": ("full", "Y")}, searched)
        yield {**first[0], **second[0]}
        return first[1], second[1]

    stages = []
    value = walk(two(), lambda stage: (stages.append(dict(stage)), fake_results(stage))[1])
    assert stages == [{("validation", 0, 0): a}, {("X", 0): a, ("Y", 0): b}] and value == ("value", "value")

    def clash():
        searched = {}
        yield from board.headline_runs(paper({("validation", 0, 0): a}), {}, searched)
        yield from board.headline_runs(paper({("validation", 0, 0): b}), {}, searched)

    with pytest.raises(ValueError, match="other configs"):
        walk(clash(), fake_results)
    with pytest.raises(ValueError, match="one frame size"):
        board.common_size([a, prediction.profile_config("cpu", "synthped")])


def test_every_row_is_evaluated_on_the_same_frames():
    labels = [np.array([0, 0, 0, 0, 0, 1, 1, 0, 0]), np.array([0, 0, 0, 0, 1, 1, 1, 1, 0, 0])]
    videos = [SimpleNamespace(labels=l) for l in labels]
    rng = np.random.default_rng(0)
    error = [rng.random(len(l)) + l for l in labels]  # an autoencoder scores every frame
    psnr = [30 - 5 * l[4:] + rng.random(len(l) - 4) for l in labels]  # a predictor from four frames
    motion = [rng.random(len(l) - 1) for l in labels]  # frame difference: all but the first
    assert [board.unscored(s, videos) for s in (error, psnr, motion)] == [0, 4, 1]
    assert board.first_common([{"error": error}, {"psnr": psnr, "psnr_foreground": psnr}], videos) == 4
    common = metrics.drop_first(labels, 4)
    assert board.run_metrics(reconstruction.profile_config("smoke", "synthped"), {"error": error}, videos, 4) == \
        metrics.frame_metrics([e[4:] for e in error], common).as_dict()
    assert board.run_metrics(prediction.profile_config("smoke", "synthped"), {"psnr": psnr}, videos, 4) == \
        metrics.frame_metrics(psnr, common, higher_is_normal=True).as_dict()
    assert board.score_metrics(motion, videos, 4) == metrics.frame_metrics([m[3:] for m in motion], common).as_dict()
    assert board.frames_scored(videos, 4) == (11, 6)
    with pytest.raises(ValueError, match="common frames start at 3"):
        board.trim(psnr, videos, 2)
    with pytest.raises(ValueError, match="different numbers of frames"):
        board.run_metrics(prediction.profile_config("smoke", "synthped"), {"psnr": psnr, "error": error}, videos, 4)


def test_the_ranking_flips_between_micro_and_macro_auc_on_the_constructed_case():
    rows = board.flip_case()
    assert rows["sharp"]["micro_auc"] == [0.75] and rows["sharp"]["macro_auc"] == [1.0]
    assert rows["steady"]["micro_auc"] == [25 / 32] and rows["steady"]["macro_auc"] == [pytest.approx(5 / 6)]
    assert rows["sharp"]["global_auc"] == [0.75] and rows["steady"]["eer"] == [0.25]
    ranked = board.ranks(rows)
    assert ranked == {"sharp": {"micro_auc": 2, "macro_auc": 1, "global_auc": 2, "eer": 2, "score_gap": 2},
                      "steady": {"micro_auc": 1, "macro_auc": 2, "global_auc": 1, "eer": 1, "score_gap": 1}}
    assert board.rank_agreement(ranked) == {"micro_auc": 1.0, "macro_auc": -1.0, "global_auc": 1.0, "eer": 1.0,
                                            "score_gap": 1.0}
    assert board.rank_moves(rows) == (
        "First place by metric — micro AUC: steady; macro AUC: sharp; global AUC: steady; EER: steady; ΔS: steady. "
        "3 of the 4 other metrics agree with the micro AUC on first place. The row that moves most is sharp: 1st by "
        "macro AUC, 2nd by micro AUC (of 2 rows).")


def test_ranks_share_ties_and_read_eer_the_other_way():
    rows = {"a": {"micro_auc": [0.8, 0.9], "eer": [0.2]}, "b": {"micro_auc": [0.85], "eer": [0.3]},
            "c": {"micro_auc": [0.7], "eer": [0.1]}}
    assert board.ranks(rows, ["micro_auc", "eer"]) == {"a": {"micro_auc": 1, "eer": 2}, "b": {"micro_auc": 1, "eer": 3},
                                                       "c": {"micro_auc": 3, "eer": 1}}
    assert board.order(rows) == ["a", "b", "c"] and board.order(rows, "eer") == ["c", "a", "b"]
    same = {"a": {"micro_auc": [0.9], "eer": [0.1]}, "b": {"micro_auc": [0.8], "eer": [0.2]}}
    assert board.rank_moves(same, ["micro_auc", "eer"]).startswith("Every metric ranks the 2 rows in the same order")


def metric_row(micro, macro=0.5, gap=0.1, seconds=(60.0,), per_s=(100.0,)):
    measured = [{"micro_auc": m, "macro_auc": macro, "global_auc": m, "eer": 1 - m, "score_gap": gap} for m in micro]
    timings = [{"train_s": s, "scored_per_s": f} for s, f in zip(seconds, per_s)]
    return board.row_values(measured, timings)


def test_the_leaderboard_table_sorts_every_row_and_writes_csv_and_markdown(tmp_path):
    learned = {"A": metric_row([0.70, 0.72], seconds=(60.0, 180.0), per_s=(100.0, 300.0)),
               "B": metric_row([0.80, 0.82, 0.84], macro=0.4, gap=0.05, seconds=(30.0,) * 3, per_s=(50.0,) * 3)}
    trivial = {"copy last frame": board.row_values([{"micro_auc": 0.75, "macro_auc": 0.9, "global_auc": 0.7,
                                                      "eer": 0.3, "score_gap": 0.2}])}
    learned["AnoPred"] = learned.pop("B")  # a method's notebook comes from METHODS
    text = board.table(tmp_path, "table2_leaderboard", learned, trivial, "Leaderboard")
    lines = text.splitlines()
    assert lines[2] == "| # | method | notebook | seeds | micro AUC % | macro AUC % | global AUC % | EER % | ΔS | " \
                       "training min | inference frames/s |"
    assert lines[4] == "| 1 | AnoPred | 02 | 3 | 82.0 ± 2.0 | 40.0 ± 0.0 | 82.0 ± 2.0 | 18.0 ± 2.0 | 0.050 ± 0.000 | " \
                       "0.50 ± 0.00 | 50 ± 0 |"
    assert lines[5] == "| 2 | copy last frame (learns nothing) | 00 | 1 | 75.0 | 90.0 | 70.0 | 30.0 | 0.200 | — | — |"
    assert lines[6] == "| 3 | A | — | 2 | 71.0 ± 1.4 | 50.0 ± 0.0 | 71.0 ± 1.4 | 29.0 ± 1.4 | 0.100 ± 0.000 | " \
                       "2.00 ± 1.41 | 200 ± 141 |"
    assert (tmp_path / "table2_leaderboard.md").read_text().strip() == text
    csv = (tmp_path / "table2_leaderboard.csv").read_text().splitlines()
    assert csv[0] == "method,kind,notebook,column,mean,std,n" and "copy last frame,learns nothing,00,training min,,,0" in csv
    ranking = board.rank_table(tmp_path, "table3_ranking", {**learned, **trivial}, "Ranks").splitlines()
    assert ranking[4] == "| AnoPred | 1 | 3 | 1 | 1 | 3 | 2 |"
    assert ranking[5] == "| copy last frame | 2 | 1 | 3 | 3 | 1 | 2 |"
    assert ranking[-1] == "| Kendall τ with the micro AUC ranking | +1.00 | -0.33 | +0.33 | +0.33 | -0.33 |  |"


def test_the_verdict_is_decided_on_the_interval_over_seeds():
    trivial = {"copy last frame": {"micro_auc": [0.75]}, "random": {"micro_auc": [0.49, 0.51, 0.50]}}
    # a constant reference: the learned row's own t interval over its seeds
    difference, half = board.against_reference([80.0, 82.0, 84.0], [75.0])
    assert difference == pytest.approx(7.0) and half == pytest.approx(4.302652729749464 * 2 / math.sqrt(3))
    assert (difference, half) == report.difference_interval([80.0, 82.0, 84.0], [75.0] * 3)
    found = board.beats_trivial({"A": {"micro_auc": [0.80, 0.82, 0.84]}, "B": {"micro_auc": [0.70, 0.76, 0.79]},
                                 "C": {"micro_auc": [0.60, 0.61, 0.62]}}, trivial)
    assert found["reference"] == "copy last frame" and found["value"] == pytest.approx(75.0)
    assert [row[3] for row in found["rows"].values()] == ["above", "within", "below"]
    text = board.verdict(found, where="synthped")
    assert "**copy last frame** at 75.0" in text and "the best learned method is **A** at 82.0 (+7.0)" in text
    assert "above it beyond seed noise: A (+7.0 ± 5.0)" in text and "below it beyond seed noise: C (-14.0 ± 2.5)" in text
    assert text.endswith("**Verdict: A beats every score that learns nothing beyond seed noise.**")
    none = board.verdict(board.beats_trivial({"B": {"micro_auc": [0.70, 0.76, 0.79]}}, trivial))
    assert none.endswith("**Verdict: no learned method beats the strongest score that learns nothing beyond seed noise.**")
    one = board.verdict(board.beats_trivial({"A": {"micro_auc": [0.80]}, "C": {"micro_auc": [0.6]}},
                                            {"copy last frame": {"micro_auc": [0.75]}}))
    assert "by the point estimates alone, 1 of 2 learned methods are above it: A." in one
    assert one.endswith("**Verdict: undecided (one seed).**")


def test_notebook_06_defines_nothing_of_its_own():
    """The lab layer is checked for every notebook in test_teaching; 06 reads everything from the
    package: one parameters cell, and no function outside its exercises' solutions."""
    notebook = nbformat.read(str(list_notebooks()["06"]), as_version=4)
    tags = [c.metadata.get("tags", []) for c in notebook.cells]
    assert sum("parameters" in t for t in tags) == 1
    code = [c.source for c, t in zip(notebook.cells, tags) if c.cell_type == "code" and SOLUTION not in t]
    solutions = sum(SOLUTION in t for t in tags)
    assert solutions >= 4 and len(code) == sum(c.cell_type == "code" for c in notebook.cells) - solutions >= 10
    # a def or class anywhere in a cell (indented under an if or a with too), IPython's % and ! lines aside
    defined = [node.name for source in code
               for node in ast.walk(ast.parse("\n".join(line for line in source.splitlines()
                                                         if not line.lstrip().startswith(("%", "!")))))
               if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    assert defined == []


def test_the_search_is_counted_once_per_distinct_run_and_not_where_it_is_a_row():
    a, b, c = (prediction.profile_config("smoke", "synthped", 0, flow=f) for f in (2.0, 0.0, 0.2))
    outcome = SimpleNamespace(
        configs={("validation", 0, 0): a, ("validation", 0, 1): b, ("validation", 1, 0): a, ("clusters", 0, 0): c,
                 ("AnoPred", 0): b},
        results={("validation", 0, 0): RunResult(timings={"train_s": 60.0}),
                 ("validation", 0, 1): RunResult(timings={"train_s": 30.0}),
                 ("validation", 1, 0): RunResult(timings={"train_s": 60.0}),
                 ("clusters", 0, 0): RunResult(timings={"train_s": 90.0}),
                 ("AnoPred", 0): RunResult(timings={"train_s": 30.0})})
    assert board.search_minutes(outcome) == (2, 2.5)  # a once (60 s) and c (90 s); b is AnoPred's row


@pytest.mark.parametrize("number", ["00", "01", "02", "03", "04", "05", "06"])
def test_a_notebooks_device_reaches_every_config_its_study_declares(number):
    """Opened for a GPU on this CPU (a plan for GPU jobs), every config a notebook's study declares
    — its searches', its tables', the one its value returns — is for the GPU: the study passes the
    notebook's device to every ``profile_config`` (one that did not would give ``cpu`` here)."""
    from vadcore import engine
    from vadcore.methods import MethodConfig

    assert engine.default_kind() == "cpu"
    notebook = plan.open_notebook(number, "smoke", {"device": "cuda", "seeds": [0]}, device_here=False)
    stages = []
    value = walk(notebook.steps(), lambda stage: (stages.append(dict(stage)), fake_results(stage))[1])
    configs = [c for stage in stages for c in stage.values()]
    configs += [c for c in (value or {}).values() if isinstance(c, MethodConfig)]
    configs += [c for v in (value or {}).values() if isinstance(v, dict) for c in v.values() if isinstance(c, MethodConfig)]
    assert len(configs) >= {"00": 1}.get(number, 2)
    assert {c.device for c in configs} == {"cuda"}
