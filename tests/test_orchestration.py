"""Notebooks only orchestrate: a code cell that writes a table passes it what the package built —
the per-seed values of its runs and the reference rows at the table's size
(:mod:`vadcore.report.rows`, the paper modules' ``*_rows``) — and holds no ``for`` loop or
comprehension of its own that reshapes results into rows. The exceptions are named below, each
with its reason and the number of loops it may hold."""
import ast
import json

import numpy as np
import pytest

from vadcore import report
from vadcore.reproduce import list_notebooks

# The table writers of vadcore.report (every public ``*_table``), listed so that a new one is seen
TABLE_WRITERS = {"comparison_table", "criteria_table", "markdown_table", "metrics_table", "paper_table",
                 "search_table", "write_table"}
# Every writer, those of the paper modules too (notebook 06's ``board.table``, ``board.roster``,
# ``board.rank_table``), takes the results folder first: a call with ``lab.out`` first writes a table.
FOLDER = "lab.out"
LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)

# Table-writing cells per notebook: the exact number this test examines
EXAMINED = {"00_data_and_protocol": 2, "01_convlstm_autoencoder": 2, "02_attention_driven_loss": 8,
            "03_saliency_masking": 5, "04_spatiotemporal_dissociation": 4, "05_fewshot_key_region": 6,
            "06_leaderboard": 4}

# (notebook, a table the cell writes) → (loops the cell holds, why they stay): loops over tables or over a
# figure's panels, never over rows.
EXCEPTIONS = {
    ("05_fewshot_key_region", "stem"): (2, "loops over the two ablation tables, writing each (rows from "
                                           "paper.ablation_rows) and showing its verdicts"),
    ("05_fewshot_key_region", "table4_actor_coverage"): (3, "the loops read key regions and draw the figure; the "
                                                            "rows come from paper.coverage_rows"),
    ("06_leaderboard", "table4_constructed_case"): (1, "prints the constructed case's scores beside its table "
                                                       "(rows from board.flip_case)"),
}


def _name(call: ast.Call) -> str | None:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def writes_table(node: ast.AST) -> bool:
    """Whether ``node`` is a call that writes (or builds) a table."""
    return isinstance(node, ast.Call) and (
        _name(node) in TABLE_WRITERS or bool(node.args) and ast.unparse(node.args[0]) == FOLDER)


def table_cells(sources: list[str]) -> list[dict]:
    """For each code cell (``sources``) that writes a table: the tables it writes (the literal
    stem, else the expression that names it) and the loops and comprehensions it holds."""
    found = []
    for source in sources:
        tree = ast.parse(source)
        calls = [node for node in ast.walk(tree) if writes_table(node)]
        if calls:
            tables = [ast.literal_eval(c.args[1]) if len(c.args) > 1 and isinstance(c.args[1], ast.Constant)
                      else ast.unparse(c.args[1]) if len(c.args) > 1 else _name(c) for c in calls]
            loops = [ast.unparse(node).splitlines()[0] for node in ast.walk(tree) if isinstance(node, LOOPS)]
            found.append({"tables": tables, "loops": loops})
    return found


def violations(notebook: str, cells: list[dict]) -> list[str]:
    """Table cells with loops that no exception names (or more loops than it allows)."""
    wrong = []
    for cell in cells:
        named = [EXCEPTIONS[notebook, t] for t in cell["tables"] if (notebook, t) in EXCEPTIONS]
        allowed = named[0][0] if named else 0
        if len(cell["loops"]) > allowed:
            wrong.append(f"{notebook}: the cell writing {', '.join(map(str, cell['tables']))} builds its rows itself: "
                         + "; ".join(cell["loops"]))
    return wrong


def code_cells(path) -> list[str]:
    notebook = json.loads(path.read_text())
    return ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]


NOTEBOOKS = list_notebooks()


def test_the_table_writers_are_those_of_the_report_package():
    assert {name for name in report.__all__ if name.endswith("_table")} == TABLE_WRITERS


