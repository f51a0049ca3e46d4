"""Building :class:`VideoSource` objects from the two ways clips are stored: a folder of images
per clip, or one video file per clip. Every dataset loader is made of these two calls. Used by every notebook's data loading."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from vadcore.data.errors import DatasetError
from vadcore.data.readers import count_video_frames, list_images, read_image, read_mask, read_video, stack_frames
from vadcore.data.video import VideoSource, folder_fingerprint


def _mask_reader(folder: Path, n_frames: int, clip: str):
    files = list_images(folder)
    if len(files) != n_frames:
        raise DatasetError(folder, f"{len(files)} mask images for the {n_frames} frames of clip {clip}")
    return lambda: stack_frames([read_mask(f) for f in files], files, clip)


def image_folder_clip(
    name: str,
    folder: Path,
    gray: bool,
    labels: np.ndarray | Callable[[int], np.ndarray] | None = None,
    mask_folder: Path | None = None,
    foreground_folder: Path | None = None,
) -> VideoSource:
    """A clip stored as one image per frame (UCSD ``.tif``, repack ``.jpg``).

    ``labels`` may be a function of the frame count (ground-truth ranges checked against it).
    """
    files = list_images(folder)
    if callable(labels):
        labels = labels(len(files))
    if labels is not None and len(labels) != len(files):
        raise DatasetError(folder, f"{len(files)} frames but {len(labels)} frame labels for clip {name}")
    return VideoSource(
        name=name,
        n_frames=len(files),
        read_frames=lambda: stack_frames([read_image(f, gray) for f in files], files, name),
        labels=labels,
        read_masks=None if mask_folder is None else _mask_reader(mask_folder, len(files), name),
        read_foreground=(
            None if foreground_folder is None else _mask_reader(foreground_folder, len(files), name)
        ),
        fingerprint=folder_fingerprint(folder, files),
    )


def video_file_clip(
    name: str,
    path: Path,
    gray: bool,
    labels: np.ndarray | None = None,
    read_masks=None,
    n_frames: int | None = None,
) -> VideoSource:
    """A clip stored as one video file (Avenue, ShanghaiTech training)."""
    if not path.is_file():
        raise DatasetError(path, "expected a video file, found nothing")
    count = n_frames if n_frames is not None else count_video_frames(path)
    if labels is not None and len(labels) != count:
        raise DatasetError(path, f"{count} frames but {len(labels)} frame labels for clip {name}")
    return VideoSource(
        name=name,
        n_frames=count,
        read_frames=lambda: read_video(path, gray),
        labels=labels,
        read_masks=read_masks,
        fingerprint=folder_fingerprint(path, [path]),
    )
