"""Training and scoring of the reconstruction baselines (notebook 01; ADL Table IV in notebook 02):
the ConvLSTM spatio-temporal autoencoder (tutorial) and Hasan et al.'s Conv-AE.

Both reconstruct 10-frame windows in [0, 1]. Training samples windows with the tutorial's
temporal strides (1, 2, 3). Scoring slides a window over each test clip with stride 1; a frame's
error ``e(t) = Σ_{x,y} (I − F_w(I))²`` is averaged over the windows that contain it, so every
frame of a clip gets a score and none is dropped.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from vadcore import metrics
from vadcore.data.clips import ClipDataset, frames_to_tensor
from vadcore.data.video import Video
from vadcore.losses import intensity_loss
from vadcore.models import ConvAE, SpatioTemporalAE
from vadcore.runs import Run, RunCache, RunResult
from vadcore.training.loop import sample_batch, train_loop

MODELS = ("convlstm_ae", "conv_ae")


@dataclass(frozen=True)
class ReconstructionConfig:
    """Everything that defines a reconstruction run (its hash names the run)."""

    model: str = "convlstm_ae"  # "convlstm_ae" (Chong & Tay, tutorial) or "conv_ae" (Hasan et al.)
    dataset: str = "synthped"
    size: tuple[int, int] = (64, 64)
    window: int = 10
    strides: tuple[int, ...] = (1, 2, 3)
    width: float = 1.0
    iterations: int = 600
    batch_size: int = 4
    lr: float = 1e-4  # tutorial: Adam lr 1e-4, eps 1e-6
    eps: float = 1e-6
    attention: str | None = None  # None, or "dynamic" (ADL Eqs. 6–7) — see vadcore.attention
    background: float = 0.1  # ADL's B when attention is used
    seed: int = 0

    def __post_init__(self):
        if self.model not in MODELS:
            raise ValueError(f"unknown model {self.model!r}; choose one of {', '.join(MODELS)}")


def build_model(config: ReconstructionConfig, channels: int = 1) -> torch.nn.Module:
    if config.model == "convlstm_ae":
        return SpatioTemporalAE(channels, config.width)
    if channels != 1:
        raise ValueError("Conv-AE stacks grayscale frames as channels: use gray=True")
    return ConvAE(config.window, config.width)


def train_reconstruction(
    config: ReconstructionConfig, videos: list[Video], attention: torch.Tensor | None = None,
    run: Run | None = None,
) -> tuple[torch.nn.Module, dict[str, np.ndarray], float]:
    """Train on normal clips; ``attention`` (H, W) weights the loss (ADL Eq. 8) when given.
    Returns the model after the last iteration, its loss curves and the training seconds."""
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    dataset = ClipDataset(videos, config.window, config.strides, value_range=(0.0, 1.0))
    model = build_model(config)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, eps=config.eps)
    weight = None if attention is None else attention.reshape(1, 1, 1, *attention.shape[-2:])

    def step(_: int) -> dict[str, float]:
        clip = sample_batch(dataset, config.batch_size, generator)
        loss = intensity_loss(model(clip), clip, weight)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return {"loss": loss.item()}

    model.train()
    curves, seconds = train_loop(run, step, {"model": model, "optimizer": optimizer}, generator,
                                 config.iterations, desc=f"{config.model} seed {config.seed}")
    return model.eval(), curves, seconds


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


def score_reconstruction(model: torch.nn.Module, videos: list[Video], window: int = 10) -> list[np.ndarray]:
    return [reconstruction_errors(model, v, window)[0] for v in videos]


def run_reconstruction(config: ReconstructionConfig, run: Run, train: list[Video], test: list[Video],
                       attention: torch.Tensor | None = None) -> RunResult:
    """Train, score every test frame and evaluate (the body of a cached run)."""
    model, curves, train_seconds = train_reconstruction(config, train, attention, run)
    tick = time.perf_counter()
    errors = score_reconstruction(model, test, config.window)
    score_seconds = time.perf_counter() - tick
    result = metrics.frame_metrics(errors, [v.labels for v in test])
    n_frames = sum(v.n_frames for v in test)
    return RunResult(
        scores={"error": errors},
        metrics=result.as_dict(),
        timings={"train_s": train_seconds, "score_s": score_seconds,
                 "train_steps_per_s": config.iterations / max(train_seconds, 1e-9),
                 "score_fps": n_frames / max(score_seconds, 1e-9)},
        curves=curves,
    )


def load_model(config: ReconstructionConfig, run: Run) -> torch.nn.Module:
    """The trained model of a finished run, from its last checkpoint."""
    model = build_model(config)
    model.load_state_dict(run.load_checkpoint()["state"]["model"])
    return model.eval()


# Per-profile settings (DESIGN §5). The tutorial trains at 256×256 with full widths; on a 2-core
# CPU we shrink the frames and the channel counts (stated in notebook 01's Deviations cell).
PROFILE_SETTINGS = {
    "smoke": {"size": (48, 64), "seeds": [0],
              "convlstm_ae": {"width": 0.25, "iterations": 200}, "conv_ae": {"width": 0.25, "iterations": 400}},
    # measured on 2 cores at 96×96: ConvLSTM-AE ≈ 0.65 s, Conv-AE ≈ 0.1 s per batch of 4
    "cpu": {"size": (96, 96), "seeds": [0, 1, 2],
            "convlstm_ae": {"width": 0.25, "iterations": 500}, "conv_ae": {"width": 0.5, "iterations": 1000}},
    "full": {"size": (256, 256), "seeds": [0, 1, 2],
             # the tutorial's three epochs of Ped2 clips (strides 1–3) ≈ 600 batches of 4
             "convlstm_ae": {"width": 1.0, "iterations": 600}, "conv_ae": {"width": 1.0, "iterations": 5000}},
}


def profile_config(profile: str, model: str, dataset: str, seed: int, **overrides) -> ReconstructionConfig:
    """The config a profile trains ``model`` with (``overrides``: e.g. ``attention="dynamic"``)."""
    settings = PROFILE_SETTINGS[profile]
    return ReconstructionConfig(model=model, dataset=dataset, size=settings["size"], seed=seed,
                                **settings[model], **overrides)


def cached_reconstruction(config: ReconstructionConfig, train: list[Video], test: list[Video],
                          attention: torch.Tensor | None = None, cache: RunCache | None = None) -> RunResult:
    """The result of ``config`` from the run cache, trained and scored first if needed."""
    cache = cache or RunCache()
    return cache.get_or_compute(config, lambda run: run_reconstruction(config, run, train, test, attention))
