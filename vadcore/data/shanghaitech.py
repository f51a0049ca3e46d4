"""ShanghaiTech Campus::

    training/videos/01_001.avi …                 (or training/frames/01_001/000.jpg …)
    testing/frames/01_0014/000.jpg …
    testing/test_frame_mask/01_0014.npy          per-frame 0/1
    testing/test_pixel_mask/01_0014.npy          per-pixel 0/1, (T, H, W)
Read by every notebook when ``dataset="shanghaitech"``.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from vadcore.data.errors import DatasetError
from vadcore.data.readers import list_subfolders, list_videos
from vadcore.data.sources import image_folder_clip, video_file_clip
from vadcore.data.video import VideoSource

LAYOUT_HELP = (
    "expected training/videos/*.avi (or training/frames/<clip>/), testing/frames/<clip>/*.jpg "
    "and testing/test_frame_mask/<clip>.npy"
)


def _load_npy(path: Path) -> np.ndarray:
    try:
        return np.load(path)
    except Exception as error:
        raise DatasetError(path, f"unreadable .npy file ({type(error).__name__}: {error})") from None


def load_shanghaitech(root: Path, gray: bool = False) -> tuple[Path, list[VideoSource], list[VideoSource]]:
    root = Path(root)
    if not (root / "testing" / "frames").is_dir():
        raise DatasetError(root, LAYOUT_HELP)
    if (root / "training" / "frames").is_dir():
        train = [image_folder_clip(c.name, c, gray) for c in list_subfolders(root / "training" / "frames")]
    else:
        train = [video_file_clip(p.stem, p, gray) for p in list_videos(root / "training" / "videos")]
    test = []
    for clip in list_subfolders(root / "testing" / "frames"):
        label_file = root / "testing" / "test_frame_mask" / f"{clip.name}.npy"
        if not label_file.is_file():
            raise DatasetError(label_file, f"frame labels of test clip {clip.name} not found")
        labels = (_load_npy(label_file).ravel() > 0).astype(np.uint8)
        pixel_file = root / "testing" / "test_pixel_mask" / f"{clip.name}.npy"
        source = image_folder_clip(clip.name, clip, gray, labels)
        if pixel_file.is_file():
            source = replace(source, read_masks=lambda f=pixel_file: _load_npy(f) > 0)
        test.append(source)
    if not test:
        raise DatasetError(root / "testing" / "frames", "no test clip folders")
    return root, train, test
