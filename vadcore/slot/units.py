"""The units of a GPU slot: each a table (or figure) of one notebook and exactly the runs it
needs, in the order of their value — what a slot trains first when it may be cut off at any time.

A unit is a notebook with parameters that make it render that table alone (``tables``, ``seeds``):
the notebook's study (:mod:`vadcore.methods.study`) then asks for exactly the unit's runs. A unit
whose runs are all in the run cache renders in a minute without training; a later unit of the same
notebook renders a superset of its tables, so it replaces the earlier one's results.

:func:`unit_runs` lists a unit's runs, cached or not, with the minutes each needs at the speed the
run cache records for its settings (a slot's own finished runs, or a previous slot's records),
and — for a validation search that has not run yet — the runs after it as if its first option won
(their number and schedule do not depend on which one does).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vadcore.methods import MethodConfig, run_code
from vadcore.methods.study import Label, Search, Stage, walk
from vadcore.plan import estimate, open_notebook, recorded_rates
from vadcore.runs import RunCache, RunResult, canonical_config


@dataclass(frozen=True)
class Unit:
    """``notebook`` run with ``parameters`` renders ``makes``."""

    name: str
    notebook: str
    parameters: dict = field(default_factory=dict)
    makes: str = ""


# value order: the papers' headline table first, at one seed, then its seeds, then the other
# notebooks' headline tables, the ablations, and the notebooks without a GPU question of their own
UNITS = (
    Unit("02 Table I, seed 0", "02", {"tables": ["I"], "seeds": [0]},
         "notebook 02's validation search and Table I (AnoPred, ADL) at seed 0, with Figs 4, 6–9"),
    Unit("02 Table I", "02", {"tables": ["I"]}, "Table I at seeds 0–2"),
    Unit("03 Table 1", "03", {"tables": ["1"]}, "SEUNet's Table 1 (and Table 2, which its runs score), Figs 3–8"),
    Unit("04 AUC table", "04", {"ablations": False}, "notebook 04's AUC table, branches, attention, codes, speed"),
    Unit("02 Tables II–V", "02", {}, "every table of notebook 02 (the ablations, Table IV's autoencoders)"),
    Unit("01", "01", {}, "notebook 01: both autoencoders, regularity curves, AUC"),
    Unit("05", "05", {}, "notebook 05: Tables 1–3, Figs 6, 7"),
)

ASSUMED_STEPS_PER_S = 30.0  # a run with no recorded speed: the slowest the H100 ever measured (ADL, 2026-11)
ASSUMED_SCORE_S = 15.0


def units_for(notebooks: list[str]) -> list[Unit]:
    """The units of ``notebooks``, in value order."""
    wanted = {f"{int(n):02d}" for n in notebooks}
    return [unit for unit in UNITS if unit.notebook in wanted]


@dataclass
class UnitRun:
    label: Label
    config: MethodConfig
    key: str
    cached: bool
    minutes: float  # to train and score here; 0 when cached
    assumed: bool  # after a validation search that has not run: its settings are a stand-in


class _Assumed(dict):
    """A search trial's curves and metrics before it ran: every value 0 (the first option wins)."""

    def __missing__(self, key):
        return np.zeros(1)


def _assumed_result() -> RunResult:
    return RunResult(curves=_Assumed(), metrics=_Assumed())


def unit_runs(unit: Unit, profile: str, overrides: dict, cache: RunCache,
              recorded: list | None = None) -> list[UnitRun]:
    """Every run ``unit`` needs at ``profile`` (notebook parameters ``overrides``, e.g. the data
    folder and device), cached or not, with its estimated minutes (see the module doc)."""
    recorded = recorded_rates(cache) if recorded is None else recorded
    found: list[UnitRun] = []
    assumed = [False]

    def results_of(stage: Stage) -> dict[Label, RunResult]:
        results = {}
        for label, config in stage.items():
            run = cache.run(config, notebook.lab.data_for(config).fingerprint(), run_code(config))
            stored = cache.stored(run)
            minutes = 0.0 if stored is not None else estimate(config, recorded) or \
                (config.iterations / ASSUMED_STEPS_PER_S + ASSUMED_SCORE_S) / 60
            found.append(UnitRun(label, config, run.key, stored is not None, minutes, assumed[0]))
            results[label] = stored if stored is not None else _assumed_result()
        if isinstance(stage, Search) and any(not r.cached for r in found[-len(stage):]):
            assumed[0] = True
        return results

    notebook = open_notebook(unit.notebook, profile, {**overrides, **unit.parameters}, cache, device_here=False)
    walk(notebook.steps(), results_of)
    return found


def missing_runs(unit: Unit, profile: str, overrides: dict, cache: RunCache) -> list[UnitRun]:
    """The runs of ``unit`` the run cache lacks, each once."""
    return list({r.key: r for r in unit_runs(unit, profile, overrides, cache, []) if not r.cached}.values())


def stale_records(records: Path, needed: list[UnitRun]) -> int:
    """How many run records in the folder ``records`` are for a run the units still need (the same
    config) but under another key: trained by code (or on data) that has changed since."""
    keys = {r.key for r in needed}
    configs = [canonical_config(r.config) for r in needed]
    stale = 0
    for identity in Path(records).glob("*/identity.json"):
        if identity.parent.name in keys:
            continue
        try:
            config = json.loads(identity.read_text())["config"]
        except (OSError, ValueError, KeyError):
            continue
        stale += config in configs
    return stale


def missing_report(notebook: str, profile: str, parameters: dict, cache: RunCache) -> str | None:
    """Why notebook ``notebook`` with ``parameters`` cannot render from the records in ``cache``:
    each run it needs that is missing, and the first unit (in value order) that trains it; ``None``
    when every run is there."""
    wanted = Unit("this rendering", notebook, {k: v for k, v in parameters.items() if k != "profile"})
    missing = missing_runs(wanted, profile, {}, cache)
    if not missing:
        return None
    owners = {}
    for unit in units_for([notebook]):
        for run in unit_runs(unit, profile, {k: v for k, v in parameters.items() if k in ("data_root", "device")}, cache, []):
            owners.setdefault(run.key, unit.name)
    lines = [f"{' / '.join(map(str, r.label))} (run {r.key}" + (", after a validation search not in the records"
                                                               if r.assumed else "") + f"): unit {owners.get(r.key, '?')}"
             for r in missing]
    return (f"{len(missing)} run(s) notebook {notebook} needs at {profile} are not in the run cache {cache.root} "
            f"(records only: no GPU here, nothing is trained):\n  " + "\n  ".join(lines)
            + "\nRun those units in a GPU slot (tools/gpu-run.sh), or render fewer tables (-p tables=[...]).")
