"""Foreground (moving-object) masks, to split errors into foreground and background
(ADL Figs. 7 and 9; notebook 02).

synthped ships exact masks of every moving object; real datasets do not, so their foreground is
estimated by background subtraction: |I − temporal median of the clip| thresholded with Otsu's
method (scikit-image), specks smaller than ``min_size`` pixels removed.
"""
from __future__ import annotations

import numpy as np
from skimage.filters import threshold_otsu

from vadcore.data.video import Video
from vadcore.maps.morphology import remove_objects_up_to


def motion_foreground(frames: np.ndarray, min_size: int = 8) -> np.ndarray:
    """Bool ``(T, H, W)`` masks of what moves in a clip of frames ``(T, H, W[, C])``."""
    frames = np.asarray(frames, np.float32)
    if frames.ndim == 4:
        frames = frames.mean(-1)
    difference = np.abs(frames - np.median(frames, axis=0))
    masks = difference > threshold_otsu(difference)
    return np.stack([remove_objects_up_to(m, min_size) for m in masks])


def foreground_masks(video: Video) -> np.ndarray:
    """The clip's moving-object masks: exact where the dataset has them, else estimated."""
    exact = video.foreground
    return exact if exact is not None else motion_foreground(video.frames)
