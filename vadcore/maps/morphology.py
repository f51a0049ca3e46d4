"""Small connected objects removed from a binary mask (MATLAB's ``bwareaopen``), on whichever
scikit-image is installed: a borrowed GPU machine's may predate 0.26, where ``min_size`` (objects
strictly smaller) became ``max_size`` (objects of at most that size)."""
from __future__ import annotations

import numpy as np
from skimage.morphology import remove_small_objects


def remove_objects_up_to(mask: np.ndarray, size: int) -> np.ndarray:
    """``mask`` without its connected objects of ``size`` pixels or fewer: scikit-image ≥ 0.26's
    ``remove_small_objects(max_size=size)``, which older releases spell ``min_size=size + 1``."""
    try:
        return remove_small_objects(mask, max_size=size)
    except TypeError:  # scikit-image < 0.26: no max_size
        return remove_small_objects(mask, min_size=size + 1)
