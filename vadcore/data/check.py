"""``vadcore data check NAME ROOT``: read every frame and mask of a dataset folder once and
summarise it, or fail with an error naming the offending path. Also: how much a clip's static
background changes from frame to frame (:func:`background_change`), which exposes codec
artefacts such as UCSD Ped2's 12-frame flicker (notebook 00)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from vadcore.progress import progress as tqdm

from vadcore.data.errors import DatasetError
from vadcore.data.video import VideoSet


@dataclass
class DatasetSummary:
    name: str
    root: str
    train_clips: int
    test_clips: int
    train_frames: int
    test_frames: int
    anomalous_frames: int
    frame_shape: tuple
    clips_with_masks: int
    anomalous_frames_with_mask: int
    masked_frames_labelled_normal: int

    def __str__(self) -> str:
        lines = [
            f"dataset        {self.name}  ({self.root})",
            f"clips          {self.train_clips} train, {self.test_clips} test",
            f"frames         {self.train_frames} train, {self.test_frames} test, frame shape {self.frame_shape}",
            f"anomalous      {self.anomalous_frames} test frames "
            f"({100 * self.anomalous_frames / max(self.test_frames, 1):.1f} %)",
        ]
        if self.clips_with_masks:
            coverage = 100 * self.anomalous_frames_with_mask / max(self.anomalous_frames, 1)
            lines.append(
                f"pixel masks    {self.clips_with_masks}/{self.test_clips} test clips; "
                f"{coverage:.1f} % of anomalous frames have a non-empty mask; "
                f"{self.masked_frames_labelled_normal} masked frames are labelled normal"
            )
        else:
            lines.append("pixel masks    none")
        return "\n".join(lines)


def summarize(dataset: VideoSet, from_source: bool = True, progress: bool = True) -> DatasetSummary:
    """Count clips, frames, anomalous frames and mask coverage.

    ``from_source=True`` (``vadcore data check``) decodes every frame and mask from the files,
    bypassing the cache, so an unreadable file is found; ``False`` uses the cached working-size
    arrays (cheap, for notebooks).
    """
    shape: tuple = ()
    with_masks = anomalous_with_mask = masked_normal = 0
    for video in tqdm(dataset.videos, desc=f"checking {dataset.name}", unit="clip", disable=not progress):
        frames = video.source.read_frames() if from_source else video.frames
        if len(frames) != video.n_frames:
            raise DatasetError(dataset.root, f"clip {video.name}: decoded {len(frames)} frames, expected {video.n_frames}")
        shape = tuple(frames.shape[1:])
        if video.source.read_masks is not None:
            masks = video.source.read_masks() if from_source else video.masks
            has_mask = masks.reshape(len(masks), -1).any(axis=1)
            labels = np.asarray(video.labels).astype(bool)
            with_masks += 1
            anomalous_with_mask += int((has_mask & labels).sum())
            masked_normal += int((has_mask & ~labels).sum())
    return DatasetSummary(
        name=dataset.name,
        root=str(dataset.root),
        train_clips=len(dataset.train),
        test_clips=len(dataset.test),
        train_frames=sum(v.n_frames for v in dataset.train),
        test_frames=sum(v.n_frames for v in dataset.test),
        anomalous_frames=int(sum(int(np.sum(v.labels)) for v in dataset.test)),
        frame_shape=shape,
        clips_with_masks=with_masks,
        anomalous_frames_with_mask=anomalous_with_mask,
        masked_frames_labelled_normal=masked_normal,
    )


def background_change(video, quantile: float = 0.5) -> np.ndarray:
    """Mean |I_t − I_{t−1}| (in [0, 1] units) over the clip's most static pixels — those whose
    temporal standard deviation is below the ``quantile`` of all pixels — for t = 1 … T−1. On a
    truly static background this is sensor noise; a periodic peak is a property of the recording."""
    frames = np.asarray(video.frames, np.float32) / 255.0
    if frames.ndim == 4:
        frames = frames.mean(-1)
    spread = frames.std(axis=0)
    static = spread <= np.quantile(spread, quantile)
    return np.abs(np.diff(frames, axis=0))[:, static].mean(axis=1)


def periodic_excess(signal: np.ndarray, period: int) -> tuple[float, int]:
    """``(ratio, phase)``: how much larger ``signal`` is, on average, at samples ``phase``,
    ``phase + period``, … than at the others, for the phase where that ratio is largest
    (≈ 1 when nothing repeats with that period)."""
    signal = np.asarray(signal, np.float64)
    ratios = []
    for phase in range(period):
        on = np.zeros(len(signal), bool)
        on[phase::period] = True
        ratios.append(signal[on].mean() / signal[~on].mean())
    phase = int(np.argmax(ratios))
    return float(ratios[phase]), phase


def summarize_actions(data, from_source: bool = True, progress: bool = True) -> str:
    """``vadcore data check`` for a few-shot :class:`~vadcore.data.actions.ActionSet`: classes,
    clips and frames per split (reading every frame file once with ``from_source``, so an
    unreadable one is found), and the frame sizes met."""
    from PIL import Image

    lines = [f"dataset        {data.name}"]
    sizes: set[tuple[int, int]] = set()
    for split, clips in data.splits.items():
        lengths = [len(c) for c in clips]
        for clip in tqdm(clips, desc=f"checking {split}", unit="clip", disable=not progress or not from_source):
            if isinstance(clip.frames, np.ndarray):
                sizes.add(tuple(clip.frames.shape[1:3]))
                continue
            for path in clip.frames if from_source else clip.frames[:1]:
                try:
                    with Image.open(path) as image:
                        image.load()
                        sizes.add((image.height, image.width))
                except OSError as error:
                    raise DatasetError(path, f"unreadable frame ({error})") from error
        frames = f"{min(lengths)}–{max(lengths)} frames per clip" if lengths else "no clips"
        lines.append(f"{split:<15}{len(data.classes(split))} classes, {len(clips)} clips, {frames}")
    lines.append(f"frame sizes    {', '.join(f'{h}×{w}' for h, w in sorted(sizes)) or 'none'}")
    return "\n".join(lines)
