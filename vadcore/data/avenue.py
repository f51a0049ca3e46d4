"""CUHK Avenue, official layout (``.avi`` + per-clip ``_label.mat``) or the JPEG repack::

    training_videos/01.avi … 16.avi
    testing_videos/01.avi … 21.avi
    ground_truth_demo/testing_label_mask/1_label.mat …   variable volLabel: 1×T cell of H×W masks

Repack: ``avenue/{training,testing}/frames/NN/NNNN.jpg`` + ``avenue.mat`` (see ``repack.py``).
Read by every notebook when ``dataset="avenue"``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from vadcore.data.errors import DatasetError
from vadcore.data.readers import list_videos
from vadcore.data.repack import is_repack, load_repack
from vadcore.data.sources import video_file_clip
from vadcore.data.video import VideoSource

LAYOUT_HELP = (
    "expected the Avenue archive (training_videos/01.avi, testing_videos/01.avi, "
    "ground_truth_demo/testing_label_mask/1_label.mat) or the repack "
    "(training/frames/01/0000.jpg, testing/frames/01/0000.jpg, avenue.mat)"
)


def read_vol_label(path: Path) -> np.ndarray:
    """Per-frame pixel masks, bool ``(T, H, W)``, from an Avenue ``N_label.mat``."""
    import scipy.io

    try:
        content = scipy.io.loadmat(path)
    except Exception as error:
        raise DatasetError(path, f"unreadable .mat file ({type(error).__name__}: {error})") from None
    if "volLabel" not in content:
        raise DatasetError(path, "expected variable 'volLabel' (1×T cell of per-frame masks)")
    cells = np.asarray(content["volLabel"], dtype=object).ravel()
    if cells.size == 0:
        raise DatasetError(path, "volLabel is empty")
    return np.stack([np.asarray(c) > 0 for c in cells])


def load_avenue(root: Path, gray: bool = False) -> tuple[Path, list[VideoSource], list[VideoSource]]:
    root = Path(root)
    if not root.exists():
        raise DatasetError(root, f"folder not found; {LAYOUT_HELP}")
    if (root / "avenue").is_dir() and is_repack(root / "avenue"):
        root = root / "avenue"
    if is_repack(root):
        return root, *load_repack(root, gray)
    if not (root / "training_videos").is_dir():
        raise DatasetError(root, LAYOUT_HELP)
    train = [video_file_clip(p.stem, p, gray) for p in list_videos(root / "training_videos")]
    label_dir = root / "ground_truth_demo" / "testing_label_mask"
    test = []
    for path in list_videos(root / "testing_videos"):
        label_file = label_dir / f"{int(path.stem)}_label.mat"
        if not label_file.is_file():
            raise DatasetError(label_file, f"ground truth of {path.name} not found")
        masks = read_vol_label(label_file)
        test.append(
            video_file_clip(
                path.stem, path, gray, labels=masks.any(axis=(1, 2)).astype(np.uint8),
                read_masks=lambda masks=masks: masks, n_frames=len(masks),
            )
        )
    return root, train, test
