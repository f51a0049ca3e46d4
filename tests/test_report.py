import csv
import json

import numpy as np
import pytest

from vadcore import report
from vadcore.metrics import FrameMetrics
from vadcore.papers import Claim, PaperTable


def read_csv(path):
    with open(path) as stream:
        return list(csv.DictReader(stream))


def test_comparison_table_paper_ours_difference(tmp_path):
    cells = [
        report.Cell("AnoPred", "Ped2", 95.4, [93.0, 94.0, 95.0]),
        report.Cell("ADL", "Ped2", 96.0, [96.5]),
        report.Cell("MDT", "Ped2", 82.9),
    ]
    text = report.comparison_table(tmp_path, "table1_auc", cells, "Table I", footnote="128×128 on CPU.")
    assert "| AnoPred | 95.4 | 94.0 ± 1.0 | -1.4 |" in text
    assert "| ADL | 96.0 | 96.5 | +0.5 |" in text
    assert "| MDT (quoted) | 82.9 | — | — |" in text
    assert text.endswith("128×128 on CPU.")
    rows = read_csv(tmp_path / "table1_auc.csv")
    assert float(rows[0]["difference"]) == pytest.approx(-1.4)
    assert rows[2]["source"] == "quoted" and rows[0]["n_seeds"] == "3"
    assert (tmp_path / "table1_auc.md").read_text().startswith("**Table I**")


def test_metrics_table_mean_std(tmp_path):
    m = lambda auc: FrameMetrics(auc, auc, auc, 0.2, 0.1, 10, 5)
    text = report.metrics_table(tmp_path, "t", {"random": [m(0.5), m(0.6)], "fd": [m(0.77)]}, "T")
    assert "| random | 2 | 55.0 ± 7.1 |" in text
    assert "| fd | 1 | 77.0 | 77.0 | 77.0 | 20.0 | 0.100 | — |" in text


def test_provenance_and_results_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("VADCORE_RESULTS", str(tmp_path))
    folder = report.results_folder("smoke", "00_x")
    assert folder == tmp_path / "smoke" / "00_x" and folder.is_dir()
    record = report.write_provenance(folder, "smoke", "synthped", [0, 1], started=0.0)
    stored = json.loads((folder / "provenance.json").read_text())
    assert stored == record
    assert {"git_commit", "profile", "dataset", "seeds", "device", "torch", "wall_time_s"} <= stored.keys()
    with pytest.raises(ValueError, match="unknown profile 'huge'"):
        report.results_folder("huge", "00_x")


def test_save_figure_writes_png(tmp_path):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1])
    path = report.save_figure(fig, tmp_path, "fig1_line")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


TABLE = PaperTable("Table I", "AUC", ("avenue", "ucsd_ped2"), {"MDT": (None, 82.9), "AnoPred": (85.1, 95.4),
                                                                "ADL": (86.0, 96.0)})


def test_paper_table_quotes_compares_and_adds_references(tmp_path):
    text = report.paper_table(tmp_path, "t1", TABLE, "ucsd_ped2", {"AnoPred": [90.0, 92.0], "ADL": [93.0]},
                              {"copy last frame": [89.5]})
    assert "| MDT (quoted) | 82.9 | — | — |" in text
    assert "| AnoPred | 95.4 | 91.0 ± 1.4 | -4.4 |" in text
    assert "| copy last frame (reference) | — | 89.5 | — |" in text
    assert text.startswith("**Table I. AUC — Ped2**")
    rows = read_csv(tmp_path / "t1.csv")
    assert [r["source"] for r in rows] == ["quoted", "ours", "ours", "reference"]
    # a dataset the paper does not have: no quoted rows, no paper values
    text = report.paper_table(tmp_path, "t2", TABLE, "synthped", {"AnoPred": [70.0]})
    assert "MDT" not in text and "| AnoPred | — | 70.0 | — |" in text


def test_difference_interval_paired_seeds_and_single_runs():
    mean, half = report.difference_interval([3.0, 4.0, 5.0], [1.0, 1.0, 2.0])  # differences 2, 3, 3
    assert mean == pytest.approx(8 / 3)
    assert half == pytest.approx(4.302653 * np.std([2, 3, 3], ddof=1) / np.sqrt(3), rel=1e-5)  # t(0.975, 2)
    assert report.difference_interval([3.0], [1.0], noise=0.5) == pytest.approx((2.0, 1.96 * np.sqrt(2) * 0.5))
    assert np.isnan(report.difference_interval([3.0], [1.0])[1])


def test_seed_noise_pools_the_variances_of_the_groups():
    # stds 1 and 4: the mean of the stds would be 2.5, the pooled std is √((1 + 16) / 2)
    assert report.seed_noise([[1.0, 2.0, 3.0], [0.0, 4.0, 8.0]]) == pytest.approx(np.sqrt(8.5))
    assert report.seed_noise({"AnoPred": [1.0, 2.0, 3.0], "ADL": [0.0, 4.0, 8.0]}) == pytest.approx(2.9154759)
    assert report.seed_noise([[1.0, 2.0, 3.0]]) == pytest.approx(1.0)
    assert report.seed_noise({"AnoPred": [90.0], "ADL": [93.0]}) is None  # one seed: no estimate


def test_verdicts_follow_the_numbers():
    claim = Claim("ADL beats AnoPred", "ADL", "AnoPred")
    found = report.table_verdict(claim, TABLE, "ucsd_ped2", {"ADL": [93.0, 94.0, 95.0], "AnoPred": [90.0, 90.5, 91.0]},
                                 {"copy last frame": [89.5], "linear extrapolation": [88.4]})
    assert "Paper: ADL 96.0 vs AnoPred 95.4 (+0.6)" in found and "**Verdict: reproduced.**" in found
    assert "Strongest reference at the same size: copy last frame 89.5; above it: all." in found
    noisy = report.table_verdict(claim, TABLE, "ucsd_ped2", {"ADL": [93.0, 90.0, 95.0], "AnoPred": [90.0, 92.0, 91.0]})
    assert "**Verdict: within seed noise.**" in noisy
    reversed_ = report.table_verdict(claim, TABLE, "ucsd_ped2", {"ADL": [90.0], "AnoPred": [93.0]}, noise=0.5)
    assert "**Verdict: not reproduced.**" in reversed_
    assert "undecided" in report.table_verdict(claim, TABLE, "ucsd_ped2", {"ADL": [90.0], "AnoPred": [93.0]})
    level = report.table_verdict(Claim("AnoPred reaches the paper", "AnoPred"), TABLE, "ucsd_ped2", {"AnoPred": [85.4]},
                                 {"copy last frame": [89.5]})
    assert "**Verdict: not reproduced (-10.0).**" in level and "above it: none" in level
    assert "only the direction" in report.verdict(claim, {"ADL": [1.0, 2.0], "AnoPred": [0.0, 0.5]})
