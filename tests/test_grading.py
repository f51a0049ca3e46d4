"""A released lab graded by nbgrader: a copy filled in with the teacher's solutions autogrades to
full marks, one with a planted wrong answer to less (notebook 00 at `smoke`)."""
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from vadcore.reproduce import list_notebooks
from vadcore.teaching import SOLUTION, student_notebook
from vadcore.teaching.copies import tags
from vadcore.teaching.grading import course_notebook, total_points, write_course

nbgrader = pytest.importorskip("nbgrader")


def filled_in(path: Path, replace: tuple[str, str] | None = None):
    """The student copy of ``path`` with the teacher's solutions typed in (one line changed by
    ``replace``: a planted wrong answer)."""
    answers = iter(c.source for c in nbformat.read(str(path), as_version=4).cells if SOLUTION in tags(c))
    copy = student_notebook(path)
    for cell in copy.cells:
        if SOLUTION in tags(cell):
            cell.source = next(answers)
            if replace and replace[0] in cell.source:
                cell.source = cell.source.replace(*replace)
    return copy


def test_course_notebook_marks_answers_tests_and_locked_cells():
    notebook = course_notebook(list_notebooks()["00"])
    records = [c.metadata["nbgrader"] for c in notebook.cells]
    answers = [c for c in notebook.cells if c.metadata["nbgrader"]["solution"]]
    assert len({r["grade_id"] for r in records}) == len(records)  # unique grade ids
    assert all("### BEGIN SOLUTION" in c.source and "### END SOLUTION" in c.source for c in answers)
    assert all(r["locked"] for r in records if not r["solution"])
    assert total_points(notebook) == 7  # 2 + 2 + 2 + 1, the headings' points
    assert any("### BEGIN HIDDEN TESTS" in c.source for c in notebook.cells)
    assert not any("answer-key" in tags(c) for c in notebook.cells)


def test_a_filled_in_copy_autogrades_to_full_marks_and_a_wrong_one_to_less(tmp_path):
    course = tmp_path / "course"
    write_course(["00"], course)
    path = list_notebooks()["00"]
    submissions = {"right": filled_in(path), "wrong": filled_in(path, ("span = scores.max() - scores.min()",
                                                                         "span = scores.max()"))}
    for student, notebook in submissions.items():
        target = course / "submitted" / student / "lab00" / path.name
        target.parent.mkdir(parents=True)
        nbformat.write(notebook, str(target))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "VADCORE_RESULTS": str(tmp_path / "results")}
    for command in (["generate_assignment", "lab00"], ["autograde", "lab00"]):
        done = subprocess.run([sys.executable, "-m", "nbgrader", *command], cwd=course, env=env,
                              capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stderr[-3000:]
    assert "### BEGIN HIDDEN TESTS" not in (course / "release" / "lab00" / path.name).read_text()
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {s: gradebook.find_submission("lab00", s) for s in submissions}
        assert scores["right"].max_score == 7
        assert scores["right"].score == 7
        # normalise divides by the maximum: its check and the AUC check that uses it fail (2 + 2 points)
        assert scores["wrong"].score == 3
