"""Choosing what a paper does not fix, on held-out *training* clips (notebooks 01, 02) or validation
classes (notebook 05).

At a reduced size and schedule, some settings have no value in the paper (a learning rate for
1,000 iterations at 96×96, a flow-loss weight for Lucas–Kanade instead of FlowNet). They are
chosen here by the validation error of runs that hold out ``validation_clips`` normal training
clips — never by a test label: a family measures what it can on them (the prediction PSNR of
held-out frames, the detection AUC of pseudo-anomalies made from them, :mod:`vadcore.data.pseudo`)
and the search decides by one of those measurements. The search is stage by stage: each stage tries
a few overrides on top of the best of the previous stages and keeps the one with the best final
value.
Every tried run stays in the run cache, and :class:`Choice` keeps all of them for the table the
notebook shows.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from vadcore.data.video import VideoSet
from vadcore.methods import MethodConfig
from vadcore.methods.study import Search, drive
from vadcore.runs import RunCache, RunResult


@dataclass
class Trial:
    stage: int
    overrides: dict
    config: MethodConfig
    result: RunResult
    value: float  # the final validation score the search decides by

    @property
    def values(self) -> dict[str, float]:
        """Every validation measurement of the run at its last step, by name (``val_`` dropped)."""
        return {name[4:]: float(curve[-1]) for name, curve in self.result.curves.items()
                if name.startswith("val_") and name != "val_step" and len(curve)}


@dataclass
class Choice:
    """The outcome of a validation search: every trial, and the overrides it chose."""

    metric: str
    higher_is_better: bool
    trials: list[Trial] = field(default_factory=list)
    chosen: dict = field(default_factory=dict)

    def agreement(self, test_metric: str = "micro_auc") -> dict[str, float]:
        """Spearman's rank correlation, over every trial, between each validation measurement and
        the trial's own ``test_metric`` — evidence read *after* the choice, which chose nothing:
        how well a criterion orders settings the way the test set does."""
        from scipy.stats import spearmanr

        trials = self.distinct
        test = [t.result.metrics[test_metric] for t in trials]
        names = [name for name in trials[0].values if all(name in t.values for t in trials)]
        return {name: float(spearmanr([t.values[name] for t in trials], test).statistic) for name in names}

    @property
    def distinct(self) -> list[Trial]:
        """The trials with distinct configs, first appearance kept: a stage's option that repeats
        an earlier stage's choice is the same run, counted once."""
        seen, trials = [], []
        for trial in self.trials:
            if trial.config not in seen:
                seen.append(trial.config)
                trials.append(trial)
        return trials

    def best(self, stage: int) -> Trial:
        candidates = [t for t in self.trials if t.stage == stage]
        return (max if self.higher_is_better else min)(candidates, key=lambda t: t.value)

    @property
    def final(self) -> Trial:
        """The chosen run: the best trial of the last stage."""
        return self.best(max(t.stage for t in self.trials))


def search(base: MethodConfig, stages: Sequence[Sequence[dict]], metric: str, higher_is_better: bool = True,
           prefix: str = "validation"):
    """:func:`choose` as a study's steps (:mod:`vadcore.methods.study`): each stage of the search
    is a stage of runs, labelled ``(prefix, stage, option)``; returns the :class:`Choice`."""
    held_out = base.validation_clips or getattr(base, "validation_episodes", 0)
    if not held_out or not getattr(base, "validate_every", 0):
        raise ValueError("validation needs a config with validation_clips (or validation_episodes) and validate_every")
    outcome = Choice(metric, higher_is_better)
    for stage, options in enumerate(stages):
        configs = Search({(prefix, stage, i): dataclasses.replace(base, **{**outcome.chosen, **overrides})
                          for i, overrides in enumerate(options)})
        results = yield configs
        for (label, config), overrides in zip(configs.items(), options):
            value = float(results[label].curves[f"val_{metric}"][-1])
            outcome.trials.append(Trial(stage, dict(overrides), config, results[label], value))
        outcome.chosen.update(outcome.best(stage).overrides)
    return outcome


def choose(base: MethodConfig, data: VideoSet, stages: Sequence[Sequence[dict]], metric: str,
           higher_is_better: bool = True, cache: RunCache | None = None) -> Choice:
    """Run every override of each stage on top of ``base`` and the earlier stages' choices, and
    keep the one whose final ``val_<metric>`` is best. ``base`` must measure validation data: held-out
    training clips (``validation_clips``) or, for few-shot families, episodes of the validation
    classes (``validation_episodes``)."""
    return drive(search(base, stages, metric, higher_is_better), lambda config: data, cache).value