@pytest.mark.parametrize("name", sorted(EXAMINED))
def test_no_table_cell_builds_its_rows(name):
    path = next(p for p in NOTEBOOKS.values() if p.stem == name)
    cells = table_cells(code_cells(path))
    assert len(cells) == EXAMINED[name], [c["tables"] for c in cells]
    assert violations(name, cells) == []
    for cell in cells:  # an exception allows exactly the loops it names, no fewer (else it is stale)
        named = [EXCEPTIONS[name, t] for t in cell["tables"] if (name, t) in EXCEPTIONS]
        if named:
            assert len(cell["loops"]) == named[0][0], (cell["tables"], cell["loops"])


def test_every_notebook_is_examined_and_every_exception_is_used():
    assert sorted(EXAMINED) == sorted(p.stem for p in NOTEBOOKS.values())
    used = {(p.stem, t) for p in NOTEBOOKS.values() for c in table_cells(code_cells(p)) for t in c["tables"]}
    assert set(EXCEPTIONS) <= used


PLANTED = {
    "a dict comprehension": 'ours = {row: [100 * results[row, s].metrics["micro_auc"] for s in lab.seeds] for row in rows}',
    "a for loop": 'for name, outcome in trivial.items():\n    reference[name] = [100 * outcome["metrics"]["micro_auc"]]',
    "a list comprehension": 'rows = [[row, report.fmt(v)] for row, v in table.items()]',
    "a set comprehension": 'seen = {row for row in ours}',
    "a generator": 'ours = dict((row, v) for row, v in ours.items())',
}


@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_a_loop_planted_in_a_table_cell_is_caught(kind):
    path = next(p for p in NOTEBOOKS.values() if p.stem == "01_convlstm_autoencoder")
    sources = code_cells(path)
    clean = table_cells(sources)
    assert violations("01_convlstm_autoencoder", clean) == []
    index = next(i for i, s in enumerate(sources) if '"table1_auc"' in s)
    planted = sources[:index] + [PLANTED[kind] + "\n" + sources[index]] + sources[index + 1:]
    caught = violations("01_convlstm_autoencoder", table_cells(planted))
    assert len(caught) == 1 and "table1_auc" in caught[0], caught
    # the same loop in a cell that writes no table is not this test's business
    elsewhere = sources[:1] + [PLANTED[kind] + "\n" + sources[1]] + sources[2:]
    assert violations("01_convlstm_autoencoder", table_cells(elsewhere)) == []


def test_any_writer_that_takes_the_results_folder_counts():
    for source in ('rows = [[k, v] for k, v in found.items()]\nlab.show(board.rank_table(lab.out, "t", rows, "T"))',
                   'from vadcore.report import write_table\nfor r in x:\n    pass\nwrite_table(folder, "t", [], [], "T")'):
        cells = table_cells([source])
        assert len(cells) == 1 and violations("01_convlstm_autoencoder", cells), source
    # an exception covers only its own notebook and no more loops than it names
    cell = table_cells(['for a in b:\n    pass\nreport.write_table(lab.out, "table4_constructed_case", [], [], "T")'])
    assert violations("06_leaderboard", cell) == [] and violations("01_convlstm_autoencoder", cell)
    cell = table_cells(['for a in b:\n    pass\nx = [a for a in b]\nreport.write_table(lab.out, "table4_constructed_case", [], [], "T")'])
    assert violations("06_leaderboard", cell)


# --------------------------------------------------------------------------------------------
# The rows the package builds: the notebooks' former loops, value for value
# --------------------------------------------------------------------------------------------
def run(value: float | None = None, **metrics):
    from vadcore.runs import RunResult

    return RunResult(metrics=metrics if value is None else {"micro_auc": value, **metrics})


