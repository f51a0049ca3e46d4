"""The lab layer: stubs, checks that say what failed, student copies and their release, the
convention every notebook follows, runtime tables."""
import dataclasses
import functools
import json
import os
import re
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from layouts import SMALL_SYNTHPED_ROW

from vadcore import cli, metrics
from vadcore.notebook import notebook_name
from vadcore.reproduce import list_notebooks
from vadcore.teaching import (ANSWER_KEY, SELF_CHECK, SOLUTION, expect, expect_close, exercises, explanation_rubric,
                              own_work, prediction_beside_outcome, record_prediction, runtime_table, solution_leaks,
                              student_notebook, stub, write_release)
from vadcore.teaching.checks import EXPLANATION_POINTS
from vadcore.teaching.copies import TEXT_STUB, tags
from vadcore.teaching.runtime import classroom_minutes

SOLUTION_CELL = '''def regularity(errors, floor=0.0):
    """s_r(t) = 1 − (e − min e) / (max e − min e).

    Hint: subtract the minimum, divide by the range
    (not by the maximum).

    A paragraph after the hint.
    """
    errors = np.asarray(errors)
    return 1 - (errors - errors.min()) / (errors.max() - errors.min())


@staticmethod
def twice(x):  # no docstring: the hint names the function
    return 2 * x
'''


def test_stub_keeps_signatures_and_docstrings_and_raises_with_the_hint():
    text = stub(SOLUTION_CELL)
    assert 'def regularity(errors, floor=0.0):' in text and "Hint: subtract the minimum" in text
    assert ('    # YOUR CODE HERE\n    raise NotImplementedError("Your turn: subtract the minimum, divide by the range '
            '(not by the maximum).")') in text  # the whole hint paragraph, nbgrader's stub line above it
    assert '@staticmethod\ndef twice(x):  # no docstring' in text and '"Your turn: implement twice"' in text
    assert "errors.max()" not in text and "2 * x" not in text
    namespace = {}
    exec(text, namespace)
    with pytest.raises(NotImplementedError, match="Your turn"):
        namespace["regularity"]([1.0, 2.0])
    with pytest.raises(ValueError, match="only define functions"):
        stub("import numpy as np\n")


def test_expect_messages_name_the_property_the_expected_and_the_got_value():
    with pytest.raises(AssertionError, match=r"^share covered: expected 0\.25, got 0\.5$"):
        expect("share covered", 0.5 == 0.25, 0.25, 0.5)
    with pytest.raises(AssertionError, match=r"normalise\(\[2, 4\]\): expected \[0\. 1\.\], got \[0\.5 1\. \]"):
        expect_close("normalise([2, 4])", [0.5, 1.0], [0.0, 1.0])
    with pytest.raises(AssertionError, match=r"\(shape\): expected \(2,\), got \(3,\)"):
        expect_close("x", [0.0, 1.0, 2.0], [0.0, 1.0])
    expect_close("x", np.array([1.0, 2.0]) + 1e-9, [1.0, 2.0])  # within tolerance: silent


ALIAS = metrics.minmax  # bound in "another cell"


def _written(scores):
    scores = np.asarray(scores, dtype=float)
    return (scores - scores.min()) / (scores.max() - scores.min())


def _nested(scores):
    def inner(s):
        return metrics.minmax(s)
    return inner(np.asarray(scores, dtype=float))


BYPASSES = {  # each calls the package's implementation without naming it in the usual way
    "a plain call inside a nested function": _nested,
    "getattr with a built name": lambda s: getattr(metrics, "min" + "max")(np.asarray(s, dtype=float)),
    "a default argument bound to the package function": lambda s, f=metrics.minmax: f(np.asarray(s, dtype=float)),
    "an alias bound in another cell": lambda s: ALIAS(np.asarray(s, dtype=float)),
    "a package function on no hand list": lambda s: 1 - metrics.regularity([np.asarray(s, dtype=float)])[0],
    "the package function itself, renamed": metrics.minmax,
}


