"""Student copies and the release a teacher hands out.

:func:`student_notebook` replaces each solution function's body by nbgrader's stub
``# YOUR CODE HERE`` and ``raise NotImplementedError("Your turn: <hint>")`` (the signature and
docstring stay; the hint is the docstring's paragraph starting ``Hint:``), leaves each explanation
cell empty but for :data:`TEXT_STUB`, removes the hidden part of every self-check and every
``answer-key`` cell, clears all outputs and adds nbgrader's cell metadata
(:func:`vadcore.teaching.grading.mark`), so that a copy is also a valid nbgrader submission.
:func:`write_release` writes the copies and refuses to leave a release that holds any line of the
teacher's solutions, hidden tests or answer keys (:func:`solution_leaks`).
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

from vadcore.reproduce import list_notebooks, select

SOLUTION, SELF_CHECK, ANSWER_KEY, EXPLANATION = "solution", "self-check", "answer-key", "explanation"
CODE_STUB = "# YOUR CODE HERE"  # what nbgrader leaves of a solution region (its ClearSolutions.code_stub)
TEXT_STUB = "*Write your explanation here.*"  # an explanation cell as handed out (nbgrader's ClearSolutions.text_stub)
HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.S | re.M)
HEADING = re.compile(r"^#+\s*Your turn (\d+)\s*—\s*(.+?)\s*·\s*(\d+) points?\s*·\s*≈\s*(\d+) min\s*$", re.M)


@dataclass(frozen=True)
class Exercise:
    """One "Your turn": its heading's number, task, points and classroom minutes, the indices of
    its solution and self-check cells, and of the cell for its explanation (graded by hand) if it
    has one."""

    number: int
    task: str
    points: int
    minutes: int
    solution: int
    check: int
    explanation: int | None = None


def tags(cell) -> list[str]:
    return cell.metadata.get("tags", [])


def exercises(notebook) -> list[Exercise]:
    """The exercises of a notebook, each a heading followed by one solution and one self-check
    cell, and optionally a markdown cell tagged ``explanation`` (an error names the heading that
    breaks the convention)."""
    found, heading = [], None
    for index, cell in enumerate(notebook.cells):
        match = HEADING.search(cell.source) if cell.cell_type == "markdown" else None
        if match:
            heading, solution = match, None
        elif EXPLANATION in tags(cell):
            if not found or found[-1].explanation is not None or cell.cell_type != "markdown":
                raise ValueError(f"explanation cell {index} is not a markdown cell after an exercise's self-check")
            found[-1] = replace(found[-1], explanation=index)
        elif SOLUTION in tags(cell):
            if heading is None:
                raise ValueError(f"solution cell {index} has no '### Your turn N — task · P points · ≈ M min' heading")
            solution = index
        elif SELF_CHECK in tags(cell):
            if heading is None or solution is None:
                raise ValueError(f"self-check cell {index} does not follow a headed solution cell")
            found.append(Exercise(int(heading.group(1)), heading.group(2), int(heading.group(3)),
                                  int(heading.group(4)), solution, index))
            heading = None
    return found


def _hint(function: ast.FunctionDef) -> str:
    """The docstring's paragraph that starts with ``Hint:`` (all its lines, joined), else "implement <name>"."""
    paragraphs = [" ".join(p.split()) for p in (ast.get_docstring(function) or "").split("\n\n")]
    hints = [p[len("Hint:"):].strip() for p in paragraphs if p.startswith("Hint:")]
    return hints[0] if hints else f"implement {function.name}"


def stub_lines(function: ast.FunctionDef, indent: str) -> list[str]:
    """What a student sees of a solution function's body: nbgrader's code stub, then
    ``raise NotImplementedError("Your turn: <hint>")``."""
    hint = json.dumps("Your turn: " + _hint(function), ensure_ascii=False)
    return [f"{indent}{CODE_STUB}", f"{indent}raise NotImplementedError({hint})"]


def functions(source: str) -> list[tuple[ast.FunctionDef, int]]:
    """Each function of a solution cell with the last line of its head (signature and docstring);
    anything but functions is refused."""
    found = []
    for node in ast.parse(source).body:
        if not isinstance(node, ast.FunctionDef):
            raise ValueError(f"a solution cell may only define functions, found {type(node).__name__} "
                             f"on line {node.lineno}")
        found.append((node, node.body[0].end_lineno if ast.get_docstring(node) else node.body[0].lineno - 1))
    return found


def rewrite_bodies(source: str, body) -> str:
    """``source`` with each function's body (after its docstring) replaced by ``body(function,
    indent, lines)`` (a list of lines)."""
    lines = source.splitlines()
    kept, cursor = [], 0
    for node, head_end in functions(source):
        kept += lines[cursor:head_end]
        kept += body(node, " " * node.body[0].col_offset, lines[head_end:node.end_lineno])
        cursor = node.end_lineno
    return "\n".join(kept + lines[cursor:])


