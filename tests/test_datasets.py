"""Loaders on tiny fixtures in each official layout, their errors, and the real Ped2 copy."""
import shutil

import numpy as np
import pytest
import tifffile

from layouts import H, W, clip_frames, write_avenue, write_repack, write_shanghaitech, write_ucsd_official
from vadcore.data import DatasetError, load_dataset


def test_ucsd_official_layout_from_archive_top(tmp_path):
    write_ucsd_official(tmp_path)
    data = load_dataset("ucsd_ped2", tmp_path)
    assert [v.name for v in data.train] == ["Train001", "Train002"]
    assert [v.n_frames for v in data.test] == [7, 8]
    np.testing.assert_array_equal(data.test[0].labels, [0, 1, 1, 1, 0, 0, 0])
    assert data.test[1].labels.sum() == 8
    # frames are the .tif content, in 1-based name order, resource-fork debris skipped
    np.testing.assert_array_equal(data.test[0].frames, clip_frames(7, seed=101))
    # masks under both names (NNN.bmp and frameNNN.bmp), 0/255 read as bool
    for video in data.test:
        assert video.masks.shape == (video.n_frames, H, W)
        np.testing.assert_array_equal(video.masks.any(axis=(1, 2)), video.labels.astype(bool))


def test_ucsd_official_root_may_be_the_pedN_folder(tmp_path):
    base = write_ucsd_official(tmp_path)
    assert len(load_dataset("ucsd_ped2", base).test) == 2


def test_ucsd_clip_without_masks_has_none(tmp_path):
    write_ucsd_official(tmp_path, masked_clips=(1,))
    data = load_dataset("ucsd_ped2", tmp_path)
    assert data.test[0].masks is not None and data.test[1].masks is None


def test_repack_layout_with_official_masks(tmp_path):
    write_repack(tmp_path)
    data = load_dataset("ucsd_ped2", tmp_path / "ped2")
    assert [v.name for v in data.test] == ["01", "02"]
    np.testing.assert_array_equal(data.test[0].labels, [0, 1, 1, 1, 0, 0, 0])
    assert data.test[0].frames.shape == (7, H, W)  # 3 identical JPEG channels → gray
    assert np.abs(data.test[0].frames.astype(int) - clip_frames(7, seed=1)).mean() < 12  # JPEG loss
    np.testing.assert_array_equal(data.test[1].masks.any(axis=(1, 2)), data.test[1].labels.astype(bool))


def test_working_size_resizes_frames_and_masks(tmp_path):
    write_repack(tmp_path)
    data = load_dataset("ucsd_ped2", tmp_path / "ped2", size=(6, 8))
    assert data.test[0].frames.shape == (7, 6, 8)
    masks = data.test[0].masks
    # the 4×6 anomalous box at rows 2–5, cols 3–8 becomes rows 1–2, cols 2–3 (≥ half covered)
    assert masks.shape == (7, 6, 8) and masks[1, 1:3, 2:4].all() and masks[1].sum() == 4


def test_frame_cache_is_reused(tmp_path, isolated_data):
    write_repack(tmp_path)
    first = load_dataset("ucsd_ped2", tmp_path / "ped2", size=(6, 8)).test[0].frames
    cached = sorted((isolated_data / "cache").rglob("*.npy"))
    assert len(cached) == 1 and isinstance(first, np.memmap)
    stamp = cached[0].stat().st_mtime_ns
    again = load_dataset("ucsd_ped2", tmp_path / "ped2", size=(6, 8)).test[0].frames
    np.testing.assert_array_equal(first, again)
    assert cached[0].stat().st_mtime_ns == stamp
    assert not list((isolated_data / "cache").rglob("*.tmp"))


def test_avenue_official_layout(tmp_path):
    write_avenue(tmp_path)
    data = load_dataset("avenue", tmp_path)
    assert [v.name for v in data.test] == ["01", "02"]
    assert data.train[0].frames.shape == (6, H, W, 3)
    np.testing.assert_array_equal(data.test[0].labels, [0, 0, 1, 1, 0, 0, 0])
    assert data.test[1].labels.tolist() == [1, 0, 0, 0, 0]
    assert data.test[0].masks[2, 2:6, 3:9].all()
    assert load_dataset("avenue", tmp_path, gray=True).test[0].frames.shape == (7, H, W)


def test_avenue_repack_layout(tmp_path):
    write_repack(tmp_path, name="avenue", gt=((1, 1), (3, 5)), official_masks=False)
    data = load_dataset("avenue", tmp_path)
    assert data.test[1].labels.tolist() == [0, 0, 1, 1, 1, 0, 0, 0]
    assert data.test[0].frames.shape == (7, H, W, 3) and data.test[0].masks is None


def test_shanghaitech_layout(tmp_path):
    write_shanghaitech(tmp_path)
    data = load_dataset("shanghaitech", tmp_path)
    assert [v.name for v in data.test] == ["01_0014", "02_0128"]
    assert data.train[0].frames.shape == (6, H, W, 3)
    assert data.test[0].labels.tolist() == [0, 1, 1, 0, 0, 0, 0]
    np.testing.assert_array_equal(data.test[1].masks.any(axis=(1, 2)), data.test[1].labels.astype(bool))


