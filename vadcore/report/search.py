"""A validation search as tables (notebooks 02 and 04): every trial with every measurement its
run made on the held-out training clips, the criterion first, and — read after the choice, as
evidence that chose nothing — how each measurement orders the trials against their test AUC."""
from __future__ import annotations

from pathlib import Path

from vadcore.methods.validation import Choice
from vadcore.report.tables import fmt, settings_text, write_table

# a measurement's column title and how it is shown (percent for an AUC)
MEASUREMENTS = {"pseudo_auc": ("pseudo-anomaly AUC %", lambda v: f"{100 * v:.1f}"),
                "psnr": ("validation PSNR (dB)", lambda v: f"{v:.2f}"),
                "mse": ("validation MSE", lambda v: f"{v:.5f}")}


def _names(choice: Choice) -> list[str]:
    """The measurements every trial made, the criterion first."""
    names = [n for n in MEASUREMENTS if all(n in t.values for t in choice.trials)]
    return sorted(names, key=lambda n: n != choice.metric)


def search_table(folder: Path, stem: str, choice: Choice, title: str, footnote: str = "") -> str:
    """Every distinct trial of ``choice`` (a stage's option that repeats an earlier choice is the
    same run, listed once at its first stage): its stage, what it tried, each measurement (the
    criterion's column marked) and which one was chosen."""
    names = _names(choice)
    header = ["stage", "tried"] + [MEASUREMENTS[n][0] + (" (the criterion)" if n == choice.metric else "")
                                   for n in names] + [""]
    rows = [[t.stage + 1, settings_text(t.overrides)] + [MEASUREMENTS[n][1](t.values[n]) for n in names]
            + ["chosen" if t.config == choice.final.config else ""] for t in choice.distinct]
    return write_table(folder, stem, header, rows, title, footnote)


def criteria_table(folder: Path, stem: str, choice: Choice, test_metric: str = "micro_auc") -> str:
    """Each measurement's Spearman ρ with the trials' own test ``test_metric``
    (:meth:`~vadcore.methods.validation.Choice.agreement`), labelled as evidence that chose nothing."""
    agreement = choice.agreement(test_metric)
    rows = [[MEASUREMENTS[n][0] if n in MEASUREMENTS else n, fmt(agreement[n], 2, signed=True)] for n in _names(choice)
            if n in agreement]
    return write_table(
        folder, stem, ["criterion", f"Spearman ρ with the test {test_metric.replace('_', ' ')}"], rows,
        f"Evidence that chose nothing: how each criterion orders the {len(choice.distinct)} trials against their own "
        "test AUC",
        "Read after the choice, from the trials' test scores: the choice above used no test label. ρ = +1: the "
        "criterion orders the settings exactly as the test set does; with a handful of trials, ρ is a coarse reading.")
