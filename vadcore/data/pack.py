"""A compact copy of a grey dataset that travels (a borrowed GPU machine takes at most 64 MiB of
files, and UCSD Ped2's frames are 133 MB as JPEG): every clip at a working size, video-coded with
H.264 at high quality, labels and pixel masks kept losslessly, and a manifest (``pack.json``) that
records what packing changed.

    vadcore data pack ucsd_ped2 /path/to/ped2 --out .gpu/ped2 --size 256 256 --compare
                                                   # the gpu profile's frames: 18 MiB, 48 dB

Frames are coded as full-range luma (``yuvj420p`` with neutral chroma), so a grey level is coded
as itself and every decoder reads it back without a range conversion. :func:`load_pack` reads a
pack wherever ``load_dataset`` reads the dataset's own layouts, decoding with PyAV, or with
OpenCV where PyAV is missing (a GPU machine's image has OpenCV, not PyAV): both give the same
frames (``tests/test_pack.py``). :func:`compare` measures what packing changes: the frames' PSNR
against the original at the same size and the AUC of the scores that learn nothing. A pack made
at a working size is that dataset at that size: loading it at its own size reads it as it is
(another size resizes the decoded frames).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from vadcore.atomic import write_text
from vadcore.data.errors import DatasetError
from vadcore.data.video import VideoSet, VideoSource, folder_fingerprint

MANIFEST = "pack.json"
FORMAT = 1
CODEC, PIXELS, CRF = "libx264", "yuvj420p", 14
# x264 tuned for film grain: keeps the frames' noise from frame to frame instead of copying static
# blocks, so that frame differences — what the trivial scores measure — survive packing
OPTIONS = {"preset": "slow", "tune": "grain"}


def is_pack(root: Path) -> bool:
    return (Path(root) / MANIFEST).is_file()


def encode(frames: np.ndarray, path: Path, crf: int = CRF, fps: int = 10) -> None:
    """Grey frames ``(T, H, W)`` uint8 → an H.264 ``.mkv`` (even sizes: H.264's 4:2:0 needs them)."""
    import av

    if frames.ndim != 3 or frames.dtype != np.uint8 or frames.shape[1] % 2 or frames.shape[2] % 2:
        raise ValueError(f"expected grey uint8 frames (T, H, W) of even size, got {frames.dtype} {frames.shape}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format="matroska") as container:
        stream = container.add_stream(CODEC, rate=fps)
        stream.width, stream.height, stream.pix_fmt = frames.shape[2], frames.shape[1], PIXELS
        stream.options = {"crf": str(crf), **OPTIONS}
        for frame in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="gray")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def decode(path: Path) -> np.ndarray:
    """The grey frames of a packed clip, ``(T, H, W)`` uint8: its luma plane, read with PyAV, or
    with OpenCV where PyAV is not installed."""
    try:
        import av
    except ImportError:
        return decode_with_opencv(path)
    try:
        with av.open(str(path)) as container:
            planes = [frame.planes[0] for frame in container.decode(video=0)]
            frames = [np.frombuffer(p, np.uint8).reshape(p.height, p.line_size)[:, : p.width] for p in planes]
    except Exception as error:  # noqa: BLE001 — any decoder failure names the file
        raise DatasetError(path, f"unreadable packed clip ({type(error).__name__}: {error})") from None
    if not frames:
        raise DatasetError(path, "packed clip has no frames")
    return np.stack(frames)


def decode_with_opencv(path: Path) -> np.ndarray:
    """:func:`decode` through OpenCV: with neutral chroma and full range its BGR frames hold the
    luma in every channel."""
    import cv2

    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, image = capture.read()
        if not ok:
            break
        frames.append(image[..., 0])
    capture.release()
    if not frames:
        raise DatasetError(path, "packed clip has no frames (or OpenCV cannot read it)")
    return np.stack(frames)


def pack(data: VideoSet, out: Path, crf: int = CRF) -> dict:
    """Write ``data`` (grey, at the size it was loaded at) as a pack in ``out``; returns the manifest."""
    out = Path(out)
    if not data.gray:
        raise ValueError("a pack holds grey clips: load the dataset with gray=True")
    manifest = {"format": FORMAT, "dataset": data.name, "size": list(data.videos[0].frames.shape[1:3]),
                "codec": CODEC, "pixels": PIXELS, "crf": crf, **OPTIONS, "train": [], "test": []}
    masks = {}
    for split, videos in (("train", data.train), ("test", data.test)):
        for video in videos:
            encode(np.asarray(video.frames), out / split / f"{video.name}.mkv", crf)
            entry = {"name": video.name, "frames": video.n_frames}
            if video.labels is not None:
                entry["anomalous"] = _ranges(video.labels)
            if video.masks is not None:
                masks[video.name] = np.packbits(np.asarray(video.masks, bool), axis=-1)
                entry["mask_width"] = int(video.masks.shape[-1])
            manifest[split].append(entry)
    if masks:
        with open(out / "masks.npz", "wb") as stream:
            np.savez_compressed(stream, **masks)
    write_text(out / MANIFEST, json.dumps(manifest, indent=1) + "\n")
    return manifest


def _ranges(labels: np.ndarray) -> list[list[int]]:
    """0-based ``[start, stop)`` runs of anomalous frames."""
    edges = np.diff(np.concatenate([[0], np.asarray(labels, np.int8), [0]]))
    return [[int(a), int(b)] for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1))]


def load_pack(root: Path, name: str, gray: bool = True) -> tuple[Path, list[VideoSource], list[VideoSource]]:
    """``(root, train sources, test sources)`` of the pack in ``root`` (of dataset ``name``)."""
    root = Path(root)
    manifest = json.loads((root / MANIFEST).read_text())
    if manifest.get("format") != FORMAT or manifest.get("dataset") != name:
        raise DatasetError(root / MANIFEST, f"a pack of {manifest.get('dataset')!r} (format {manifest.get('format')}), "
                                            f"not of {name!r} (format {FORMAT})")
    masks_file = root / "masks.npz"

    def source(split: str, entry: dict) -> VideoSource:
        path = root / split / f"{entry['name']}.mkv"
        if not path.is_file():
            raise DatasetError(path, f"listed in {MANIFEST}, but missing")
        n = entry["frames"]

        def frames() -> np.ndarray:
            grey = decode(path)
            return grey if gray else np.repeat(grey[..., None], 3, axis=-1)

        labels = None
        if "anomalous" in entry:
            labels = np.zeros(n, np.uint8)
            for start, stop in entry["anomalous"]:
                labels[start:stop] = 1
        read_masks = None
        if "mask_width" in entry:
            def read_masks() -> np.ndarray:
                with np.load(masks_file) as stored:
                    return np.unpackbits(stored[entry["name"]], axis=-1, count=entry["mask_width"]).astype(bool)
        return VideoSource(entry["name"], n, frames, labels, read_masks, fingerprint=folder_fingerprint(root, [path]))

    return root, [source("train", e) for e in manifest["train"]], [source("test", e) for e in manifest["test"]]


def record_comparison(root: Path, comparison: dict) -> None:
    """Add what packing changed (:func:`vadcore.baselines.packing.compare`) to the pack's manifest."""
    path = Path(root) / MANIFEST
    manifest = json.loads(path.read_text())
    manifest["comparison"] = comparison
    write_text(path, json.dumps(manifest, indent=1) + "\n")
