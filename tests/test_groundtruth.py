import numpy as np
import pytest
import scipy.io

from vadcore.data import DatasetError
from vadcore.data.groundtruth import load_mat_ranges, parse_ucsd_m, ranges_to_labels


def test_parse_ucsd_m_single_multiple_and_spaced_ranges(tmp_path):
    path = tmp_path / "UCSDped1.m"
    path.write_text(
        "TestVideoFile = {};\n"
        "TestVideoFile{end+1}.gt_frame = [61:180];\n"
        "TestVideoFile{end+1}.gt_frame = [5:90, 140:200];\n"
        "TestVideoFile{end+1}.gt_frame = [1 : 3 7];\n"
    )
    assert parse_ucsd_m(path) == [[(61, 180)], [(5, 90), (140, 200)], [(1, 3), (7, 7)]]


def test_parse_ucsd_m_errors(tmp_path):
    empty = tmp_path / "empty.m"
    empty.write_text("% nothing\n")
    with pytest.raises(DatasetError, match="no 'gt_frame"):
        parse_ucsd_m(empty)
    bad = tmp_path / "bad.m"
    bad.write_text("TestVideoFile{end+1}.gt_frame = [a:b];\n")
    with pytest.raises(DatasetError, match="cannot parse ground-truth range 'a:b'"):
        parse_ucsd_m(bad)


def test_mat_ranges_one_and_several_per_clip(tmp_path):
    cells = np.empty((1, 2), dtype=object)
    cells[0, 0] = np.array([[61], [180]])
    cells[0, 1] = np.array([[1, 50], [10, 60]])
    scipy.io.savemat(tmp_path / "ped2.mat", {"gt": cells})
    assert load_mat_ranges(tmp_path / "ped2.mat") == [[(61, 180)], [(1, 10), (50, 60)]]
    with pytest.raises(DatasetError, match="expected variable 'labels'"):
        load_mat_ranges(tmp_path / "ped2.mat", "labels")


def test_ranges_to_labels(tmp_path):
    labels = ranges_to_labels([(2, 3), (5, 5)], 6, source=tmp_path, clip="01")
    assert labels.tolist() == [0, 1, 1, 0, 1, 0]
    with pytest.raises(DatasetError, match="range 0:3 of clip 01 is outside its 6 frames"):
        ranges_to_labels([(0, 3)], 6, source=tmp_path, clip="01")
