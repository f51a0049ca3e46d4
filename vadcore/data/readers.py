"""Reading frames and masks from disk: image folders (tif/jpg/png/bmp) and videos (PyAV).

Every reader turns a failure into a :class:`DatasetError` naming the file, never a stack trace
from inside a decoder.
Used by every notebook's data loading.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np

from vadcore.data.errors import DatasetError

IMAGE_SUFFIXES = {".tif", ".tiff", ".jpg", ".jpeg", ".png", ".bmp"}
VIDEO_SUFFIXES = {".avi", ".mp4", ".mkv", ".mov"}
_NUMBER = re.compile(r"(\d+)")


def _numeric_key(path: Path) -> tuple[int, str]:
    """Sort ``frame2.bmp`` before ``frame10.bmp``; names are compared by their last number."""
    numbers = _NUMBER.findall(path.stem)
    return (int(numbers[-1]) if numbers else -1, path.name)


def list_images(folder: Path) -> list[Path]:
    """Image files of ``folder`` in frame order (hidden files such as ``._001.tif`` skipped)."""
    if not folder.is_dir():
        raise DatasetError(folder, "expected a folder of frames, found nothing")
    files = [
        p for p in folder.iterdir()
        if p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".")
    ]
    if not files:
        raise DatasetError(folder, f"no frames ({', '.join(sorted(IMAGE_SUFFIXES))}) in this folder")
    return sorted(files, key=_numeric_key)


def list_videos(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise DatasetError(folder, "expected a folder of video files, found nothing")
    files = [p for p in folder.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES and not p.name.startswith(".")]
    if not files:
        raise DatasetError(folder, f"no video files ({', '.join(sorted(VIDEO_SUFFIXES))}) in this folder")
    return sorted(files, key=_numeric_key)


def list_subfolders(folder: Path, pattern: str = r".+") -> list[Path]:
    """Subfolders whose whole name matches ``pattern``, in numeric order."""
    if not folder.is_dir():
        raise DatasetError(folder, "expected a folder, found nothing")
    regex = re.compile(pattern)
    found = [p for p in folder.iterdir() if p.is_dir() and regex.fullmatch(p.name)]
    return sorted(found, key=_numeric_key)


def read_image(path: Path, gray: bool) -> np.ndarray:
    """One frame as uint8 ``(H, W)`` (``gray``) or ``(H, W, 3)``."""
    try:
        if path.suffix.lower() in {".tif", ".tiff"}:
            import tifffile

            image = np.asarray(tifffile.imread(path))
        else:
            from PIL import Image

            with Image.open(path) as handle:
                image = np.asarray(handle.convert("L" if gray else "RGB"))
    except Exception as error:  # decoders raise many types; name the file instead
        raise DatasetError(path, f"unreadable image ({type(error).__name__}: {error})") from None
    return _to_uint8(image, gray, path)


def read_mask(path: Path) -> np.ndarray:
    """A ground-truth mask as bool ``(H, W)``: any non-zero pixel is anomalous (UCSD masks are
    8-bit 0/255 in the archive, 1-bit in some copies)."""
    try:
        from PIL import Image

        with Image.open(path) as handle:
            mask = np.asarray(handle)
    except Exception as error:
        raise DatasetError(path, f"unreadable mask image ({type(error).__name__}: {error})") from None
    if mask.ndim == 3:
        mask = mask.max(axis=2)
    return mask > 0


def stack_frames(images: list[np.ndarray], files: list[Path], clip: str) -> np.ndarray:
    """One clip's images as an array ``(T, …)``; images of different sizes are an error that names
    the clip, the sizes found and the first file whose size differs from the clip's usual one."""
    shapes = Counter(image.shape for image in images)
    if len(shapes) > 1:
        usual = shapes.most_common(1)[0][0]
        found = ", ".join(f"{'×'.join(map(str, shape))} ({count} files)" for shape, count in shapes.most_common())
        odd = next(f for f, image in zip(files, images) if image.shape != usual)
        raise DatasetError(odd, f"clip {clip}: images of different sizes ({found}); this one differs")
    return np.stack(images)


def read_video(path: Path, gray: bool) -> np.ndarray:
    """All frames of a video file, uint8 ``(T, H, W)`` or ``(T, H, W, 3)``, decoded with PyAV."""
    import av

    try:
        with av.open(str(path)) as container:
            frames = [
                frame.to_ndarray(format="gray" if gray else "rgb24")
                for frame in container.decode(video=0)
            ]
    except Exception as error:
        raise DatasetError(path, f"unreadable video ({type(error).__name__}: {error})") from None
    if not frames:
        raise DatasetError(path, "video has no frames")
    return np.stack(frames)


def count_video_frames(path: Path) -> int:
    """Frame count from the container header, decoding only when the header does not say."""
    import av

    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            if stream.frames:
                return int(stream.frames)
            return sum(1 for _ in container.decode(video=0))
    except Exception as error:
        raise DatasetError(path, f"unreadable video ({type(error).__name__}: {error})") from None


def _to_uint8(image: np.ndarray, gray: bool, path: Path) -> np.ndarray:
    if image.dtype != np.uint8:
        if image.dtype == bool:
            image = image.astype(np.uint8) * 255
        elif np.issubdtype(image.dtype, np.integer) and image.max(initial=0) <= 255:
            image = image.astype(np.uint8)
        else:
            raise DatasetError(path, f"expected 8-bit frames, found {image.dtype}")
    if image.ndim == 3 and image.shape[2] == 4:
        image = image[..., :3]
    if gray and image.ndim == 3:
        image = np.round(image @ np.array([0.299, 0.587, 0.114])).astype(np.uint8)
    elif not gray and image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    if image.ndim not in (2, 3):
        raise DatasetError(path, f"expected a 2-D or RGB image, found shape {image.shape}")
    return image
