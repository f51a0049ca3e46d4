"""Reconstruction baselines (notebook 01; ADL Table IV in notebook 02): the ConvLSTM
spatio-temporal autoencoder of Chong & Tay (2017) as the ConvLSTM tutorial builds it, and the
Conv-AE of Hasan et al. (2016). Where are they trained? Here: :func:`train`.

Both reconstruct 10-frame windows in [0, 1]. Training samples windows with the tutorial's
temporal strides (1, 2, 3). Scoring slides a window over each test clip with stride 1; a frame's
error ``e(t) = Σ_{x,y} (I − F_w(I))²`` is averaged over the windows that contain it, so every
frame of a clip gets a score and none is dropped (the tutorial's per-sequence cost, made
per-frame).
"""
from __future__ import annotations

import numpy as np
import torch

from vadcore import maps
from vadcore.data.clips import ClipDataset, frames_to_tensor
from vadcore.data.splits import validation_split
from vadcore.data.video import Video
from vadcore.losses import intensity_loss
from vadcore.methods.base import Trained
from vadcore.methods.loop import train_loop
from vadcore.methods.reconstruction.config import MODELS, Config
from vadcore.methods.reconstruction.profiles import PROFILES, profile_config
from vadcore.models.conv_ae import ConvAE
from vadcore.models.st_autoencoder import SpatioTemporalAE

__all__ = ["Config", "MODELS", "PROFILES", "build", "first_scored", "profile_config", "reconstruct_frame",
           "reconstruction_errors", "score", "train"]


def build(config: Config, channels: int = 1) -> torch.nn.Module:
    """The autoencoder, untrained."""
    if config.model == "convlstm_ae":
        return SpatioTemporalAE(channels, config.width)
    if channels != 1:
        raise ValueError("Conv-AE stacks grayscale frames as channels: use gray=True")
    return ConvAE(config.window, config.width)


def first_scored(config: Config) -> int:
    """Every frame gets a score."""
    return 0


@torch.inference_mode()
def reconstruction_errors(
    model: torch.nn.Module, video: Video, window: int = 10, batch_size: int = 8, maps: bool = False,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Per-frame error e(t) = Σ (I − F_w(I))² averaged over the windows containing frame t;
    with ``maps=True`` also the per-pixel squared error, averaged the same way, ``(T, H, W)``."""
    frames = frames_to_tensor(video.frames, (0.0, 1.0))  # (T, C, H, W)
    n_frames = len(frames)
    if n_frames < window:
        raise ValueError(f"clip {video.name} has {n_frames} frames, fewer than the window of {window}")
    windows = frames.unfold(0, window, 1).movedim(-1, 1)  # (T − window + 1, window, C, H, W)
    totals = torch.zeros(n_frames, dtype=torch.float64)
    counts = torch.zeros(n_frames, dtype=torch.float64)
    pixel = torch.zeros(n_frames, *frames.shape[-2:], dtype=torch.float64) if maps else None
    for first in range(0, len(windows), batch_size):
        batch = windows[first : first + batch_size]
        squared = (model(batch) - batch).pow(2).sum(dim=2)  # (b, window, H, W)
        index = (torch.arange(len(batch))[:, None] + first + torch.arange(window)[None, :]).flatten()
        totals.index_add_(0, index, squared.flatten(2).sum(-1).flatten().double())
        counts.index_add_(0, index, torch.ones(index.numel(), dtype=torch.float64))
        if maps:
            pixel.index_add_(0, index, squared.flatten(0, 1).double())
    errors = (totals / counts).numpy()
    return errors, None if pixel is None else (pixel / counts[:, None, None]).numpy()


@torch.inference_mode()
def reconstruct_frame(model: torch.nn.Module, video: Video, t: int, window: int = 10) -> np.ndarray:
    """The reconstruction of frame ``t`` from the first window that contains it, in [0, 1]
    ``(H, W[, C])`` (for figures; scores average over every window, :func:`reconstruction_errors`)."""
    start = max(0, min(t - window + 1, video.n_frames - window))
    clip = frames_to_tensor(video.frames[start : start + window], (0.0, 1.0))
    frame = model(clip[None])[0, t - start]
    return frame.permute(1, 2, 0).squeeze(-1).numpy()


def train(config: Config, videos: list[Video], run=None) -> Trained:
    """Train on normal clips (ADL Eq. 8's weighted loss with ``attention``), holding out
    ``config.validation_clips`` of them to measure the per-pixel reconstruction error of unseen
    normal frames every ``config.validate_every`` iterations. Returns the model after the last
    iteration, its curves (``loss``, ``val_mse``) and the training seconds."""
    torch.manual_seed(config.seed)
    sampler = torch.Generator().manual_seed(config.seed)
    train_clips, held_out = validation_split(videos, config.validation_clips)
    dataset = ClipDataset(train_clips, config.window, config.strides, value_range=(0.0, 1.0))
    model = build(config, 1 if train_clips[0].frames.ndim == 3 else 3)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, eps=config.eps)
    weight = None
    if config.attention is not None:
        values = maps.load("attention").attention_map(config.attention, train_clips, config.dataset, config.size,
                                                      config.background)
        weight = torch.from_numpy(values).float().reshape(1, 1, 1, *values.shape)

    def step(_: int) -> dict[str, float]:
        indices = torch.randint(len(dataset), (config.batch_size,), generator=sampler)
        clip = torch.stack([dataset[int(i)] for i in indices])
        loss = intensity_loss(model(clip), clip, weight)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return {"loss": loss.item()}

    def validate() -> dict[str, float]:
        model.eval()
        errors = np.concatenate([reconstruction_errors(model, v, config.window)[0] / np.prod(config.size)
                                 for v in held_out])
        model.train()
        return {"mse": float(errors.mean())}

    model.train()
    curves, seconds = train_loop(run, step, {"model": model, "optimizer": optimizer}, sampler, config.iterations,
                                 desc=f"{config.model} seed {config.seed}", validate=validate if held_out else None,
                                 validate_every=config.validate_every)
    return Trained(model.eval(), curves, seconds)


def score(config: Config, model: torch.nn.Module, videos: list[Video]) -> dict[str, list[np.ndarray]]:
    """Per-clip reconstruction errors e(t) of every frame (higher = more anomalous)."""
    return {"error": [reconstruction_errors(model, v, config.window)[0] for v in videos]}
