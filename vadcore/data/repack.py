"""The JPEG "repack" layout shared by UCSD Ped1/Ped2 and Avenue copies of the AnoPred, MNAD and
HF2-VAD code bases::

    <root>/training/frames/<clip>/<frame>.jpg
    <root>/testing/frames/<clip>/<frame>.jpg
    <root>/<name>.mat           variable gt: 1×N cell of [start; end] (1-based, inclusive)
Read by every notebook when its dataset is a repack copy (the ``cpu`` profile's Ped2).
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from vadcore.data.errors import DatasetError
from vadcore.data.groundtruth import check_clip_count, load_mat_ranges, ranges_to_labels
from vadcore.data.readers import list_subfolders
from vadcore.data.sources import image_folder_clip
from vadcore.data.video import VideoSource


def is_repack(root: Path) -> bool:
    return (root / "training" / "frames").is_dir() and (root / "testing" / "frames").is_dir()


def find_mat(root: Path) -> Path:
    """``<root>/<root name>.mat``, else the only ``.mat`` file in ``root``."""
    preferred = root / f"{root.name}.mat"
    if preferred.is_file():
        return preferred
    candidates = sorted(root.glob("*.mat"))
    if len(candidates) != 1:
        raise DatasetError(root, f"expected one ground-truth .mat file (e.g. {preferred.name}), found {len(candidates)}")
    return candidates[0]


def load_repack(
    root: Path, gray: bool, mask_folder_for: Callable[[str], Path | None] = lambda clip: None
) -> tuple[list[VideoSource], list[VideoSource]]:
    """Train and test sources of a repack folder; ``mask_folder_for(clip)`` may attach masks."""
    train_clips = list_subfolders(root / "training" / "frames")
    test_clips = list_subfolders(root / "testing" / "frames")
    if not train_clips:
        raise DatasetError(root / "training" / "frames", "no clip folders")
    if not test_clips:
        raise DatasetError(root / "testing" / "frames", "no clip folders")
    gt_file = find_mat(root)
    ranges = load_mat_ranges(gt_file)
    check_clip_count(gt_file, len(ranges), len(test_clips))
    train = [image_folder_clip(c.name, c, gray) for c in train_clips]
    test = []
    for clip, clip_ranges in zip(test_clips, ranges):
        labels = partial(ranges_to_labels, clip_ranges, source=gt_file, clip=clip.name)
        test.append(image_folder_clip(clip.name, clip, gray, labels, mask_folder_for(clip.name)))
    return train, test
