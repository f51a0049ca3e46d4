import csv
import json

import pytest

from vadcore import report
from vadcore.metrics import FrameMetrics


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
    with pytest.raises(ValueError, match="unknown profile 'gpu'"):
        report.results_folder("gpu", "00_x")


def test_save_figure_writes_png(tmp_path):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1])
    path = report.save_figure(fig, tmp_path, "fig1_line")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
