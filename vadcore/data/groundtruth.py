"""Frame-level ground truth: anomalous frame ranges as the datasets ship them, turned into labels.

- UCSD's ``UCSDpedN.m``: ``TestVideoFile{end+1}.gt_frame = [61:180];`` (1-based, inclusive,
  possibly several ranges ``[5:90, 140:200]``).
- The repack's ``pedN.mat`` / ``avenue.mat``: variable ``gt``, a 1×N cell of 2×K ``[start; end]``.
Read by every notebook through the UCSD and repack loaders.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from vadcore.data.errors import DatasetError

Ranges = list[tuple[int, int]]
_GT_LINE = re.compile(r"gt_frame\s*=\s*\[([^\]]*)\]")
_ITEM = re.compile(r"^(\d+)(?::(\d+))?$")


def parse_ucsd_m(path: Path) -> list[Ranges]:
    """One list of 1-based inclusive ``(start, end)`` ranges per test clip, in file order."""
    try:
        text = Path(path).read_text(errors="replace")
    except OSError as error:
        raise DatasetError(path, f"cannot read ground-truth file ({error})") from None
    clips: list[Ranges] = []
    for body in _GT_LINE.findall(text):
        ranges: Ranges = []
        for item in re.split(r"[,;\s]+", re.sub(r"\s*:\s*", ":", body.strip())):
            if not item:
                continue
            match = _ITEM.match(item)
            if not match:
                raise DatasetError(path, f"cannot parse ground-truth range '{item}'")
            start = int(match.group(1))
            ranges.append((start, int(match.group(2) or start)))
        clips.append(ranges)
    if not clips:
        raise DatasetError(path, "no 'gt_frame = [...]' lines found")
    return clips


def load_mat_ranges(path: Path, variable: str = "gt") -> list[Ranges]:
    """Ranges from a repack ``.mat``: ``gt`` is a 1×N cell of 2×K arrays of [start; end]."""
    import scipy.io

    try:
        content = scipy.io.loadmat(path)
    except Exception as error:
        raise DatasetError(path, f"unreadable .mat file ({type(error).__name__}: {error})") from None
    if variable not in content:
        found = sorted(k for k in content if not k.startswith("__"))
        raise DatasetError(path, f"expected variable '{variable}', found {found}")
    cells = np.asarray(content[variable], dtype=object).ravel()
    clips: list[Ranges] = []
    for cell in cells:
        array = np.asarray(cell, dtype=np.int64)
        if array.size == 0:
            clips.append([])
            continue
        array = array.reshape(2, -1) if array.shape[0] == 2 else array.reshape(-1, 2).T
        clips.append([(int(s), int(e)) for s, e in zip(array[0], array[1])])
    return clips


def ranges_to_labels(ranges: Ranges, n_frames: int, *, source: Path, clip: str) -> np.ndarray:
    """0/1 labels of a clip from 1-based inclusive ranges; a range outside the clip is an error."""
    labels = np.zeros(n_frames, dtype=np.uint8)
    for start, end in ranges:
        if not 1 <= start <= end <= n_frames:
            raise DatasetError(
                source,
                f"anomalous range {start}:{end} of clip {clip} is outside its {n_frames} frames",
            )
        labels[start - 1 : end] = 1
    return labels


def check_clip_count(source: Path, n_ground_truth: int, n_clips: int) -> None:
    if n_ground_truth != n_clips:
        raise DatasetError(
            source, f"ground truth lists {n_ground_truth} clips but the test folder has {n_clips}"
        )
