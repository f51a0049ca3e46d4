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

from vadcore.data.clips import ClipDataset, FrameBank, frames_to_tensor
from vadcore.data.pseudo import detection_auc, pseudo_anomalies
from vadcore.data.splits import validation_split
from vadcore.data.video import Video
from vadcore.engine import Engine, device_of
from vadcore.losses import intensity_loss
from vadcore.maps.attention import attention_map
from vadcore.methods.base import Trained
from vadcore.methods.evaluation import frame_evaluation
from vadcore.methods.family import eager_step, register, test_split as test_data, train_split as training_data
from vadcore.methods.loop import Session, fit
from vadcore.methods.reconstruction.config import MODELS, Config
from vadcore.methods.reconstruction.profiles import PROFILES, profile_config
from vadcore.models.conv_ae import ConvAE
from vadcore.models.st_autoencoder import SpatioTemporalAE

__all__ = ["CHANNELS", "Config", "INPUTS", "MODELS", "PROFILES", "PROFILE_KEYS", "bare_step", "build", "evaluate", "first_scored", "frame_error_map", "headline", "profile_config",
           "reconstruct_frame", "reconstruction_errors", "score", "scored_frames", "test_data", "train", "training_data"]
INPUTS, CHANNELS, PROFILE_KEYS = "frames", 1, ("model",)  # grey frames; a profile's settings per model


def build(config: Config, channels: int = CHANNELS) -> torch.nn.Module:
    """The autoencoder, untrained."""
    if config.model == "convlstm_ae":
        return SpatioTemporalAE(channels, config.width)
    if channels != 1:
        raise ValueError("Conv-AE stacks grayscale frames as channels: use gray=True")
    return ConvAE(config.window, config.width)


def first_scored(config: Config) -> int:
    """Every frame gets a score."""
    return 0


def scored_frames(config: Config, n_frames: int) -> np.ndarray:
    """The frames of a clip of ``n_frames`` frames that its scores belong to, in order."""
    return np.arange(first_scored(config), n_frames)


def headline(config: Config) -> str:
    """The reconstruction error e(t)."""
    return "error"


evaluate = frame_evaluation(scored_frames, headline)


