"""Run a notebook as a plain Python script, where Jupyter is not installed (a borrowed GPU machine
has PyTorch but no papermill, nbclient or ipykernel).

    python -m vadcore.script notebooks/02_attention_driven_loss.ipynb '{"profile": "gpu"}'

executes the notebook's code cells in order in one namespace, the values of its ``parameters``
cell replaced by the given ones (as papermill injects them), and prints what the cells print.
Tables, figures and provenance land in the results folder as with papermill; there is no
executed copy of the notebook (``vadcore reproduce --script`` keeps the printed record as
``run.log`` beside the tables). Reads the notebook file as JSON: needs nothing but the package.
"""
from __future__ import annotations

import ast
import json
import os
import sys
from pathlib import Path

from vadcore import environment


def code_cells(path: Path) -> list[tuple[str, list[str]]]:
    """``(source, tags)`` of every code cell of a notebook file."""
    cells = json.loads(Path(path).read_text())["cells"]
    return [("".join(c["source"]) if isinstance(c["source"], list) else c["source"], c.get("metadata", {}).get("tags", []))
            for c in cells if c["cell_type"] == "code"]


def parameters(path: Path) -> dict[str, str]:
    """Names and default values (as written) of the notebook's ``parameters`` cell."""
    for source, tags in code_cells(path):
        if "parameters" in tags:
            tree = ast.parse(source)
            return {node.targets[0].id: ast.get_source_segment(source, node.value) for node in tree.body
                    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)}
    raise ValueError(f"{Path(path).name} has no cell tagged 'parameters'")


def run(path: Path, values: dict) -> None:
    """Execute the notebook at ``path`` with ``values`` for its parameters, in this process."""
    path = Path(path).resolve()
    environment.put_default("VADCORE_NOTEBOOK", path.stem)
    namespace = {"__name__": "__main__", "__file__": str(path)}
    os.chdir(path.parent)  # as papermill runs a notebook: from its folder
    for index, (source, tags) in enumerate(code_cells(path)):
        exec(compile(source, f"{path.name}, code cell {index + 1}", "exec"), namespace)  # noqa: S102
        if "parameters" in tags:
            namespace.update(values)


def main(argv: list[str]) -> int:
    """Run the notebook ``argv[0]`` with the JSON parameters ``argv[1]``; a Ctrl-C ends it with
    status 130 and one line (where its run stopped), not a traceback."""
    try:
        run(Path(argv[0]), json.loads(argv[1]) if len(argv) > 1 else {})
    except KeyboardInterrupt as stop:
        print(f"vadcore: {stop}" if str(stop) else "vadcore: stopped", file=sys.stderr, flush=True)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
