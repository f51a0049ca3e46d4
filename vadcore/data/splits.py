"""The validation split: a few *training* clips held out to choose what a paper does not fix for
our setting (learning rates and schedules at a reduced size, loss weights for a substitute flow,
the smoke settings). Test labels are never used to choose anything; the held-out clips are normal
video like the rest of the training set, so a setting is judged by how well the model predicts or
reconstructs unseen *normal* frames.
Used by every family that holds training clips out.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from vadcore.data.video import Video


def validation_indices(n_clips: int, n_validation: int) -> list[int]:
    """Indices of the held-out clips: ``n_validation`` clips spread evenly over the training
    set (clip order is recording order, so an even spread samples the whole recording period)."""
    if n_validation < 0 or n_validation >= n_clips:
        raise ValueError(f"cannot hold out {n_validation} of {n_clips} training clips (keep at least one)")
    return [int(i) for i in (np.arange(n_validation) + 0.5) * n_clips // n_validation]


def validation_split(videos: Sequence[Video], n_validation: int) -> tuple[list[Video], list[Video]]:
    """``(training clips, held-out validation clips)``: every clip is in exactly one of them."""
    held = set(validation_indices(len(videos), n_validation))
    return ([v for i, v in enumerate(videos) if i not in held], [v for i, v in enumerate(videos) if i in held])
