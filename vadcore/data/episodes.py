"""Episodes of C-way K-shot classification (notebook 05), as TRX samples them.

An episode draws ``way`` classes of one split, then ``shot`` support clips and ``queries`` query
clips of each, all different clips: a query is never in the support set, and the classes of an
episode all come from the split asked for (the splits share no class, :class:`ActionSet`).
Labels are the class's position in the episode (0 … way−1), not a global class index.
Test episodes are fixed by a seed, so that every method is scored on the same episodes and their
accuracies can be compared episode by episode.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Episode:
    """Indices into the split's clip list: ``support`` grouped by class (``shot`` per class, in
    the order of ``classes``), ``query`` in random order with ``query_labels``."""

    classes: tuple[str, ...]
    support: tuple[int, ...]
    query: tuple[int, ...]
    query_labels: tuple[int, ...]

    @property
    def support_labels(self) -> tuple[int, ...]:
        shot = len(self.support) // len(self.classes)
        return tuple(label for label in range(len(self.classes)) for _ in range(shot))


def sample_episode(labels: Sequence[str], way: int, shot: int, queries: int,
                   rng: np.random.Generator) -> Episode:
    """One episode over clips whose classes are ``labels`` (one per clip). Only classes with at
    least ``shot + queries`` clips can be drawn."""
    if min(way, shot, queries) < 1:
        raise ValueError("way, shot and queries must be at least 1")
    by_class: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        by_class.setdefault(label, []).append(index)
    eligible = sorted(c for c, members in by_class.items() if len(members) >= shot + queries)
    if len(eligible) < way:
        raise ValueError(f"a {way}-way {shot}-shot episode with {queries} queries per class needs {way} classes "
                         f"with at least {shot + queries} clips; this split has {len(eligible)}")
    classes = [eligible[i] for i in rng.choice(len(eligible), way, replace=False)]
    support, query, query_labels = [], [], []
    for label, name in enumerate(classes):
        drawn = rng.choice(by_class[name], shot + queries, replace=False)
        support.extend(int(i) for i in drawn[:shot])
        query.extend(int(i) for i in drawn[shot:])
        query_labels.extend([label] * queries)
    order = rng.permutation(len(query))
    return Episode(tuple(classes), tuple(support), tuple(query[i] for i in order),
                   tuple(query_labels[i] for i in order))


def fixed_episodes(labels: Sequence[str], way: int, shot: int, queries: int, count: int,
                   seed: int = 0) -> list[Episode]:
    """``count`` episodes drawn from ``seed``: the same list on every call (test episodes)."""
    rng = np.random.default_rng(seed)
    return [sample_episode(labels, way, shot, queries, rng) for _ in range(count)]
