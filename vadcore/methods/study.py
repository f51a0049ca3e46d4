"""Runs as data: a notebook's runs as its paper module declares them — a *study*.

A study is a generator. It yields *stages*, each a ``{label: config}`` of runs that do not depend
on one another, and receives each stage's results (``{label: RunResult}``) before it yields the
next, so that what a validation search chooses decides the runs that follow (such a stage is a
:class:`Search`). What it returns
(the chosen settings, the search) is for the notebook to show. Labels are tuples such as
``("full", "ADL", 0)``, unique within a study.

Three drivers run one study: :func:`drive` trains stage by stage in this process (a notebook, via
``lab.study``); ``vadcore plan`` lists its runs without training (``vadcore.plan``); ``vadcore
train`` trains the missing ones of each stage N at a time, in processes or Slurm jobs.
"""
from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field

from vadcore.methods import MethodConfig, cached_run, run_code
from vadcore.runs import MissingRun, RunCache, RunResult

Label = tuple
Stage = dict[Label, MethodConfig]
Steps = Generator[Stage, Mapping[Label, RunResult], object]


@dataclass
class Outcome:
    """A study driven to its end: every run's config and result by label, and what the study
    returned (``value``: e.g. the settings a validation search chose)."""

    configs: dict[Label, MethodConfig] = field(default_factory=dict)
    results: dict[Label, RunResult] = field(default_factory=dict)
    value: object = None
    stages: list[Stage] = field(default_factory=list)

    def last(self) -> tuple[dict[Label, MethodConfig], dict[Label, RunResult]]:
        """The configs and results of the last stage (the table rows, after any search)."""
        labels = self.stages[-1] if self.stages else {}
        return dict(labels), {label: self.results[label] for label in labels}


INCOMPLETE = object()  # what :func:`stages` returns when a search lacked a result


class Search(dict):
    """A stage whose results decide the stages that follow (a validation search). Only a search's
    results are read by a study; the runs of any other stage are independent of what follows."""


def stages(steps: Steps, results_of: Callable[[Stage], Mapping[Label, RunResult | None]]) -> Generator[Stage, None, object]:
    """Walk a study: yield each stage, send it ``results_of(stage)``; stop at the first
    :class:`Search` with a missing result (returning :data:`INCOMPLETE`: what follows depends on
    it), as a plan does; else return the study's value."""
    try:
        stage = next(steps)
    except StopIteration as done:
        return done.value
    while True:
        yield stage
        results = dict(results_of(stage))  # outside the try: a StopIteration from training is an error
        if isinstance(stage, Search) and any(results.get(label) is None for label in stage):
            steps.close()
            return INCOMPLETE
        try:
            stage = steps.send(results)
        except StopIteration as done:
            return done.value


def walk(steps: Steps, results_of: Callable[[Stage], Mapping[Label, RunResult | None]]) -> object:
    """:func:`stages` to the end; returns the study's value, or :data:`INCOMPLETE`."""
    walker = stages(steps, results_of)
    try:
        while True:
            next(walker)
    except StopIteration as done:
        return done.value


def drive(steps: Steps, data_for: Callable[[MethodConfig], object], cache: RunCache | None = None) -> Outcome:
    """Train (or read from the cache) every run of a study, stage by stage, in this process. From
    a read-only cache (records only) every missing run is listed in one :class:`MissingRun`."""
    outcome = Outcome()
    missing: dict[Label, str] = {}

    def results_of(stage: Stage) -> dict[Label, RunResult]:
        duplicated = set(stage) & set(outcome.configs)
        if duplicated:
            raise ValueError(f"labels used twice in one study: {sorted(duplicated)}")
        outcome.configs.update(stage)
        outcome.stages.append(stage)
        found = {}
        for label, config in stage.items():
            try:
                found[label] = cached_run(config, data_for(config), cache)
            except MissingRun:
                missing[label] = cache.run(config, data_for(config).fingerprint(), run_code(config)).key
        outcome.results.update(found)
        return found

    value = walk(steps, results_of)
    if missing:
        raise MissingRun(f"{len(missing)} run(s) of this study are not in the read-only run cache "
                         f"{cache.root}" + (" (and the runs that depend on its validation search)" if value is INCOMPLETE
                                            else "") + ":\n  " + "\n  ".join(f"{' / '.join(map(str, label))}: run {key}"
                                                                             for label, key in missing.items()))
    outcome.value = value
    return outcome


def run_all(stage: Stage) -> Steps:
    """A study of one stage (a notebook without a validation search)."""
    yield stage
