"""The one error a dataset loader raises: it names the offending path and what was expected. Every notebook's data loading raises it."""
from __future__ import annotations

from pathlib import Path


class DatasetError(ValueError):
    """A dataset folder does not have the expected layout or content."""

    def __init__(self, path: str | Path, problem: str):
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")
