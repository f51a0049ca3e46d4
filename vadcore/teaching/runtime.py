"""How long a notebook takes: to compute (from the provenance of a run) and in class (from its
exercises' headings)."""
from __future__ import annotations

import json
from pathlib import Path

from vadcore import paths
from vadcore.profiles import PROFILES

HEADER = ("| profile | device | commit | wall time | runs trained (their time) | "
          "runs reused from the cache (their training time) | from scratch |\n|---|---|---|---|---|---|---|")


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds < 3600 else f"{seconds / 3600:.1f} h"


def _row(profile: str, record: dict) -> str:
    runs = record.get("runs", {})
    wall, reused_s = record.get("wall_time_s", 0.0), runs.get("compute_s_of_reused_runs", 0.0)
    return (f"| `{profile}` | {record.get('device', '?')} | {record.get('git_commit', '?')} | {_minutes(wall)} | "
            f"{runs.get('runs_computed', 0)} ({_minutes(runs.get('compute_s_this_session', 0.0))}) | "
            f"{runs.get('runs_reused', 0)} ({_minutes(reused_s)}) | **{_minutes(wall + reused_s)}** |")


def runtime_table(name: str, results_dir: str | Path | None = None) -> str:
    """Markdown: how long notebook ``name`` took at each profile in its last *recorded* run
    (``results/<profile>/<name>/provenance.json``, with the commit it ran on) — the wall time, the
    runs it trained and the runs it reused from the cache (with the time they took to train), and
    an estimate from scratch (wall time plus the training time of the reused runs). This run's own
    time is :func:`this_run`, shown by ``finish``."""
    root = Path(results_dir) if results_dir else paths.results_dir()
    rows = [_row(profile, json.loads((root / profile / name / "provenance.json").read_text()))
            for profile in PROFILES if (root / profile / name / "provenance.json").is_file()]
    if not rows:
        return f"No recorded run of {name} yet (`vadcore reproduce` writes one)."
    return "Measured time of the last recorded run per profile:\n\n" + HEADER + "\n" + "\n".join(rows)


def this_run(record: dict) -> str:
    """Markdown: the time of the run whose provenance is ``record`` (what ``finish`` just wrote)."""
    return "This run's time:\n\n" + HEADER + "\n" + _row(record.get("profile", "?"), record)


def classroom_minutes(notebook) -> str:
    """The sentence every notebook's introduction carries: its exercises' classroom minutes and
    points, and the points of its explanations graded by hand."""
    from vadcore.teaching.checks import EXPLANATION_POINTS
    from vadcore.teaching.copies import exercises

    found = exercises(notebook)
    by_hand = EXPLANATION_POINTS * sum(e.explanation is not None for e in found)
    return (f"Classroom time: about {sum(e.minutes for e in found)} min for the {len(found)} exercises "
            f"({' + '.join(str(e.minutes) for e in found)}), {sum(e.points for e in found)} points"
            + (f" and {by_hand} for an explanation your teacher grades." if by_hand else "."))