def test_per_seed_follows_the_rows_and_seeds_it_is_given():
    from vadcore.report.rows import per_seed

    results = {("b", 1): run(0.61), ("a", 0): run(0.5), ("a", 1): run(0.75), ("b", 0): run(0.6)}
    assert per_seed(results, ["a", "b"], [0, 1]) == {"a": [50.0, 75.0], "b": [60.0, 61.0]}
    assert per_seed(results, {"b": "ignored", "a": None}, [1]) == {"b": [61.0], "a": [75.0]}  # a mapping: its keys
    assert per_seed(results) == {"b": [61.0, 60.0], "a": [50.0, 75.0]}  # every row, seeds in the results' order
    with pytest.raises(KeyError):
        per_seed(results, ["a"], [2])
    with pytest.raises(KeyError):
        per_seed(results, ["c"])
    # as notebook 01 computed them, to the last bit
    odd = {(row, s): run(v) for (row, s), v in {("x", 0): 0.1 + 0.2, ("x", 1): 1 / 3}.items()}
    assert per_seed(odd, ["x"], [0, 1]) == {"x": [100 * odd["x", s].metrics["micro_auc"] for s in (0, 1)]}


def test_labels_of_several_parts_and_a_common_start():
    from vadcore.report.rows import per_seed, seed_metrics

    runs = {("validation", 0, "a"): run(0.1), ("full", "AnoPred", 0): run(0.5), ("full", "AnoPred", 1): run(0.52),
            ("full", "ADL", 0): run(0.55), ("short", "ℓcl", 0): run(0.4), ("IV", "Conv-AE", 0): run(0.7)}
    assert per_seed(runs, ["AnoPred", "ADL"], [0], within=("full",)) == {"AnoPred": [50.0], "ADL": [100 * 0.55]}
    assert per_seed(runs, [("full", "AnoPred"), ("short", "ℓcl")]) == {("full", "AnoPred"): [50.0, 52.0],
                                                                       ("short", "ℓcl"): [40.0]}
    assert per_seed(runs, within=("IV",)) == {"Conv-AE": [70.0]}
    metrics = dict(micro_auc=0.5, macro_auc=0.6, global_auc=0.5, eer=0.4, score_gap=0.1, n_frames=10, n_anomalous=3)
    rows = seed_metrics({("m", 0): run(**metrics)}, ["m"], [0])
    assert rows["m"][0].macro_auc == 0.6 and type(rows["m"][0]).__name__ == "FrameMetrics"


def test_notebook_02s_micro_auc_is_its_former_loop():
    from vadcore.papers import adl

    runs = {("validation", 0, "λ_of = 2"): run(0.3), ("full", "AnoPred", 0): run(0.5), ("full", "AnoPred", 1): run(0.52),
            ("full", "ADL", 0): run(0.55), ("full", "ADL", 1): run(0.56), ("short", "ℓcl", 0): run(0.4),
            ("IV", "3DConv-AE", 0): run(0.7)}
    micro = {}
    for (schedule, variant, seed), result in ((label, r) for label, r in runs.items() if label[0] in ("full", "short")):
        micro.setdefault((schedule, variant), []).append(100 * result.metrics["micro_auc"])
    assert adl.micro_auc(runs) == micro
    assert adl.ours(micro, "I") == {"AnoPred": micro["full", "AnoPred"], "ADL (ours)": micro["full", "ADL"]}


def test_reference_rows_keep_the_notebooks_order_and_values():
    from vadcore import baselines
    from vadcore.data.video import Video, VideoSource
    from vadcore.report.rows import reference_metrics, reference_rows

    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (20, 8, 12), dtype=np.uint8) for _ in range(3)]
    labels = [(rng.random(20) < 0.3).astype(np.uint8) for _ in range(3)]
    videos = [Video(f"c{i}", "test", VideoSource(f"c{i}", 20, lambda f=f: f, labels=y))
              for i, (f, y) in enumerate(zip(frames, labels))]
    metrics = dict(micro_auc=0.7, macro_auc=0.6, global_auc=0.5, eer=0.4, score_gap=0.1, n_frames=10, n_anomalous=3)
    predictions = {"copy last frame": {"metrics": metrics, "val_psnr": 30.0},
                   "linear extrapolation": {"metrics": {**metrics, "micro_auc": 0.65}, "val_psnr": 28.0}}
    after = reference_rows(predictions, videos, 4)
    assert list(after) == ["copy last frame", "linear extrapolation", "frame difference"]
    assert after["frame difference"] == [100 * baselines.frame_difference_metrics(videos, 4).micro_auc]
    assert after["copy last frame"] == [100 * 0.7]
    first = reference_rows(predictions, videos, frame_difference_first=True)
    assert list(first) == ["frame difference", "copy last frame", "linear extrapolation"]
    assert first["frame difference"] == [100 * baselines.frame_difference_metrics(videos).micro_auc]
    assert list(reference_rows(predictions, suffix=", masked PSNR")) == ["copy last frame, masked PSNR",
                                                                        "linear extrapolation, masked PSNR"]
    assert reference_metrics(predictions)["linear extrapolation"][0].micro_auc == 0.65


