"""Datasets: ``load_dataset(name, root=None, **options)`` → :class:`VideoSet` (``.train``, ``.test``).

Names: ``"synthped"`` (generated on first use), ``"ucsd_ped1"``, ``"ucsd_ped2"``, ``"avenue"``,
``"shanghaitech"``. With ``root=None`` a real dataset is looked for in ``data/<folder>`` (folders:
ped1, ped2, avenue, shanghaitech; ``data/`` moves with ``VADCORE_DATA``). The import graph starts
here: nothing in ``vadcore.data`` imports models, methods or reports, and only
:mod:`vadcore.data.clips` (the training windows) imports PyTorch, so that the command line starts
without it.
Every notebook starts here.
"""
from __future__ import annotations

from pathlib import Path

from vadcore import paths
from vadcore.data.avenue import load_avenue
from vadcore.data.errors import DatasetError
from vadcore.data.pack import is_pack, load_pack
from vadcore.data.shanghaitech import load_shanghaitech
from vadcore.data.synthped import SynthPedConfig, ensure_synthped, generate_synthped
from vadcore.data.ucsd import load_ucsd
from vadcore.data.video import Video, VideoSet, VideoSource, build_videoset

DATASETS = {
    # name: (folder under data/, grayscale by default)
    "synthped": ("synthped", True),
    "ucsd_ped1": ("ped1", True),
    "ucsd_ped2": ("ped2", True),
    "avenue": ("avenue", False),
    "shanghaitech": ("shanghaitech", False),
}

__all__ = [
    "DATASETS", "DatasetError", "SynthPedConfig", "Video", "VideoSet",
    "VideoSource", "find_root", "generate_synthped", "load_dataset",
]


def _check_name(name: str) -> None:
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")


def find_root(name: str) -> Path | None:
    """Where a real dataset is, if anywhere: ``data/<folder>`` (a folder or a symbolic link)."""
    _check_name(name)
    candidate = paths.data_dir() / DATASETS[name][0]
    return candidate if candidate.exists() else None


def load_dataset(
    name: str,
    root: str | Path | None = None,
    *,
    size: tuple[int, int] | None = None,
    gray: bool | None = None,
    cache: bool = True,
    synth: SynthPedConfig | None = None,
) -> VideoSet:
    """Load a dataset's train and test clips.

    Args:
        name: one of :data:`DATASETS`.
        root: the dataset folder (any layout the loader knows; see each loader's docstring), or
            a compact copy of it made by ``vadcore data pack`` (:mod:`vadcore.data.pack`).
        size: working size ``(H, W)``; frames are resized once and cached. ``None``: native.
        gray: keep one channel (default: UCSD and synthped gray, Avenue/ShanghaiTech RGB).
        cache: cache decoded frames as ``.npy`` under ``data/cache/``.
        synth: settings of the synthetic dataset (``synthped`` only). The copy at ``root`` is
            (re)generated when it is missing, was made by an older generator, or was made with
            other settings than ``synth``.
    """
    _check_name(name)
    folder, default_gray = DATASETS[name]
    gray = default_gray if gray is None else gray
    if root is not None and is_pack(Path(root)):  # a compact copy made by `vadcore data pack`
        if synth is not None:
            raise ValueError("'synth' settings make a synthped copy; a pack is one already")
        root, train, test = load_pack(Path(root), name, gray)
        return build_videoset(name, root, train, test, size, gray, cache)
    if name == "synthped":
        if root is None:  # the managed copy: always the default (or the given) settings
            root, config = paths.data_dir() / folder, synth or SynthPedConfig()
        else:  # a user's copy: whatever settings made it, unless others are asked for
            root, config = Path(root), synth
            if synth is None and not root.exists():
                raise DatasetError(root, "folder not found: give the folder of a synthped copy, or no root "
                                         "(synthped is then generated in data/synthped), or synth=… to make one here")
        ensure_synthped(root, config)
        root, train, test = load_ucsd(root, None, gray, foreground_root=root / "foreground")
        return build_videoset(name, root, train, test, size, gray, cache)
    if synth is not None:
        raise ValueError("'synth' settings apply to the synthped dataset only")
    if root is None:
        root = find_root(name)
        if root is None:
            raise DatasetError(
                paths.data_dir() / folder,
                f"dataset {name!r} not found; put it here or pass root=… (layouts: data/README.md)",
            )
    root = Path(root)
    if name in ("ucsd_ped1", "ucsd_ped2"):
        root, train, test = load_ucsd(root, name[5:], gray)
    elif name == "avenue":
        root, train, test = load_avenue(root, gray)
    else:
        root, train, test = load_shanghaitech(root, gray)
    return build_videoset(name, root, train, test, size, gray, cache)
