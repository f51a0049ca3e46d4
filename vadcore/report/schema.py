"""The shapes in which a paper module (:mod:`vadcore.papers`) declares what report reads: its
bibliographic reference, its tables as it prints them, its claims, the names of the datasets as
tables title them, and the three kinds of place its ``IMPLEMENTED`` map points to. Report reads
these; it never imports a paper."""
from __future__ import annotations

from dataclasses import dataclass, field

DATASET_TITLES = {"avenue": "Avenue", "ucsd_ped1": "Ped1", "ucsd_ped2": "Ped2", "shanghaitech": "ShanghaiTech",
                  "synthped": "synthped"}


@dataclass(frozen=True)
class Reference:
    """A bibliographic reference: how the project cites a paper."""

    authors: str
    title: str
    venue: str
    year: int | None = None

    def __str__(self) -> str:
        return f"{self.authors}, “{self.title}”, {self.venue}" + (f", {self.year}" if self.year else "")


@dataclass(frozen=True)
class PaperTable:
    """A table as the paper prints it: ``rows[row][i]`` is the value in ``columns[i]`` (a dataset
    name of :data:`vadcore.data.DATASETS`, or a setting such as ``"5-shot"``), ``None`` where the
    paper has none. ``unit`` is what the values measure."""

    name: str
    caption: str
    columns: tuple[str, ...]
    rows: dict[str, tuple[float | None, ...]] = field(default_factory=dict)
    unit: str = "frame-level AUC %"

    def value(self, row: str, column: str) -> float | None:
        """The paper's value, or ``None`` (a column the paper does not have, e.g. synthped)."""
        if column not in self.columns:
            return None
        return self.rows[row][self.columns.index(column)]


@dataclass(frozen=True)
class Claim:
    """What a paper says a table shows, in a form the numbers can check: ``better`` beats
    ``worse`` (two rows of the same table), or, with ``worse=None``, ``better`` reaches the
    paper's value."""

    text: str
    better: str
    worse: str | None = None


NOT_IMPLEMENTED = "not implemented: "
NOTEBOOKS = "notebooks/"
KINDS = ("code", "notebook", "not implemented")


def implementation_kind(target: str) -> str:
    """Which kind of place a value of a paper module's ``IMPLEMENTED`` map names (one of
    :data:`KINDS`): ``"code"``, a dotted name inside vadcore (module, function, class or method);
    ``"notebook"``, a notebook section written ``"notebooks/<file>.ipynb#<its heading, verbatim>"``;
    ``"not implemented"``, ``"not implemented: <why>"``. Anything else is an error."""
    if target.startswith(NOT_IMPLEMENTED) and len(target) > len(NOT_IMPLEMENTED):
        return "not implemented"
    notebook, hash_, heading = target.partition("#")
    if target.startswith(NOTEBOOKS) and notebook.endswith(".ipynb") and hash_ and heading:
        return "notebook"
    if target.startswith("vadcore.") and all(part.isidentifier() for part in target.split(".")):
        return "code"
    raise ValueError(f"{target!r} names no place: a dotted name in vadcore, a notebook section "
                     f"'{NOTEBOOKS}<file>.ipynb#<heading>' or '{NOT_IMPLEMENTED}<why>'")
