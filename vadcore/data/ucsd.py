"""UCSD Anomaly Detection Dataset (Ped1, Ped2), in either layout users have.

Official archive (``root`` = ``UCSD_Anomaly_Dataset.v1p2``, or its ``UCSDpedN`` folder)::

    UCSDpedN/Train/Train001/001.tif …          grayscale, 1-based names
    UCSDpedN/Test/Test001/001.tif …
    UCSDpedN/Test/UCSDpedN.m                   TestVideoFile{end+1}.gt_frame = [61:180];
    UCSDpedN/Test/Test001_gt/001.bmp …         pixel masks (``frame001.bmp`` in some clips;
                                               Ped1 has them for only some clips)

JPEG repack (``root`` = ``pedN``, see :mod:`vadcore.data.repack`), optionally with the official
masks beside it in ``pedN/official_gt/TestNNN_gt/``.
The synthetic ``synthped`` dataset is written in the official layout and read by this module.
Read by every notebook (synthped is written in this layout).
"""
from __future__ import annotations

from functools import partial
from pathlib import Path

from vadcore.data.errors import DatasetError
from vadcore.data.groundtruth import check_clip_count, parse_ucsd_m, ranges_to_labels
from vadcore.data.readers import list_subfolders
from vadcore.data.repack import is_repack, load_repack
from vadcore.data.sources import image_folder_clip
from vadcore.data.video import VideoSource

LAYOUT_HELP = (
    "expected the UCSD archive (UCSDpedN/Train/Train001/*.tif, UCSDpedN/Test/UCSDpedN.m) "
    "or the JPEG repack (training/frames/01/*.jpg, testing/frames/01/*.jpg, pedN.mat)"
)


def resolve_ucsd_root(root: Path, variant: str | None) -> Path:
    """Walk from the archive's top folder down to the ``UCSDpedN`` (or repack) folder."""
    root = Path(root)
    if not root.exists():
        raise DatasetError(root, f"folder not found; {LAYOUT_HELP}")
    if (root / "UCSD_Anomaly_Dataset.v1p2").is_dir():
        root = root / "UCSD_Anomaly_Dataset.v1p2"
    if variant and (root / f"UCSD{variant}").is_dir():
        root = root / f"UCSD{variant}"
    if (root / "Train").is_dir() and (root / "Test").is_dir():
        return root
    if is_repack(root):
        return root
    raise DatasetError(root, LAYOUT_HELP)


def official_mask_folder(gt_root: Path, clip_number: int) -> Path | None:
    folder = gt_root / f"Test{clip_number:03d}_gt"
    return folder if folder.is_dir() else None


def load_ucsd(
    root: Path, variant: str | None, gray: bool = True, foreground_root: Path | None = None
) -> tuple[Path, list[VideoSource], list[VideoSource]]:
    """``(resolved root, train sources, test sources)`` for either UCSD layout."""
    root = resolve_ucsd_root(root, variant)
    if is_repack(root):
        gt_root = root / "official_gt"
        train, test = load_repack(root, gray, lambda clip: official_mask_folder(gt_root, int(clip)))
        return root, train, test
    return root, *_load_official(root, variant, gray, foreground_root)


def _find_m_file(test_dir: Path, variant: str | None) -> Path:
    preferred = test_dir / f"UCSD{variant}.m"
    if variant and preferred.is_file():
        return preferred
    candidates = sorted(test_dir.glob("*.m"))
    if len(candidates) != 1:
        raise DatasetError(test_dir, f"expected one ground-truth .m file (UCSDpedN.m), found {len(candidates)}")
    return candidates[0]


def _load_official(root: Path, variant: str | None, gray: bool, foreground_root: Path | None):
    train_clips = list_subfolders(root / "Train", r"Train\d{3}")
    test_clips = list_subfolders(root / "Test", r"Test\d{3}")
    if not train_clips:
        raise DatasetError(root / "Train", "no TrainNNN clip folders")
    if not test_clips:
        raise DatasetError(root / "Test", "no TestNNN clip folders")
    gt_file = _find_m_file(root / "Test", variant)
    ranges = parse_ucsd_m(gt_file)
    check_clip_count(gt_file, len(ranges), len(test_clips))

    def foreground(split: str, clip: Path) -> Path | None:
        return None if foreground_root is None else foreground_root / split / clip.name

    train = [
        image_folder_clip(c.name, c, gray, foreground_folder=foreground("Train", c))
        for c in train_clips
    ]
    test = [
        image_folder_clip(
            clip.name,
            clip,
            gray,
            partial(ranges_to_labels, clip_ranges, source=gt_file, clip=clip.name),
            mask_folder=official_mask_folder(root / "Test", int(clip.name[4:])),
            foreground_folder=foreground("Test", clip),
        )
        for clip, clip_ranges in zip(test_clips, ranges)
    ]
    return train, test
