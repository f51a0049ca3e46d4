"""Reporting: what a notebook writes under ``results/<profile>/<NN_slug>/`` (every notebook).

- :mod:`vadcore.report.tables` — the results folder, paper tables (paper vs ours), metrics
  tables, Markdown/CSV writing, figures;
- :mod:`vadcore.report.verdicts` — a paper's claim turned into a sentence from the numbers
  (never typed), the interval of a difference and the between-seed noise it rests on;
- :mod:`vadcore.report.search` — a validation search's trials and its criteria's agreement with
  the test set;
- :mod:`vadcore.report.provenance` — commit, device and package versions in ``provenance.json``;
- :mod:`vadcore.report.rows` — what a notebook passes to a table: per-seed values of its runs,
  reference rows at the table's size, the verdicts of several claims.

Every public name is re-exported here: ``report.paper_table``, ``report.verdict`` … — but those
of :mod:`vadcore.report.rows`, imported from it: this ``__init__`` is part of the code that keys
what :mod:`vadcore.bench` reads off a network, so an import added here would measure every stored
inference speed anew.
"""
from vadcore.paths import results_folder
from vadcore.report.provenance import NUMERIC_PACKAGES, device_name, git_commit, package_versions, write_provenance
from vadcore.report.tables import (
    METRIC_COLUMNS, Cell, comparison_table, fmt, markdown_table, mean_std, metrics_table, paper_table,
    save_figure, settings_text, write_table,
)
from vadcore.report.search import criteria_table, search_table
from vadcore.report.verdicts import difference_interval, mean_interval, seed_noise, table_verdict, verdict

__all__ = [
    "METRIC_COLUMNS", "NUMERIC_PACKAGES", "Cell", "comparison_table", "criteria_table", "device_name", "difference_interval", "fmt",
    "git_commit", "markdown_table", "mean_interval", "mean_std", "metrics_table", "package_versions", "paper_table",
    "results_folder", "save_figure", "search_table", "seed_noise", "settings_text", "table_verdict", "verdict", "write_provenance",
    "write_table",
]