# ---------------------------------------------------------------- clear errors on bad input
def test_missing_folder_names_the_path(tmp_path):
    with pytest.raises(DatasetError, match="nowhere.*not found"):
        load_dataset("ucsd_ped2", tmp_path / "nowhere")


def test_unknown_layout(tmp_path):
    (tmp_path / "something").mkdir()
    with pytest.raises(DatasetError, match="expected the UCSD archive"):
        load_dataset("ucsd_ped2", tmp_path / "something")


def test_empty_clip_folder(tmp_path):
    base = write_ucsd_official(tmp_path)
    shutil.rmtree(base / "Train" / "Train002")
    (base / "Train" / "Train002").mkdir()
    with pytest.raises(DatasetError, match=r"Train002: no frames"):
        load_dataset("ucsd_ped2", base)


def test_ground_truth_range_outside_clip(tmp_path):
    write_ucsd_official(tmp_path, gt=((2, 4), (1, 9)), masked_clips=(1,))
    with pytest.raises(DatasetError, match=r"UCSDped2.m: anomalous range 1:9 of clip Test002 is outside its 8 frames"):
        load_dataset("ucsd_ped2", tmp_path)


def test_ground_truth_count_differs_from_clips(tmp_path):
    write_repack(tmp_path, gt=((2, 4),), test=(7, 8), official_masks=False)
    with pytest.raises(DatasetError, match="ground truth lists 1 clips but the test folder has 2"):
        load_dataset("ucsd_ped2", tmp_path / "ped2")


def test_mask_count_differs_from_frames(tmp_path):
    base = write_ucsd_official(tmp_path)
    (base / "Test" / "Test001_gt" / "007.bmp").unlink()
    with pytest.raises(DatasetError, match=r"Test001_gt: 6 mask images for the 7 frames"):
        load_dataset("ucsd_ped2", base)


def test_unreadable_image_is_named_and_nothing_is_cached(tmp_path, isolated_data):
    base = write_ucsd_official(tmp_path)
    (base / "Test" / "Test001" / "003.tif").write_bytes(b"not a tiff")
    data = load_dataset("ucsd_ped2", base)
    with pytest.raises(DatasetError, match=r"003.tif: unreadable image"):
        data.test[0].frames
    assert not list(isolated_data.rglob("*.npy")) and not list(isolated_data.rglob("*.tmp"))


def test_unknown_dataset_name():
    with pytest.raises(ValueError, match="unknown dataset 'ped3'"):
        load_dataset("ped3")


def test_non_8bit_frames_are_rejected(tmp_path):
    base = write_ucsd_official(tmp_path)
    tifffile.imwrite(base / "Train" / "Train001" / "001.tif", np.full((H, W), 4000, np.uint16))
    with pytest.raises(DatasetError, match="expected 8-bit frames"):
        load_dataset("ucsd_ped2", base).train[0].frames


# ---------------------------------------------------------------- the real UCSD Ped2 copy
def test_real_ped2(shared_ped2):
    data = load_dataset("ucsd_ped2", shared_ped2, size=(60, 90))
    assert (len(data.train), len(data.test)) == (16, 12)
    assert sum(v.n_frames for v in data.train) == 2550
    assert sum(v.n_frames for v in data.test) == 2010
    assert sum(int(v.labels.sum()) for v in data.test) == 1648
    for video in data.test:
        assert video.masks is not None
        np.testing.assert_array_equal(video.masks.any(axis=(1, 2)), video.labels.astype(bool))


def test_frames_of_different_sizes_name_the_clip_and_the_sizes(tmp_path):
    base = write_ucsd_official(tmp_path)
    tifffile.imwrite(base / "Train" / "Train002" / "003.tif", np.zeros((H + 2, W), np.uint8))
    data = load_dataset("ucsd_ped2", base)
    with pytest.raises(DatasetError, match=r"003.tif: clip Train002: images of different sizes "
                                           rf"\({H}×{W} \(4 files\), {H + 2}×{W} \(1 files\)\)"):
        data.train[1].frames


def test_fingerprint_changes_with_any_file_and_only_then(tmp_path):
    base = write_ucsd_official(tmp_path)
    first = load_dataset("ucsd_ped2", base, size=(6, 8)).fingerprint()
    assert load_dataset("ucsd_ped2", base, size=(6, 8)).fingerprint() == first  # read back from the cache
    assert load_dataset("ucsd_ped2", base, size=(6, 8), cache=False).fingerprint() == first
    assert load_dataset("ucsd_ped2", base, size=(4, 8)).fingerprint() != first  # another working size
    frame = base / "Test" / "Test001" / "002.tif"
    tifffile.imwrite(frame, 255 - tifffile.imread(frame))  # one test frame changes
    assert load_dataset("ucsd_ped2", base, size=(6, 8)).fingerprint() != first
    changed = load_dataset("ucsd_ped2", base, size=(6, 8)).fingerprint()
    (base / "Test" / "UCSDped2.m").write_text("TestVideoFile = {};\nTestVideoFile{end+1}.gt_frame = [2:5];\n"
                                              "TestVideoFile{end+1}.gt_frame = [1:8];\n")  # one label changes
    assert load_dataset("ucsd_ped2", base, size=(6, 8)).fingerprint() != changed