@pytest.mark.parametrize("bypass", sorted(BYPASSES))
def test_own_work_traces_each_bypass_of_the_package(bypass):
    function = BYPASSES[bypass]
    with pytest.raises(AssertionError, match=r"written without the package's implementation \(vadcore\.metrics\): "
                                             r"expected no call to it, got a call to vadcore\.metrics\."):
        with own_work(function, "vadcore.metrics"):
            expect_close("normalise([2, 4])", function([2.0, 4.0]), [0.0, 1.0])


def test_own_work_passes_a_written_function_and_the_checks_own_calls():
    previous = sys.getprofile()
    with own_work(_written, metrics):  # a module object or its dotted name
        expect_close("normalise([2, 4, 6])", _written([2.0, 4.0, 6.0]), metrics.minmax(np.array([2.0, 4.0, 6.0])))
    assert sys.getprofile() is previous
    assert len(BYPASSES) == 6


def test_own_work_catches_a_builtin_and_a_class_method_and_needs_a_run():
    import torch

    functional, module = (lambda x: torch.nn.functional.pixel_shuffle(x, 2)), (lambda x: torch.nn.PixelShuffle(2)(x))
    for function, called in ((functional, "torch.pixel_shuffle"), (module, "torch.nn.modules.pixelshuffle.PixelShuffle")):
        with pytest.raises(AssertionError, match=f"got a call to {re.escape(called)}"):
            with own_work(function, torch.pixel_shuffle, torch.nn.PixelShuffle):
                function(torch.zeros(1, 4, 1, 1))
    with pytest.raises(AssertionError, match="ran in its check: expected at least one call, got none"):
        with own_work(_written, "vadcore.metrics"):
            pass
    with pytest.raises(AssertionError, match="is a function you wrote: expected a Python function, got partial"):
        with own_work(functools.partial(metrics.minmax), "vadcore.metrics"):
            pass


def test_prediction_beside_outcome_needs_a_prediction_and_a_run_but_not_a_right_guess():
    shown = prediction_beside_outcome(record_prediction(lambda: ("higher", "noise averages out over frames")), 80.0,
                                      77.5, "AUC (%)", "smoothing", tolerance=1.0)
    assert "**You predicted** higher" in shown and "**The run:** lower" in shown and "did not match" in shown
    assert "**The run:** about the same" in prediction_beside_outcome(
        record_prediction(lambda: ("about the same", "the change is far too small")), 80.0, 80.5, "AUC (%)", "x", 1.0)
    for answer, message in [(None, "a pair"), (("up", "a reason of words"), "predicted direction"),
                            (("lower", "because"), "the reason")]:
        with pytest.raises(AssertionError, match=message):
            prediction_beside_outcome(record_prediction(lambda: answer), 1.0, 2.0, "q", "c", tolerance=0.1)
    with pytest.raises(AssertionError, match="the experiment's numbers"):
        prediction_beside_outcome(record_prediction(lambda: ("lower", "fewer frames carry the anomaly")), 1.0,
                                  float("nan"), "q", "c", 0.1)
    with pytest.raises(AssertionError, match="recorded before the run: expected a record of record_prediction, "
                                             "got \\('higher'"):
        prediction_beside_outcome(("higher", "a pair not recorded before the run"), 1.0, 2.0, "q", "c", 0.1)


