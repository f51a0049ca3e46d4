"""The compact copy of a dataset that travels to a borrowed GPU: labels and masks exact, frames
within the documented PSNR, the same frames through PyAV and OpenCV (the GPU machine's decoder),
and clear errors on a wrong or damaged pack."""
import dataclasses
import json

import numpy as np
import pytest

from vadcore.data import DatasetError, SynthPedConfig, load_dataset
from vadcore.baselines.packing import compare
from vadcore.data import pack as packing

SMALL = SynthPedConfig(seed=4, height=64, width=96, n_train=2, n_test=2, train_frames=30, test_frames=40)


def psnr(a, b) -> float:
    return 10 * np.log10(255 ** 2 / np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2))


@pytest.fixture
def synthped(tmp_path):
    return load_dataset("synthped", tmp_path / "synthped", synth=SMALL, cache=False)


def test_a_pack_keeps_labels_masks_and_foreground_free_frames_close(synthped, tmp_path):
    manifest = packing.pack(synthped, tmp_path / "pack")
    assert manifest["size"] == [64, 96] and [e["name"] for e in manifest["test"]] == [v.name for v in synthped.test]
    packed = load_dataset("synthped", tmp_path / "pack", cache=False)
    assert packed.root == tmp_path / "pack" and [v.n_frames for v in packed.videos] == [v.n_frames for v in synthped.videos]
    for original, copy in zip(synthped.test, packed.test):
        np.testing.assert_array_equal(copy.labels, original.labels)
        np.testing.assert_array_equal(copy.masks, original.masks)
    assert min(psnr(a.frames, b.frames) for a, b in zip(synthped.videos, packed.videos)) > 40
    three = load_dataset("synthped", tmp_path / "pack", gray=False, cache=False)  # notebook 04 reads three channels
    np.testing.assert_array_equal(three.train[0].frames[..., 2], packed.train[0].frames)
    assert packed.fingerprint() != synthped.fingerprint()  # another copy of the data: other run keys


def test_pyav_and_opencv_decode_the_same_frames(synthped, tmp_path):
    import cv2  # noqa: F401  a dev dependency (pyproject's [dev]): missing, this fails rather than skips
    path = tmp_path / "clip.mkv"
    frames = np.asarray(synthped.test[0].frames)
    packing.encode(frames, path)
    decoded = packing.decode(path)
    np.testing.assert_array_equal(packing.decode_with_opencv(path), decoded)
    assert decoded.shape == frames.shape and psnr(decoded, frames) > 40


def test_wrong_or_damaged_packs_are_named(synthped, tmp_path):
    packing.pack(synthped, tmp_path / "pack")
    with pytest.raises(DatasetError, match="a pack of 'synthped'"):
        load_dataset("ucsd_ped2", tmp_path / "pack", cache=False)
    clip = tmp_path / "pack" / "train" / f"{synthped.train[0].name}.mkv"
    clip.write_bytes(b"not a video")
    with pytest.raises(DatasetError, match="unreadable packed clip"):
        load_dataset("synthped", tmp_path / "pack", cache=False).train[0].frames
    clip.unlink()
    with pytest.raises(DatasetError, match="missing"):
        load_dataset("synthped", tmp_path / "pack", cache=False)
    with pytest.raises(ValueError, match="grey"):
        packing.pack(load_dataset("synthped", tmp_path / "synthped", gray=False, cache=False), tmp_path / "rgb")


def test_packed_ped2_at_the_gpu_size_has_the_documented_differences(shared_ped2, tmp_path):
    """Part of the real Ped2 packed at 256×256 as the GPU script's pack is (two training clips and
    four test clips, a fifth of its frames), within the bounds the whole set keeps (the README gives
    the whole set's differences, which ``vadcore data pack … --compare`` measures and records):
    PSNR above 47.5 dB, the trivial scores' AUC within a point, labels and masks exact."""
    whole = load_dataset("ucsd_ped2", shared_ped2, size=(256, 256))
    original = dataclasses.replace(whole, train=whole.train[:2], test=whole.test[:4])
    packing.pack(original, tmp_path / "pack")
    assert sum(f.stat().st_size for f in (tmp_path / "pack").rglob("*") if f.is_file()) < 8 * 2**20
    packed = load_dataset("ucsd_ped2", tmp_path / "pack", size=(256, 256))
    comparison = compare(original, packed)
    auc = {name: row["difference"] for name, row in comparison["micro_auc_%"].items()}
    assert comparison["psnr_db"] > 47.5, comparison
    assert abs(auc["copy last frame"]) <= 0.15 and abs(auc["linear extrapolation"]) <= 0.15, comparison
    assert abs(auc["frame difference"]) <= 1.0, comparison
    assert [v.name for v in packed.test] == [v.name for v in original.test] == ["01", "02", "03", "04"]
    for a, b in zip(original.test, packed.test):
        np.testing.assert_array_equal(b.labels, a.labels)
        np.testing.assert_array_equal(b.masks, a.masks)
    packing.record_comparison(tmp_path / "pack", comparison)
    assert json.loads((tmp_path / "pack" / packing.MANIFEST).read_text())["comparison"] == comparison
