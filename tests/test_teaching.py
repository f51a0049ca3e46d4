"""The lab layer: stubs, student copies that stop at the first exercise, runtime tables."""
import json

import nbformat
import pytest
from nbclient import NotebookClient

from vadcore import cli
from vadcore.reproduce import list_notebooks
from vadcore.teaching import SELF_CHECK, SOLUTION, runtime_table, stub, student_notebook

SOLUTION_CELL = '''def regularity(errors, floor=0.0):
    """s_r(t) = 1 − (e − min e) / (max e − min e).

    Hint: subtract the minimum, divide by the range.
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
    assert 'raise NotImplementedError("Your turn: subtract the minimum, divide by the range.")' in text
    assert '@staticmethod\ndef twice(x):  # no docstring' in text and '"Your turn: implement twice"' in text
    assert "errors.max()" not in text and "2 * x" not in text
    namespace = {}
    exec(text, namespace)
    with pytest.raises(NotImplementedError, match="Your turn"):
        namespace["regularity"]([1.0, 2.0])
    with pytest.raises(ValueError, match="only define functions"):
        stub("import numpy as np\n")


def tags(cell):
    return cell.metadata.get("tags", [])


@pytest.mark.parametrize("number", sorted(list_notebooks()))
def test_each_notebook_has_the_lab_layer(number):
    notebook = nbformat.read(str(list_notebooks()[number]), as_version=4)
    text = "\n".join(c.source for c in notebook.cells)
    assert "In this lab you will" in text and "**Before:**" in text and "runtime_table(lab.name)" in text
    assert "Questions for discussion" in text
    solutions = [c for c in notebook.cells if SOLUTION in tags(c)]
    checks = [c for c in notebook.cells if SELF_CHECK in tags(c)]
    assert len(solutions) >= 3 and len(checks) == len(solutions)
    student = student_notebook(list_notebooks()[number])
    for original, copy in zip(notebook.cells, student.cells):
        if SOLUTION in tags(original):
            assert "NotImplementedError" in copy.source and copy.source != original.source
        else:
            assert copy.source == original.source


def test_student_copies_run_up_to_the_first_exercise_and_fail_each_self_check(tmp_path, monkeypatch):
    """Each student copy, executed up to its last self-check at the smoke defaults: everything
    before the first exercise runs, and every self-check fails until its exercise is solved."""
    for name, path in sorted(list_notebooks().items()):
        student = student_notebook(path)
        last_check = max(i for i, c in enumerate(student.cells) if SELF_CHECK in tags(c))
        student.cells = student.cells[: last_check + 1]
        monkeypatch.setenv("VADCORE_NOTEBOOK", path.stem)
        NotebookClient(student, timeout=600, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        first_exercise = min(i for i, c in enumerate(student.cells) if SOLUTION in tags(c))
        errors = [i for i, c in enumerate(student.cells) if c.cell_type == "code"
                  and any(o.get("output_type") == "error" for o in c.outputs)]
        checks = [i for i, c in enumerate(student.cells) if SELF_CHECK in tags(c)]
        assert all(i > first_exercise for i in errors), f"{path.name}: a cell before the first exercise failed"
        assert set(checks) <= set(errors), f"{path.name}: a self-check passed on an unsolved exercise"
        assert all(SELF_CHECK in tags(student.cells[i]) for i in errors), f"{path.name}: a non-check cell failed"


def test_runtime_table_from_provenance(tmp_path):
    folder = tmp_path / "cpu" / "02_x"
    folder.mkdir(parents=True)
    (folder / "provenance.json").write_text(json.dumps({
        "device": "cpu (x86_64, 2 threads)", "wall_time_s": 600.0,
        "runs": {"runs_computed": 2, "runs_reused": 3, "compute_s_this_session": 480.0, "compute_s_of_reused_runs": 7200.0}}))
    table = runtime_table("02_x", tmp_path)
    assert "| `cpu` | cpu (x86_64, 2 threads) | 10.0 min | 2 (8.0 min) | 3 (2.0 h) | **2.2 h** |" in table
    assert "No recorded run" in runtime_table("03_y", tmp_path)


def test_cli_writes_student_copies(tmp_path, capsys):
    assert cli.main(["student", "02", "--out", str(tmp_path)]) == 0
    copy = nbformat.read(str(tmp_path / "02_attention_driven_loss.ipynb"), as_version=4)
    assert any("NotImplementedError" in c.source for c in copy.cells)
    assert all(not c.get("outputs") for c in copy.cells if c.cell_type == "code")
    assert "wrote" in capsys.readouterr().out