def test_a_prediction_is_taken_before_the_experiment_and_kept():
    """The record is taken before the experiment cell: a prediction that reads the outcome finds
    none, the unsolved stub is recorded (the experiment still runs), and what the function would
    return later changes nothing."""
    namespace = {}

    def peeking():
        return ("higher" if namespace["after"] > namespace["before"] else "lower", "I read the outcome from the notebook")

    def stub():
        raise NotImplementedError("Your turn: predict")

    records = {"peeking": record_prediction(peeking), "stub": record_prediction(stub)}
    namespace.update(before=1.0, after=2.0)  # the experiment cell
    for name, message in (("peeking", "KeyError: 'after'"), ("stub", "NotImplementedError: Your turn: predict")):
        with pytest.raises(AssertionError, match=f"the prediction recorded before the run: .*got {message}"):
            prediction_beside_outcome(records[name], namespace["before"], namespace["after"], "q", "c", 0.1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        records["stub"].answer = ("higher", "changed after the run came out")


def test_explanation_rubric_names_the_answer_and_the_points():
    assert explanation_rubric(4).startswith("**Rubric for the explanation of the predict-run-explain exercise** "
                                            f"({EXPLANATION_POINTS} points, graded by hand)")
    assert "(answer 4 above)" in explanation_rubric(4)


NOTEBOOKS = ["00", "01", "02", "03", "04", "05", "06"]


def test_every_notebook_is_a_lab():
    assert sorted(list_notebooks()) == NOTEBOOKS  # each is checked by the test below


@pytest.mark.parametrize("number", NOTEBOOKS)
def test_each_notebook_has_the_lab_layer(number):
    path = list_notebooks()[number]
    notebook = nbformat.read(str(path), as_version=4)
    text = "\n".join(c.source for c in notebook.cells)
    assert "In this lab you will" in text and "**Before:**" in text and "runtime_table(lab.name)" in text
    assert classroom_minutes(notebook) in notebook.cells[0].source.replace("\n", " ")
    assert f'notebook="{path.stem}"' in text  # runs under any file name and without a notebooks/ folder
    found = exercises(notebook)
    assert len(found) >= 4 and [e.number for e in found] == list(range(1, len(found) + 1))
    assert len([c for c in notebook.cells if SOLUTION in tags(c)]) == len(found)
    assert len([c for c in notebook.cells if SELF_CHECK in tags(c)]) == len(found)
    checks = [notebook.cells[e.check].source for e in found]
    assert sum("prediction_beside_outcome(prediction," in c for c in checks) == 1  # one predict-run-explain exercise
    predict = found[-1]  # the last: recorded between its solution and the experiment, explained after its check
    between = [c.source for c in notebook.cells[predict.solution + 1: predict.check]]
    assert between[0].startswith("prediction = record_prediction(") and len(between) >= 2
    assert [e.explanation is not None for e in found] == [False] * (len(found) - 1) + [True]
    assert notebook.cells[predict.explanation].source == TEXT_STUB
    assert all(f"with own_work({e_solution}" in c for e_solution, c in
               zip([re.match(r"def (\w+)", notebook.cells[e.solution].source).group(1) for e in found[:-1]], checks))
    assert not any(re.search(r"^\s*assert\b|np\.testing", c, re.M) for c in checks)  # every failure has a message
    questions = next(i for i, c in enumerate(notebook.cells) if "Questions for discussion" in c.source)
    keys = [i for i, c in enumerate(notebook.cells) if ANSWER_KEY in tags(c)]
    assert keys and all(i > questions for i in keys)
    assert sum("explanation_rubric(" in notebook.cells[i].source for i in keys) == 1
    student = student_notebook(path)
    assert not any(ANSWER_KEY in tags(c) or "HIDDEN TESTS" in c.source for c in student.cells)
    kept = [c for c in notebook.cells if ANSWER_KEY not in tags(c)]
    assert len(student.cells) == len(kept)
    for original, copy in zip(kept, student.cells):
        if SOLUTION in tags(original):
            assert "NotImplementedError" in copy.source and copy.source != original.source
        elif SELF_CHECK not in tags(original):
            assert copy.source == original.source


def test_student_copies_run_up_to_the_first_exercise_and_fail_each_self_check(monkeypatch):
    """Each student copy, executed up to its last self-check at the smoke defaults: everything
    before the first exercise runs, and every self-check fails — on the stub's
    ``NotImplementedError`` or a failed check, nothing else — until its exercise is solved. The
    copies read the runs of the session's notebook run cache (nbval's: whichever of the two needs a
    run first trains it), as a class reads the runs its teacher handed out. They run in this
    process, cell after cell in one namespace per copy, going on past a failed cell as a student
    does (seven kernels would cost seven imports of PyTorch; nbval and the papermill test below run
    notebooks in a Jupyter kernel); their figures are not drawn to files."""
    import matplotlib.pyplot as plt

    monkeypatch.setenv("VADCORE_NOTEBOOK", "")  # the copies name themselves: the name before, or none, comes back
    monkeypatch.delenv("VADCORE_NOTEBOOK")
    monkeypatch.setenv("VADCORE_RUNS", str(Path(os.environ["VADCORE_DATA"]) / "runs"))
    monkeypatch.setattr("vadcore.report.save_figure", lambda fig, folder, stem: plt.close(fig))
    notebooks = sorted(list_notebooks().values())
    assert [p.stem[:2] for p in notebooks] == NOTEBOOKS
    for path in notebooks:
        monkeypatch.chdir(path.parent)  # as papermill and vadcore.script run a notebook: from its folder
        student = student_notebook(path)
        last_check = max(i for i, c in enumerate(student.cells) if SELF_CHECK in tags(c))
        namespace, errors = {"__name__": "__main__"}, {}
        for i, cell in enumerate(student.cells[: last_check + 1]):
            if cell.cell_type == "code":
                try:
                    exec(compile(cell.source, f"<{path.stem} student copy, cell {i}>", "exec"), namespace)  # noqa: S102
                except Exception as error:  # noqa: BLE001 — which cells fail, and how, is what is checked
                    errors[i] = error
        plt.close("all")
        first_exercise = min(i for i, c in enumerate(student.cells) if SOLUTION in tags(c))
        checks = [i for i, c in enumerate(student.cells) if SELF_CHECK in tags(c)]
        assert len(checks) == len(exercises(nbformat.read(str(path), as_version=4))) >= 4, path.name
        assert all(i > first_exercise for i in errors), f"{path.name}: a cell before the first exercise failed"
        assert set(checks) <= set(errors), f"{path.name}: a self-check passed on an unsolved exercise"
        assert all(SELF_CHECK in tags(student.cells[i]) for i in errors), f"{path.name}: a non-check cell failed"
        wrong = {i: repr(e) for i, e in errors.items() if not isinstance(e, (NotImplementedError, AssertionError))}
        assert not wrong, f"{path.name}: self-checks failed otherwise than on the stub or a check: {wrong}"


def test_a_copy_runs_under_papermill_with_any_name_and_without_a_notebooks_folder(tmp_path, monkeypatch, small_synthped):
    """What a student with a regular install has: no ``notebooks/`` folder, a renamed file, no
    ``VADCORE_NOTEBOOK``; the copy still knows its name and writes its own results folder."""
    import papermill

    monkeypatch.delenv("VADCORE_NOTEBOOK", raising=False)
    monkeypatch.setenv("VADCORE_RESULTS", str(tmp_path / "results"))
    notebook = nbformat.read(str(list_notebooks()["00"]), as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(  # a regular install: the package has no notebooks/
        "import vadcore.paths\nvadcore.paths.notebooks_dir = lambda: __import__('pathlib').Path('/nonexistent')"))
    renamed = tmp_path / "lab1_alice.ipynb"
    nbformat.write(notebook, str(renamed))
    papermill.execute_notebook(str(renamed), str(tmp_path / "lab1_alice.out.ipynb"), cwd=str(tmp_path),
                               parameters={"data_root": small_synthped}, kernel_name="python3", progress_bar=False)
    record = json.loads((tmp_path / "results" / "smoke" / "00_data_and_protocol" / "provenance.json").read_text())
    assert record["profile"] == "smoke"


def test_notebook_name_without_a_notebooks_folder(monkeypatch, tmp_path):
    monkeypatch.setattr("vadcore.paths.notebooks_dir", lambda: tmp_path)
    assert notebook_name("02_attention_driven_loss") == "02_attention_driven_loss"
    with pytest.raises(ValueError, match="no notebook"):
        notebook_name("02")  # a number needs the list of notebooks
    with pytest.raises(ValueError, match="no notebook"):
        notebook_name("lab1_alice")


def test_release_holds_no_solution_and_a_planted_one_is_found(tmp_path):
    release = tmp_path / "release"
    written = write_release(["00", "02"], release)
    assert [p.name for p in written] == [list_notebooks()[n].name for n in ("00", "02")]
    assert solution_leaks(release, ["00", "02"]) == []
    copy = nbformat.read(str(written[0]), as_version=4)
    answer = next(c for c in nbformat.read(str(list_notebooks()["00"]), as_version=4).cells if SOLUTION in tags(c))
    planted = next(line for line in answer.source.splitlines() if "span" in line and "=" in line)
    copy.cells[-1].source += "\n" + planted
    nbformat.write(copy, str(written[0]))
    (release / "notes.txt").write_text("an answer key line:\n" + planted + "\n")
    leaks = solution_leaks(release, ["00", "02"])
    assert leaks == [f"00_data_and_protocol.ipynb: {planted.strip()}", f"notes.txt: {planted.strip()}"]
    again = tmp_path / "again"  # a release folder that already holds a solution is refused
    again.mkdir()
    (again / "leak.py").write_text(planted)
    with pytest.raises(ValueError, match="holds the teacher's solutions"):
        write_release(["00"], again)


def test_runtime_table_from_provenance(tmp_path):
    folder = tmp_path / "cpu" / "02_x"
    folder.mkdir(parents=True)
    (folder / "provenance.json").write_text(json.dumps({
        "git_commit": "abc1234", "device": "cpu (x86_64, 2 threads)", "wall_time_s": 600.0,
        "runs": {"runs_computed": 2, "runs_reused": 3, "compute_s_this_session": 480.0, "compute_s_of_reused_runs": 7200.0}}))
    table = runtime_table("02_x", tmp_path)
    assert "| `cpu` | cpu (x86_64, 2 threads) | abc1234 | 10.0 min | 2 (8.0 min) | 3 (2.0 h) | **2.2 h** |" in table
    assert "No recorded run" in runtime_table("03_y", tmp_path)


def test_cli_writes_a_release_and_a_course(tmp_path, capsys):
    assert cli.main(["student", "02", "--release", str(tmp_path / "r"), "--course", str(tmp_path / "c")]) == 0
    copy = nbformat.read(str(tmp_path / "r" / "02_attention_driven_loss.ipynb"), as_version=4)
    assert any("NotImplementedError" in c.source for c in copy.cells)
    assert all(not c.get("outputs") for c in copy.cells if c.cell_type == "code")
    assert all("nbgrader" in c.metadata for c in copy.cells)
    assert (tmp_path / "c" / "source" / "lab02" / "02_attention_driven_loss.ipynb").is_file()
    assert (tmp_path / "c" / "nbgrader_config.py").is_file()
    out = capsys.readouterr().out
    assert "wrote" in out and "holds no line of the teacher's solutions" in out


def test_this_run_is_the_row_of_the_record_finish_wrote():
    from vadcore.teaching import this_run

    record = {"git_commit": "1234567", "profile": "smoke", "device": "cpu", "wall_time_s": 90.0,
              "runs": {"runs_computed": 1, "runs_reused": 0, "compute_s_this_session": 60.0}}
    assert this_run(record).endswith("| `smoke` | cpu | 1234567 | 1.5 min | 1 (1.0 min) | 0 (0.0 min) | **1.5 min** |")


def test_a_run_that_names_no_results_folder_writes_beside_the_notebook(tmp_path, monkeypatch):
    """A student's copy (or an autograde, or a notebook opened by hand) writes into ``results/``
    of its working directory, never into the package's; ``vadcore reproduce`` and the tests set
    ``VADCORE_RESULTS``."""
    from vadcore import paths
    from vadcore.notebook import start

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VADCORE_RESULTS")
    lab = start("smoke", notebook="00_data_and_protocol")
    assert lab.out == tmp_path / "results" / "smoke" / "00_data_and_protocol" and lab.out.is_dir()
    assert not lab.out.is_relative_to(paths.project_dir() / "results")
    monkeypatch.setenv("VADCORE_RESULTS", str(tmp_path / "reproduced"))
    assert start("smoke", notebook="00").out == tmp_path / "reproduced" / "smoke" / "00_data_and_protocol"


def test_solutions_are_the_teacher_s_executed_notebooks_with_answer_keys(tmp_path, capsys, small_synthped):
    """``vadcore student 00 --solutions DIR --data-root D``: notebook 00 executed at smoke into DIR
    on the class's copy of the data, with the outputs of its solutions and answer key; the
    package's results are not touched."""
    from vadcore import paths

    before = sorted(p.stat().st_mtime_ns for p in (paths.project_dir() / "results" / "smoke").rglob("*") if p.is_file())
    assert cli.main(["student", "00", "--solutions", str(tmp_path / "solutions"), "--data-root", small_synthped]) == 0
    executed = nbformat.read(str(tmp_path / "solutions" / "smoke" / "00_data_and_protocol" / "00_data_and_protocol.ipynb"),
                             as_version=4)
    keys = [c for c in executed.cells if ANSWER_KEY in tags(c)]
    assert len(keys) == 1 and "**Answer key**" in str(keys[0].outputs) and "Rubric for the explanation" in str(keys[0].outputs)
    assert any("normalise: correct" in str(c.get("outputs")) for c in executed.cells if SELF_CHECK in tags(c))
    [injected] = [c for c in executed.cells if "injected-parameters" in tags(c)]
    assert 'data_root = "$VADCORE_DATA"' in injected.source  # the class's folder, by its placeholder in the copy
    datasets = (tmp_path / "solutions" / "smoke" / "00_data_and_protocol" / "table1_datasets.csv").read_text()
    assert f"\n{SMALL_SYNTHPED_ROW}" in datasets  # run on the small copy
    assert sorted(p.stat().st_mtime_ns for p in (paths.project_dir() / "results" / "smoke").rglob("*") if p.is_file()) == before
    assert "wrote " in capsys.readouterr().out


def test_solutions_run_at_the_profile_on_the_data_asked_for(tmp_path, monkeypatch, capsys):
    """``write_solutions`` is ``reproduce`` into the solutions folder, on the profile's own data
    unless a folder is given; ``--data-root`` without ``--solutions`` is refused."""
    from vadcore import paths
    from vadcore.teaching.copies import write_solutions

    calls = []
    monkeypatch.setattr("vadcore.reproduce.reproduce", lambda numbers, profile, **options: calls.append(
        (numbers, profile, options, str(paths.results_dir()))) or [])
    write_solutions(["00"], tmp_path / "a")
    write_solutions(["02"], tmp_path / "b", "cpu", tmp_path / "ped2")
    assert calls == [(["00"], "smoke", {"data_root": None}, str(tmp_path / "a")),
                     (["02"], "cpu", {"data_root": str(tmp_path / "ped2")}, str(tmp_path / "b"))]
    assert cli.main(["student", "00", "--release", str(tmp_path / "release"), "--data-root", str(tmp_path)]) == 2
    assert "give --solutions DIR with it" in capsys.readouterr().err and not (tmp_path / "release").exists()


def test_a_notebook_does_not_show_torch_s_notice_of_an_operation_without_a_deterministic_version(tmp_path):
    """Lab 02 trained a Conv-AE (max-unpooling) and showed torch's UserWarning ten times."""
    import warnings

    import torch

    from vadcore.notebook import start

    def unpool():
        x = torch.randn(1, 1, 4, 4, requires_grad=True)
        pooled, indices = torch.nn.functional.max_pool2d(x, 2, return_indices=True)
        torch.nn.functional.max_unpool2d(pooled, indices, 2).sum().backward()

    start("smoke", notebook="00", results_dir=str(tmp_path))  # deterministic algorithms, warn_only
    with warnings.catch_warnings(record=True) as caught:
        unpool()
    assert torch.are_deterministic_algorithms_enabled() and caught == []
