"""The nbgrader course of the notebooks.

nbgrader (https://nbgrader.readthedocs.io) reads three things from a notebook: cell metadata
(``nbgrader``: which cells are answers, which are graded tests with how many points, which are
locked), solution regions between ``### BEGIN SOLUTION`` and ``### END SOLUTION``, and hidden tests
between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``. :func:`mark` writes the metadata
from the lab layer's conventions (an exercise's heading gives its points), :func:`course_notebook`
the teacher's source with the solution regions, and :func:`write_course` a course folder in which
``nbgrader generate_assignment labNN`` and ``nbgrader autograde labNN`` work as documented in
``docs/teaching.md``.
"""
from __future__ import annotations

import ast
import json
from pathlib import Path

from vadcore.reproduce import list_notebooks, select
from vadcore.teaching.checks import EXPLANATION_POINTS
from vadcore.teaching.copies import CODE_STUB, TEXT_STUB, exercises, handout, rewrite_bodies, stub_lines

SCHEMA = 3
CONFIG = f'''# nbgrader's configuration of this course (written by `vadcore student --course`).
c = get_config()  # noqa: F821
c.ExecutePreprocessor.timeout = 900  # seconds per cell: a smoke run trains small models
c.ClearSolutions.code_stub = {{"python": {json.dumps(CODE_STUB)}}}  # the raise with the hint follows each region
c.ClearSolutions.text_stub = {json.dumps(TEXT_STUB)}
'''


def assignment(stem: str) -> str:
    """The nbgrader assignment of notebook ``02_attention_driven_loss``: ``lab02``."""
    return f"lab{stem[:2]}"


def _metadata(grade_id: str, *, solution=False, grade=False, locked=False, points=None) -> dict:
    record = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA,
              "solution": solution, "task": False}
    return record | ({"points": points} if points is not None else {})


def mark(notebook, stem: str):
    """Give every cell of ``notebook`` nbgrader's metadata: each exercise's solution cell is an
    answer, its self-check a graded test worth the heading's points, its explanation cell (if it
    has one) an answer graded by hand worth :data:`~vadcore.teaching.checks.EXPLANATION_POINTS`,
    every other cell locked (autograding restores it from the teacher's source)."""
    answers, checks, explanations = {}, {}, {}
    for exercise in exercises(notebook):
        answers[exercise.solution] = f"{stem[:2]}-ex{exercise.number}-answer"
        checks[exercise.check] = (f"{stem[:2]}-ex{exercise.number}-check", exercise.points)
        if exercise.explanation is not None:
            explanations[exercise.explanation] = f"{stem[:2]}-ex{exercise.number}-explanation"
    for index, cell in enumerate(notebook.cells):
        if index in answers:
            record = _metadata(answers[index], solution=True)
        elif index in explanations:
            record = _metadata(explanations[index], solution=True, grade=True, points=EXPLANATION_POINTS)
        elif index in checks:
            record = _metadata(checks[index][0], grade=True, locked=True, points=checks[index][1])
        else:
            record = _metadata(f"{stem[:2]}-cell{index:03d}", locked=True)
        cell.metadata["nbgrader"] = record
    return notebook


def total_points(notebook) -> int:
    return sum(cell.metadata.get("nbgrader", {}).get("points", 0) for cell in notebook.cells
               if cell.metadata.get("nbgrader", {}).get("grade"))


def _regions(node, indent: str, body: list[str]) -> list[str]:
    """The body inside a solution region (nbgrader replaces it by ``# YOUR CODE HERE``), followed
    by the student stub's ``raise`` with the hint: unreachable after the solution's last
    ``return``, it makes nbgrader's student version the same as ours (:func:`stub_lines`)."""
    if not isinstance(node.body[-1], ast.Return):
        raise ValueError(f"solution {node.name} must end with a return (the stub's raise follows it)")
    return [f"{indent}### BEGIN SOLUTION", *body, f"{indent}### END SOLUTION", stub_lines(node, indent)[-1]]


def course_notebook(path: str | Path):
    """The nbgrader source of a notebook: solution bodies inside solution regions, hidden tests
    kept (nbgrader removes them from the students' version), answer keys left out (nbgrader
    would hand them out), outputs cleared, every cell marked."""
    return handout(path, lambda source: rewrite_bodies(source, _regions), lambda source: source)


def write_course(numbers=None, out: str | Path = "course") -> list[Path]:
    """Write ``out/nbgrader_config.py`` and ``out/source/labNN/<notebook>.ipynb`` for each notebook
    (all by default): the teacher's side of an nbgrader course."""
    import nbformat

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "nbgrader_config.py").write_text(CONFIG)
    written = []
    for path in select(numbers, list_notebooks()).values():
        target = out / "source" / assignment(path.stem) / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(course_notebook(path), str(target))
        written.append(target)
    return written