def reconstruction_errors(model: torch.nn.Module, video: Video, window: int = 10, batch_size: int | None = None,
                          maps: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
    """Per-frame error e(t) = Σ (I − F_w(I))² averaged over the windows containing frame t;
    with ``maps=True`` also the per-pixel squared error, averaged the same way, ``(T, H, W)``."""
    errors, pixel = _frame_errors(model, video, window, batch_size, maps)
    return errors.cpu().numpy(), None if pixel is None else pixel.cpu().numpy()


@torch.inference_mode()
def _frame_errors(model: torch.nn.Module, video: Video, window: int = 10, batch_size: int | None = None,
                  maps: bool = False, engine: Engine | None = None, stride: int = 1
                  ) -> tuple[torch.Tensor, torch.Tensor | None]:
    """:func:`reconstruction_errors` as float64 tensors on the model's device, computed there
    from the clip's frames copied once, in the engine's precision; windows start every
    ``stride`` frames (and one ends on the last frame), so every frame is covered."""
    engine = engine or Engine(device_of(model))
    frames = frames_to_tensor(video.frames, (0.0, 1.0), engine.device)  # (T, C, H, W)
    n_frames = len(frames)
    if n_frames < window:
        raise ValueError(f"clip {video.name} has {n_frames} frames, fewer than the window of {window}")
    if not 1 <= stride <= window:
        raise ValueError(f"windows every {stride} frames leave frames of a {window}-frame window uncovered")
    windows = frames.unfold(0, window, 1).movedim(-1, 1)  # (T − window + 1, window, C, H, W), a view
    starts = torch.arange(0, n_frames - window + 1, stride, device=engine.device)
    if starts[-1] != n_frames - window:
        starts = torch.cat([starts, starts.new_tensor([n_frames - window])])
    totals = torch.zeros(n_frames, dtype=torch.float64, device=engine.device)
    counts = torch.zeros(n_frames, dtype=torch.float64, device=engine.device)
    pixel = torch.zeros(n_frames, *frames.shape[-2:], dtype=torch.float64, device=engine.device) if maps else None
    batch_size = batch_size or engine.inference_batch // 2
    offsets = torch.arange(window, device=engine.device)[None, :]
    for first in range(0, len(starts), batch_size):
        batch_starts = starts[first : first + batch_size]
        batch = windows[batch_starts] if stride > 1 else windows[first : first + batch_size]
        with engine.autocast():
            squared = (model(batch).float() - batch).pow(2).sum(dim=2)  # (b, window, H, W)
        index = (batch_starts[:, None] + offsets).flatten()
        totals.index_add_(0, index, squared.flatten(2).sum(-1).flatten().double())
        counts.index_add_(0, index, torch.ones(index.numel(), dtype=torch.float64, device=engine.device))
        if maps:
            pixel.index_add_(0, index, squared.flatten(0, 1).double())
    return totals / counts, None if pixel is None else pixel / counts[:, None, None]


@torch.inference_mode()
def frame_error_map(model: torch.nn.Module, video: Video, t: int, window: int = 10) -> np.ndarray:
    """The squared error of frame ``t`` per pixel, averaged over the windows that contain it:
    ``reconstruction_errors(..., maps=True)[1][t]`` without reconstructing the rest of the clip
    (for figures)."""
    if not 0 <= t < video.n_frames or video.n_frames < window:
        raise ValueError(f"frame {t} of clip {video.name} ({video.n_frames} frames, windows of {window})")
    first, last = max(0, t - window + 1), min(t, video.n_frames - window)  # the windows' first frames
    frames = frames_to_tensor(video.frames[first : last + window], (0.0, 1.0), device_of(model))
    windows = frames.unfold(0, window, 1).movedim(-1, 1)  # (n, window, C, H, W): every window holding t
    squared = (model(windows).float() - windows).pow(2).sum(dim=2)  # (n, window, H, W)
    n = len(windows)
    return squared[torch.arange(n), t - first - torch.arange(n)].double().mean(0).cpu().numpy()


@torch.inference_mode()
def reconstruct_frame(model: torch.nn.Module, video: Video, t: int, window: int = 10) -> np.ndarray:
    """The reconstruction of frame ``t`` from the first window that contains it, in [0, 1]
    ``(H, W[, C])`` (for figures; scores average over every window, :func:`reconstruction_errors`)."""
    start = max(0, min(t - window + 1, video.n_frames - window))
    clip = frames_to_tensor(video.frames[start : start + window], (0.0, 1.0), device_of(model))
    frame = model(clip[None])[0, t - start]
    return frame.permute(1, 2, 0).squeeze(-1).cpu().numpy()


def train(config: Config, videos: list[Video], run=None) -> Trained:
    """Train on normal clips (ADL Eq. 8's weighted loss with ``attention``), holding out
    ``config.validation_clips`` of them to measure the per-pixel reconstruction error of unseen
    normal frames every ``config.validate_every`` iterations (curves ``loss``, ``val_mse``) and,
    with two held-out clips or more, the detection AUC of pseudo-anomalies made from them
    (``val_pseudo_auc``: :func:`~vadcore.data.pseudo.detection_auc` of e(t), windows every 4th frame).
    Windows are drawn on the host and gathered from the clips' frames on the config's device."""

    def prepare(engine: Engine, sampler: torch.Generator) -> Session:
        train_clips, held_out = validation_split(videos, config.validation_clips)
        dataset = ClipDataset(train_clips, config.window, config.strides, value_range=(0.0, 1.0))
        bank = FrameBank(train_clips, engine.device)
        model = engine.module(build(config, 1 if train_clips[0].frames.ndim == 3 else 3))
        optimizer = engine.adam(model.parameters(), lr=config.lr, eps=config.eps)
        weight = None
        if config.attention is not None:
            values = attention_map(config.attention, train_clips, config.dataset, config.size, config.background)
            weight = torch.from_numpy(values).float().reshape(1, 1, 1, *values.shape).to(engine.device)

        def update(clip: torch.Tensor) -> dict[str, torch.Tensor]:
            with engine.autocast():
                reconstruction = model(clip).float()
            loss = intensity_loss(reconstruction, clip, weight)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            return {"loss": loss.detach()}

        runner = engine.runner(update)

        def step(_: int) -> dict[str, torch.Tensor]:
            clips, starts, strides = dataset.draw(config.batch_size, sampler)
            return runner(None, bank.windows(bank.rows(clips, starts, config.window, strides), (0.0, 1.0)))

        pseudo = pseudo_anomalies(held_out, config.seed)[0] if len(held_out) > 1 else []

        def validate() -> dict[str, float]:
            errors = torch.cat([_frame_errors(model, v, config.window, engine=engine, stride=config.score_stride)[0]
                                for v in held_out])
            values = {"mse": (errors.mean() / np.prod(config.size)).item()}
            if pseudo:
                errors = [_frame_errors(model, v, config.window, engine=engine, stride=max(4, config.score_stride))[0]
                          .cpu().numpy() for v in pseudo]
                values["pseudo_auc"] = detection_auc(errors, [np.asarray(v.labels) for v in pseudo])
            return values

        return Session(model, step, {"model": model, "optimizer": optimizer}, validate if held_out else None)

    return fit(config, run, prepare)


def score(config: Config, model: torch.nn.Module, videos: list[Video]) -> dict[str, list[np.ndarray]]:
    """Per-clip reconstruction errors e(t) of every frame (higher = more anomalous) over windows
    every ``config.score_stride`` frames, computed on the config's device and brought to the host
    once, at the end."""
    engine = Engine.of(config)
    model = model.to(engine.device)
    errors = [_frame_errors(model, v, config.window, engine=engine, stride=config.score_stride)[0] for v in videos]
    return {"error": [e.cpu().numpy() for e in errors]}


def bare_step(config: Config, engine: Engine):
    """One eager update of the autoencoder on a random window (the intensity loss)."""
    model = engine.module(build(config)).train()
    clip = torch.rand(config.batch_size, config.window, CHANNELS, *config.size, device=engine.device)

    def loss():
        with engine.autocast():
            return intensity_loss(model(clip).float(), clip)

    return eager_step(model, loss)


register(__name__)
