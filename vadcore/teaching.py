"""The lab layer of the notebooks (``docs/teaching.md``): student copies without the solutions, and
the runtime table every notebook opens with.

An exercise is a markdown cell headed "Your turn", a code cell tagged ``solution`` that defines
one or more functions, and a code cell tagged ``self-check`` whose asserts compare the functions
with known values. :func:`student_notebook` replaces each solution function's body by
``raise NotImplementedError(hint)`` — the signature and docstring stay, the hint is the
docstring's line that starts with ``Hint:`` — clears every output and keeps everything else, so
a student's copy runs up to the first exercise and each self-check fails until it is solved.
"""
from __future__ import annotations

import ast
import json
from pathlib import Path

from vadcore import paths
from vadcore.profiles import PROFILES
from vadcore.reproduce import list_notebooks, select

SOLUTION, SELF_CHECK = "solution", "self-check"


def _hint(function: ast.FunctionDef) -> str:
    docstring = ast.get_docstring(function) or ""
    hints = [line.strip()[len("Hint:"):].strip() for line in docstring.splitlines() if line.strip().startswith("Hint:")]
    return hints[0] if hints else f"implement {function.name}"


def stub(source: str) -> str:
    """The student version of a solution cell: each function keeps its signature and docstring,
    its body becomes ``raise NotImplementedError("Your turn: <hint>")``."""
    tree = ast.parse(source)
    lines = source.splitlines()
    kept, cursor = [], 0
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            raise ValueError(f"a solution cell may only define functions, found {type(node).__name__} "
                             f"on line {node.lineno}")
        head_end = node.body[0].end_lineno if ast.get_docstring(node) else node.body[0].lineno - 1
        indent = " " * node.body[0].col_offset
        kept += lines[cursor:head_end]
        kept.append(f"{indent}raise NotImplementedError({json.dumps('Your turn: ' + _hint(node), ensure_ascii=False)})")
        cursor = node.end_lineno
    kept += lines[cursor:]
    return "\n".join(kept)


def student_notebook(path: str | Path):
    """A notebook's student copy (see the module doc)."""
    import nbformat  # the dev extras: a GPU machine runs the notebooks without Jupyter

    notebook = nbformat.read(str(path), as_version=4)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if SOLUTION in cell.metadata.get("tags", []):
            cell.source = stub(cell.source)
        cell.outputs, cell.execution_count = [], None
    return notebook


def write_student_copies(numbers=None, out: str | Path = "student") -> list[Path]:
    """Write the student copy of each notebook (all by default) into ``out``."""
    import nbformat

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in select(numbers, list_notebooks()).values():
        target = out / path.name
        nbformat.write(student_notebook(path), str(target))
        written.append(target)
    return written


def runtime_table(name: str, results_dir: str | Path | None = None) -> str:
    """Markdown: how long notebook ``name`` took at each profile, from the provenance of its last
    recorded run in ``results/<profile>/<name>/`` — the wall time, the runs it trained and the runs
    it reused from the cache (with the time they took to train), and an estimate from scratch
    (wall time plus the training time of the reused runs)."""
    root = Path(results_dir) if results_dir else paths.results_dir()
    rows = []
    for profile in PROFILES:
        provenance = root / profile / name / "provenance.json"
        if not provenance.is_file():
            continue
        record = json.loads(provenance.read_text())
        runs = record.get("runs", {})
        wall, reused_s = record.get("wall_time_s", 0.0), runs.get("compute_s_of_reused_runs", 0.0)
        rows.append(f"| `{profile}` | {record.get('device', '?')} | {_minutes(wall)} | "
                    f"{runs.get('runs_computed', 0)} ({_minutes(runs.get('compute_s_this_session', 0.0))}) | "
                    f"{runs.get('runs_reused', 0)} ({_minutes(reused_s)}) | **{_minutes(wall + reused_s)}** |")
    if not rows:
        return f"No recorded run of {name} yet (`vadcore reproduce` writes one)."
    header = ("| profile | device | wall time of the recorded run | runs trained (their time) | "
              "runs reused from the cache (their training time) | from scratch |\n|---|---|---|---|---|---|")
    return header + "\n" + "\n".join(rows)


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds < 3600 else f"{seconds / 3600:.1f} h"
