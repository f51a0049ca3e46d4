"""``vadcore reproduce``: run the numbered notebooks with papermill into
``results/<profile>/<NN_slug>/`` (executed notebook, tables, figures, provenance) and rewrite
``results/<profile>/README.md``, the index of every table of that profile."""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from vadcore import paths
from vadcore.atomic import write_text
from vadcore.profiles import check_profile
from vadcore.report import results_folder

NOTEBOOK_NAME = re.compile(r"(\d\d)_[A-Za-z0-9_]+\.ipynb")


def list_notebooks(folder: Path | None = None) -> dict[str, Path]:
    """``{"00": notebooks/00_data_and_protocol.ipynb, …}``."""
    folder = folder or paths.notebooks_dir()
    found = {}
    for path in sorted(folder.glob("*.ipynb")):
        match = NOTEBOOK_NAME.fullmatch(path.name)
        if match:
            found[match.group(1)] = path
    return found


def notebook_parameters(path: Path) -> dict:
    """Names and defaults of the notebook's ``parameters`` cell."""
    import papermill

    return {name: spec["default"] for name, spec in papermill.inspect_notebook(str(path)).items()}


def select(numbers: Sequence[str] | None, available: dict[str, Path]) -> dict[str, Path]:
    if not numbers:
        return available
    chosen = {}
    for number in numbers:
        key = f"{int(number):02d}" if str(number).isdigit() else str(number)
        if key not in available:
            raise ValueError(f"no notebook {number!r}; available: {', '.join(available)}")
        chosen[key] = available[key]
    return chosen


def reproduce(
    numbers: Sequence[str] | None = None,
    profile: str = "smoke",
    dataset: str | None = None,
    data_root: str | None = None,
    parameters: dict | None = None,
) -> list[Path]:
    """Execute notebooks with ``profile`` (and optional overrides); returns their result folders.

    Every override is checked against each notebook's ``parameters`` cell before anything runs:
    a wrong name is an error that lists the valid ones.
    """
    import papermill

    check_profile(profile)
    notebooks = select(numbers, list_notebooks())
    overrides = dict(parameters or {})
    if dataset is not None:
        overrides["dataset"] = dataset
    if data_root is not None:
        overrides["data_root"] = str(Path(data_root).resolve())
    plans = []
    for path in notebooks.values():
        valid = notebook_parameters(path)
        unknown = sorted(set(overrides) - set(valid))
        if unknown:
            raise ValueError(
                f"{path.name} has no parameter {', '.join(map(repr, unknown))}; valid: {', '.join(valid)}"
            )
        folder = results_folder(profile, path.stem)
        plans.append((path, folder, {**overrides, "profile": profile, "results_dir": str(folder)}))
    for path, folder, params in plans:
        output = folder / path.name
        papermill.execute_notebook(
            str(path), str(output), parameters=params, cwd=str(path.parent), kernel_name="python3",
            progress_bar=True, request_save_on_cell_execute=False,
        )
        strip_timings(output)
    write_index(profile)
    return [folder for _, folder, _ in plans]


def strip_timings(path: Path) -> None:
    """Drop papermill's per-cell timestamps from an executed copy so re-runs diff cleanly."""
    notebook = json.loads(path.read_text())
    for cell in notebook.get("cells", []):
        cell.get("metadata", {}).pop("papermill", None)
        cell.get("metadata", {}).pop("execution", None)
    for key in ("start_time", "end_time", "duration"):
        notebook.get("metadata", {}).get("papermill", {}).pop(key, None)
    write_text(path, json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")


def write_index(profile: str) -> Path:
    """``results/<profile>/README.md``: every table of every notebook, and its figures."""
    root = paths.results_dir() / profile
    lines = [
        f"# Results — profile `{profile}`",
        "",
        f"Regenerate with `vadcore reproduce --profile {profile}`. Each folder holds the executed "
        "notebook, its tables (`.csv` + `.md`), figures (`.png`) and `provenance.json`.",
    ]
    for folder in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        lines += ["", f"## {folder.name}", ""]
        provenance = folder / "provenance.json"
        if provenance.is_file():
            record = json.loads(provenance.read_text())
            lines.append(
                f"dataset `{record.get('dataset')}`, seeds {record.get('seeds')}, device {record.get('device')}, "
                f"commit `{record.get('git_commit')}`, wall time {record.get('wall_time_s')} s"
            )
            lines.append("")
        for table in sorted(folder.glob("table*.md")):
            lines += [table.read_text().strip(), ""]
        figures = sorted(folder.glob("fig*.png"))
        if figures:
            lines.append("Figures: " + ", ".join(f"[{f.stem}]({folder.name}/{f.name})" for f in figures))
    path = root / "README.md"
    write_text(path, "\n".join(lines).rstrip() + "\n")
    return path
