"""Tiny datasets written in the exact layouts of the real ones, for loader tests."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.io
import tifffile
from PIL import Image

H, W = 12, 16


def clip_frames(n: int, seed: int, rgb: bool = False) -> np.ndarray:
    rng = np.random.default_rng(seed)
    shape = (n, H, W, 3) if rgb else (n, H, W)
    return rng.integers(0, 256, shape, dtype=np.uint8)


def anomaly_masks(n: int, anomalous: list[int]) -> np.ndarray:
    masks = np.zeros((n, H, W), bool)
    for t in anomalous:
        masks[t, 2:6, 3:9] = True
    return masks


def write_ucsd_official(root: Path, variant: str = "ped2", train=(6, 5), test=(7, 8),
                        gt=((2, 4), (1, 8)), masked_clips=(1, 2), frame_prefix_clips=(2,)) -> Path:
    """``root/UCSD_Anomaly_Dataset.v1p2/UCSD<variant>/{Train,Test}/...`` with ``.tif`` frames
    (1-based names), ``UCSD<variant>.m`` and ``TestNNN_gt`` masks (``frameNNN.bmp`` in some)."""
    base = root / "UCSD_Anomaly_Dataset.v1p2" / f"UCSD{variant}"
    for split, lengths in (("Train", train), ("Test", test)):
        for i, n in enumerate(lengths, start=1):
            folder = base / split / f"{split}{i:03d}"
            folder.mkdir(parents=True)
            for t, frame in enumerate(clip_frames(n, seed=i + (100 if split == "Test" else 0)), start=1):
                tifffile.imwrite(folder / f"{t:03d}.tif", frame)
            (folder / "._001.tif").write_bytes(b"resource fork")  # macOS debris the loader skips
    lines = ["TestVideoFile = {};"] + [f"TestVideoFile{{end+1}}.gt_frame = [{s}:{e}];" for s, e in gt]
    (base / "Test" / f"UCSD{variant}.m").write_text("\n".join(lines) + "\n")
    for i in masked_clips:
        start, end = gt[i - 1]
        masks = anomaly_masks(test[i - 1], list(range(start - 1, end)))
        folder = base / "Test" / f"Test{i:03d}_gt"
        folder.mkdir()
        prefix = "frame" if i in frame_prefix_clips else ""
        for t, mask in enumerate(masks, start=1):
            Image.fromarray((mask * 255).astype(np.uint8)).save(folder / f"{prefix}{t:03d}.bmp")
    return base


def write_repack(root: Path, name: str = "ped2", train=(6, 5), test=(7, 8), gt=((2, 4), (1, 8)),
                 official_masks: bool = True) -> Path:
    """``root/<name>/{training,testing}/frames/NN/NNN.jpg`` (0-based) + ``<name>.mat`` (+ official_gt)."""
    base = root / name
    for split, lengths in (("training", train), ("testing", test)):
        for i, n in enumerate(lengths, start=1):
            folder = base / split / "frames" / f"{i:02d}"
            folder.mkdir(parents=True)
            frames = clip_frames(n, seed=i)
            for t, frame in enumerate(np.repeat(frames[..., None], 3, axis=3)):
                Image.fromarray(frame).save(folder / f"{t:03d}.jpg", quality=95)
    cells = np.empty((1, len(gt)), dtype=object)
    for i, (s, e) in enumerate(gt):
        cells[0, i] = np.array([[s], [e]], dtype=np.float64)
    scipy.io.savemat(base / f"{name}.mat", {"gt": cells})
    if official_masks:
        for i, ((s, e), n) in enumerate(zip(gt, test), start=1):
            folder = base / "official_gt" / f"Test{i:03d}_gt"
            folder.mkdir(parents=True)
            for t, mask in enumerate(anomaly_masks(n, list(range(s - 1, e))), start=1):
                Image.fromarray(mask).save(folder / f"{t:03d}.bmp")
    return base


def write_avi(path: Path, frames: np.ndarray, fps: int = 25) -> None:
    import av

    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mjpeg", rate=fps)
        stream.width, stream.height, stream.pix_fmt = frames.shape[2], frames.shape[1], "yuvj420p"
        for frame in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def write_avenue(root: Path, train=(6,), test=(7, 5), anomalous=((2, 3), (0,))) -> Path:
    """Official Avenue: ``training_videos/NN.avi``, ``testing_videos/NN.avi`` and
    ``ground_truth_demo/testing_label_mask/N_label.mat`` (``volLabel``: 1×T cell of masks)."""
    for i, n in enumerate(train, start=1):
        write_avi(root / "training_videos" / f"{i:02d}.avi", clip_frames(n, i, rgb=True))
    for i, (n, frames_on) in enumerate(zip(test, anomalous), start=1):
        write_avi(root / "testing_videos" / f"{i:02d}.avi", clip_frames(n, 10 + i, rgb=True))
        masks = anomaly_masks(n, list(frames_on)).astype(np.uint8)
        cells = np.empty((1, n), dtype=object)
        for t in range(n):
            cells[0, t] = masks[t]
        folder = root / "ground_truth_demo" / "testing_label_mask"
        folder.mkdir(parents=True, exist_ok=True)
        scipy.io.savemat(folder / f"{i}_label.mat", {"volLabel": cells})
    return root


def write_shanghaitech(root: Path, train=(6,), test=(("01_0014", 7, (1, 2)), ("02_0128", 5, (4,)))) -> Path:
    """``training/videos/SS_VVV.avi``, ``testing/frames/SS_VVVV/NNN.jpg``,
    ``testing/test_frame_mask/SS_VVVV.npy`` and ``testing/test_pixel_mask/SS_VVVV.npy``."""
    for i, n in enumerate(train, start=1):
        write_avi(root / "training" / "videos" / f"01_{i:03d}.avi", clip_frames(n, i, rgb=True))
    for name, n, frames_on in test:
        folder = root / "testing" / "frames" / name
        folder.mkdir(parents=True)
        for t, frame in enumerate(clip_frames(n, 7, rgb=True)):
            Image.fromarray(frame).save(folder / f"{t:03d}.jpg", quality=95)
        masks = anomaly_masks(n, list(frames_on))
        for sub, array in (("test_frame_mask", masks.any(axis=(1, 2)).astype(np.int64)), ("test_pixel_mask", masks.astype(np.uint8))):
            (root / "testing" / sub).mkdir(parents=True, exist_ok=True)
            np.save(root / "testing" / sub / f"{name}.npy", array)
    return root


# the session's small synthped copy (tests/conftest.py's ``small_synthped``): four training and two
# test clips of 40 frames at synthped's default 160×240, and its row in notebook 00's Table 1
# (dataset, train clips, test clips, train frames, test frames, …), how a test tells it was read
SMALL_SYNTHPED = {"n_train": 4, "n_test": 2, "train_frames": 40, "test_frames": 40}
SMALL_SYNTHPED_ROW = "synthped,4,2,160,80,"