def test_the_small_helpers():
    from vadcore.papers import Claim, PaperTable
    from vadcore.report.rows import mean_rows, table_verdicts, validation_psnr

    assert mean_rows({"a": [50.0, 51.0], "b": [49.96]}) == [["a", "50.5", 2], ["b", "50.0", 1]]
    predictions = {"copy last frame": {"val_psnr": 30.123}, "linear extrapolation": {"val_psnr": 28.0}}
    assert validation_psnr(predictions) == {"copy last frame (30.12 dB)": 30.123, "linear extrapolation (28.00 dB)": 28.0}
    assert list(validation_psnr(predictions, "{name}: {psnr:.2f} dB")) == ["copy last frame: 30.12 dB",
                                                                          "linear extrapolation: 28.00 dB"]
    table = PaperTable("T", "caption", ("synthped",), {"a": (60.0,), "b": (50.0,)})
    claims = (Claim("a beats b", "a", "b"), Claim("b beats a", "b", "a"))
    ours = {"a": [61.0, 62.0, 60.0], "b": [50.0, 51.0, 52.0]}
    text = table_verdicts(claims, table, "synthped", ours)
    assert text == "\n\n".join(report.table_verdict(c, table, "synthped", ours) for c in claims)
    assert text.count("**Verdict:") == 2


def test_the_rows_of_notebooks_00_and_05s_small_tables():
    from types import SimpleNamespace

    from vadcore.data import load_dataset
    from vadcore.papers import fewshot_key_region as paper
    from vadcore.report.rows import DATASET_HEADER, dataset_rows, quoted_cells, split_rows, trial_rows

    synth = load_dataset("synthped")
    (row,) = dataset_rows({"synthped": synth})
    assert len(row) == len(DATASET_HEADER) and row[0] == "synthped"
    frames = [len(v.labels) for v in synth.test]
    anomalous = sum(int(v.labels.sum()) for v in synth.test)
    assert row[1:6] == [len(synth.train), len(synth.test), sum(len(v.frames) for v in synth.train), sum(frames), anomalous]
    assert row[6] == f"{100 * anomalous / sum(frames):.1f}" and row[8].endswith(f"/{len(synth.test)}")

    actions = SimpleNamespace(splits={"train": [1, 2, 3], "test": [4, 5]}, classes=lambda s: {"train": "ab", "test": "c"}[s])
    assert split_rows(actions) == [["train", 2, 3], ["test", 1, 2]]

    kept = SimpleNamespace(config="A")
    trials = [SimpleNamespace(overrides={"lr": 0.001}, value=0.2345, config="B"),
              SimpleNamespace(overrides={"lr": 0.01}, value=0.5, config="A")]
    choice = SimpleNamespace(trials=trials, final=kept)
    assert trial_rows(choice) == [["lr = 0.001", "23.4", ""], ["lr = 0.01", "50.0", "chosen"]]

    cells = quoted_cells(paper.TABLE1, paper.SETTINGS)
    assert len(cells) == len(paper.TABLE1.rows) * len(paper.SETTINGS)
    assert all(c.ours is None and c.paper == paper.TABLE1.value(c.row, c.column) for c in cells)
