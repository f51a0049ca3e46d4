"""A released lab graded by nbgrader: a copy filled in with the teacher's solutions autogrades to
full marks (the explanation aside), a planted wrong answer loses its exercise's points (notebook
00 at `smoke`)."""
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import nbgrader  # noqa: F401  the dev extras install it; a missing one is a failure, not a skip
from layouts import SMALL_SYNTHPED_ROW

from vadcore import paths
from vadcore.reproduce import list_notebooks
from vadcore.teaching import SOLUTION, student_notebook
from vadcore.teaching.checks import EXPLANATION_POINTS
from vadcore.teaching.copies import EXPLANATION, tags
from vadcore.teaching.grading import course_notebook, total_points, write_course



def filled_in(path: Path, *replace: tuple[str, str]):
    """The student copy of ``path`` with the teacher's solutions typed in, each ``(old, new)`` of
    ``replace`` applied to the solution cell that holds ``old`` (a planted wrong answer), and an
    explanation written."""
    answers = iter(c.source for c in nbformat.read(str(path), as_version=4).cells if SOLUTION in tags(c))
    copy = student_notebook(path)
    for cell in copy.cells:
        if SOLUTION in tags(cell):
            cell.source = next(answers)
            for old, new in replace:
                cell.source = cell.source.replace(old, new)
        elif EXPLANATION in tags(cell):  # unchanged, nbgrader would give it 0 without asking the teacher
            cell.source = "Averaging over 9 frames removed the codec's one-frame bursts from normal frames."
    return copy


PLANTED = {  # lab 00, one wrong answer in each exercise; two exercises per submission, so each loses its own points
    "odd": [("return np.zeros_like(scores) if span == 0 else (scores - scores.min()) / span",  # 1: no constant clip
             "return (scores - scores.min()) / span"),
            ("frames = np.asarray(frames, dtype=float) / 255\n    mse = ((frames[1:] - frames[:-1]) ** 2)",  # 3: wraps
             "frames = np.asarray(frames)\n    mse = (((frames[1:] - frames[:-1]) / 255) ** 2)")],
    "even": [("np.concatenate([normalise(s) for s in scores])", "np.concatenate(scores)"),  # 2: no normalisation
             ('return ("higher", "an anomaly', 'return ("up", "an anomaly')],  # 4: not a direction
}


def test_course_notebook_marks_answers_tests_and_locked_cells():
    notebook = course_notebook(list_notebooks()["00"])
    records = [c.metadata["nbgrader"] for c in notebook.cells]
    answers = [c for c in notebook.cells if c.metadata["nbgrader"]["solution"] and c.cell_type == "code"]
    explained = [c for c in notebook.cells if c.metadata["nbgrader"]["solution"] and c.cell_type == "markdown"]
    assert len({r["grade_id"] for r in records}) == len(records)  # unique grade ids
    assert len(answers) == 4 and all("### BEGIN SOLUTION" in c.source and "### END SOLUTION" in c.source for c in answers)
    assert all(r["locked"] for r in records if not r["solution"])
    assert [c.metadata["nbgrader"] for c in explained] == [{  # the explanation: an answer graded by hand
        "grade": True, "grade_id": "00-ex4-explanation", "locked": False, "points": EXPLANATION_POINTS,
        "schema_version": 3, "solution": True, "task": False}]
    assert total_points(notebook) == 7 + EXPLANATION_POINTS  # 2 + 2 + 2 + 1, the headings' points, and the explanation
    assert any("### BEGIN HIDDEN TESTS" in c.source for c in notebook.cells)
    assert not any("answer-key" in tags(c) for c in notebook.cells)


def test_a_filled_in_copy_autogrades_to_full_marks_and_each_wrong_answer_loses_its_exercise(tmp_path, small_synthped):
    """nbgrader's own workflow on lab 00: the teacher's solutions get every automatic point (the
    explanation waits for the teacher), a wrong answer loses exactly its exercise's points, and
    the runs write beside the submissions, not into the package (no ``VADCORE_RESULTS``). The
    teacher sets the class's data folder in the source's locked parameters cell (the small
    synthped copy), and grading runs every submission with it: nbgrader restores a locked cell
    from the source, whatever the student's copy holds."""
    course = tmp_path / "course"
    [source] = write_course(["00"], course)
    teachers = nbformat.read(str(source), as_version=4)
    [parameters] = [c for c in teachers.cells if "parameters" in tags(c)]
    assert "data_root = None" in parameters.source and parameters.metadata["nbgrader"]["locked"]
    parameters.source = parameters.source.replace("data_root = None", f"data_root = {small_synthped!r}")
    nbformat.write(teachers, str(source))
    path = list_notebooks()["00"]
    submissions = {"right": filled_in(path), **{name: filled_in(path, *bugs) for name, bugs in PLANTED.items()}}
    for student, notebook in submissions.items():
        target = course / "submitted" / student / "lab00" / path.name
        target.parent.mkdir(parents=True)
        nbformat.write(notebook, str(target))
    env = {key: value for key, value in os.environ.items() if key != "VADCORE_RESULTS"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    checkout = paths.project_dir()
    before = _status(checkout)
    for command in (["generate_assignment", "lab00"], ["autograde", "lab00"]):
        done = subprocess.run([sys.executable, "-m", "nbgrader", *command], cwd=course, env=env,
                              capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stderr[-3000:]
    released = nbformat.read(str(course / "release" / "lab00" / path.name), as_version=4)
    assert "### BEGIN HIDDEN TESTS" not in str(released)
    ours = student_notebook(path)  # nbgrader's student version shows the same stubs as ours
    assert [c.source for c in released.cells if c.metadata.nbgrader.get("solution")] == \
        [c.source for c in ours.cells if c.metadata.nbgrader.get("solution")]
    assert _status(checkout) == before  # nothing written into the package's results/
    graded = course / "autograded" / "right" / "lab00"
    assert small_synthped in (graded / path.name).read_text()  # the teacher's parameters cell, restored
    datasets = (graded / "results" / "smoke" / path.stem / "table1_datasets.csv").read_text()
    assert f"\n{SMALL_SYNTHPED_ROW}" in datasets  # run on the small copy
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        def points(student):
            return {g.name: g.score for g in gradebook.find_submission("lab00", student).notebooks[0].grades
                    if not g.name.endswith("explanation")}

        right = gradebook.find_submission("lab00", "right")
        assert right.max_score == 7 + EXPLANATION_POINTS and right.score == 7 and right.needs_manual_grade
        assert points("right") == {"00-ex1-check": 2, "00-ex2-check": 2, "00-ex3-check": 2, "00-ex4-check": 1}
        assert points("odd") == {"00-ex1-check": 0, "00-ex2-check": 2, "00-ex3-check": 0, "00-ex4-check": 1}
        assert points("even") == {"00-ex1-check": 2, "00-ex2-check": 0, "00-ex3-check": 2, "00-ex4-check": 0}


def _status(checkout: Path) -> str:
    """``git status --porcelain`` of the checkout's ``results/``, untracked files listed one by one
    (empty outside a git checkout)."""
    done = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", "--", "results"], cwd=checkout,
                          capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else ""