def stub(source: str) -> str:
    """The student version of a solution cell: each function keeps its signature and docstring,
    its body becomes :func:`stub_lines` — what nbgrader's own student version shows too."""
    return rewrite_bodies(source, lambda node, indent, _: stub_lines(node, indent))


def without_hidden_tests(source: str) -> str:
    return HIDDEN.sub("", source).rstrip("\n")


def _read(path):
    import nbformat  # the dev extras: a GPU machine runs the notebooks without Jupyter

    return nbformat.read(str(path), as_version=4)


def handout(path: str | Path, solution, check):
    """A copy of a notebook to hand out: answer-key cells dropped, each solution cell's source
    passed through ``solution`` and each self-check's through ``check``, each explanation cell
    left as :data:`TEXT_STUB`, outputs cleared, every cell marked for nbgrader
    (:func:`vadcore.teaching.grading.mark`)."""
    from vadcore.teaching.grading import mark

    notebook = _read(path)
    notebook.cells = [cell for cell in notebook.cells if ANSWER_KEY not in tags(cell)]
    for cell in notebook.cells:
        if EXPLANATION in tags(cell):
            cell.source = TEXT_STUB
        if cell.cell_type != "code":
            continue
        if SOLUTION in tags(cell):
            cell.source = solution(cell.source)
        elif SELF_CHECK in tags(cell):
            cell.source = check(cell.source)
        cell.outputs, cell.execution_count = [], None
    return mark(notebook, Path(path).stem)


def student_notebook(path: str | Path):
    """A notebook's student copy (see the module doc)."""
    return handout(path, stub, without_hidden_tests)


def teacher_lines(path: str | Path) -> set[str]:
    """The lines only the teacher may see: solution bodies, hidden tests and answer keys — each
    stripped, at least 12 characters long and absent from every cell a student copy keeps."""
    notebook = _read(path)
    secret, public = set(), set()
    for cell in notebook.cells:
        if ANSWER_KEY in tags(cell):
            secret |= set(cell.source.splitlines())
        elif SOLUTION in tags(cell):
            for node, head_end in functions(cell.source):
                secret |= set(cell.source.splitlines()[head_end:node.end_lineno])
                public |= set(cell.source.splitlines()[node.lineno - 1:head_end])
        elif SELF_CHECK in tags(cell):
            secret |= {line for block in HIDDEN.findall(cell.source) for line in block.splitlines()}
            public |= set(without_hidden_tests(cell.source).splitlines())
        else:
            public |= set(cell.source.splitlines())
    strip = lambda lines: {line.strip() for line in lines}  # noqa: E731
    return {line for line in strip(secret) - strip(public) if len(line) >= 12 and not line.startswith("### ")}


def solution_leaks(folder: str | Path, numbers=None) -> list[str]:
    """``"<file>: <line>"`` for every line of a teacher-only part of a notebook (:func:`teacher_lines`)
    found in any text file under ``folder``."""
    secret = set().union(*(teacher_lines(p) for p in select(numbers, list_notebooks()).values()))
    leaks = []
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if path.suffix == ".ipynb":  # compare cell lines, not JSON-escaped text
            text = "\n".join(c.source for c in _read(path).cells)
        leaks += [f"{path.relative_to(folder)}: {line.strip()}" for line in text.splitlines() if line.strip() in secret]
    return leaks


def write_release(numbers=None, out: str | Path = "release") -> list[Path]:
    """Write the student copy of each notebook (all by default) into ``out`` and check that the
    folder holds no teacher-only line (an error lists them)."""
    import nbformat

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in select(numbers, list_notebooks()).values():
        target = out / path.name
        nbformat.write(student_notebook(path), str(target))
        written.append(target)
    leaks = solution_leaks(out, numbers)
    if leaks:
        raise ValueError(f"the release in {out} holds the teacher's solutions:\n  " + "\n  ".join(leaks[:20]))
    return written


def write_solutions(numbers=None, out: str | Path = "solutions", profile: str = "smoke",
                    data_root: str | Path | None = None) -> list[Path]:
    """The teacher's handout: each notebook (all by default) executed at ``profile`` as it is —
    solutions, hidden tests and answer keys with their outputs — on the dataset in ``data_root``
    (``None``: the profile's own) into ``out/<profile>/<name>/`` (the executed notebook, its tables
    and figures; ``vadcore reproduce`` with ``out`` as its results folder, so the package's
    ``results/`` is not touched). Returns the folders."""
    from vadcore import environment
    from vadcore.reproduce import reproduce

    with environment.scoped(VADCORE_RESULTS=str(Path(out).resolve())):
        return reproduce(numbers, profile, data_root=None if data_root is None else str(data_root))
