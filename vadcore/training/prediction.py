"""Training and scoring of the frame-prediction models (AnoPred, Liu et al. 2018, and the
attention-driven loss of ADL, Zhou et al.; notebook 02).

The generator G (U-Net) predicts frame t+1 from frames 1…t in [−1, 1]. Its loss is ADL Eq. 12,

    ℓ_G = λ_int ℓ_(a)cl + λ_gd ℓ_(a)gd + λ_of ℓ_of + λ_adv ℓ_adv^G,

where the content and gradient terms are weighted by an attention map A (Eqs. 8–10) when the
config asks for one, and the patch discriminator D is trained in alternation with Eq. 13.
A frame's score is the PSNR of its prediction (Eq. 15); the first t frames of every test clip
have none and are dropped (DESIGN §4).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from vadcore import metrics
from vadcore.attention import human_attention, learned_attention, roi_mask
from vadcore.data.clips import ClipDataset, frames_to_tensor
from vadcore.data.video import Video
from vadcore.flow import LucasKanade, flow_loss
from vadcore.foreground import foreground_masks
from vadcore.losses import (adversarial_discriminator_loss, adversarial_generator_loss, gradient_loss,
                            intensity_loss)
from vadcore.models import PatchDiscriminator, UNet
from vadcore.runs import Run, RunCache, RunResult
from vadcore.training.loop import train_loop

ATTENTIONS = (None, "learned", "human")
ATTENDED = ("intensity", "gradient")


@dataclass(frozen=True)
class PredictionConfig:
    """Everything that defines a prediction run (its hash names the run). Defaults: AnoPred/ADL
    on Ped2 — 4 input frames, batch 4, λ = 1, 1, 2, 0.05, Adam with G 1e-4 and D 1e-5, both ÷10
    after ``decay_at`` iterations (AnoPred's Ped2 schedule)."""

    dataset: str = "synthped"
    size: tuple[int, int] = (256, 256)
    gray: bool = True
    frames: int = 4  # t input frames
    width: int = 64  # U-Net channels at the top level (AnoPred: 64 … 512)
    depth: int = 4
    discriminator: tuple[int, ...] = (128, 256, 512, 512)
    iterations: int = 80_000
    decay_at: int | None = 7_000
    batch_size: int = 4
    lr_generator: float = 1e-4
    lr_discriminator: float = 1e-5
    intensity: float = 1.0  # λ_acl (λ_int)
    gradient: float = 1.0  # λ_agd (λ_gd)
    flow: float = 2.0  # λ_of
    adversarial: float = 0.05  # λ_adv
    attention: str | None = None  # None (AnoPred), "learned" (ADL Eq. 7) or "human" (Eq. 1)
    attend: tuple[str, ...] = ATTENDED  # the terms the attention map weights
    background: float = 0.1  # B of Eqs. 1 and 7
    flow_estimator: str = "lucas-kanade"  # a name for the estimator passed to training (DESIGN §6)
    seed: int = 0

    def __post_init__(self):
        if self.attention not in ATTENTIONS:
            raise ValueError(f"unknown attention {self.attention!r}; choose one of {ATTENTIONS}")
        if not set(self.attend) <= set(ATTENDED):
            raise ValueError(f"attend must be a subset of {ATTENDED}, got {self.attend}")


def attention_map(config: PredictionConfig, train: list[Video]) -> torch.Tensor | None:
    """The config's attention map ``(H, W)`` computed from the training clips, or ``None``."""
    if config.attention is None:
        return None
    if config.attention == "learned":
        values = learned_attention(train, config.background)
    else:
        values = human_attention(roi_mask(config.dataset, config.size), config.background)
    return torch.from_numpy(values).float()


def build_generator(config: PredictionConfig, channels: int = 1) -> UNet:
    return UNet(config.frames, channels, config.width, config.depth)


class _Windows:
    """Training windows of t+1 frames with the moving-object mask of their last frame (Fig. 9)."""

    def __init__(self, videos: list[Video], frames: int):
        self.clips = ClipDataset(videos, frames + 1)
        self.foreground = [torch.from_numpy(np.array(foreground_masks(v))) for v in videos]

    def sample(self, batch_size: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        indices = torch.randint(len(self.clips), (batch_size,), generator=generator).tolist()
        clips = torch.stack([self.clips[i] for i in indices])
        masks = torch.stack([self.foreground[self.clips.windows[i][0]][self.clips.frame_indices(i)[-1]] for i in indices])
        return clips, masks.unsqueeze(1)


def _region_mse(prediction: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> tuple[float, float]:
    """Mean squared error (images in [0, 1]) over foreground and over background pixels."""
    squared = ((prediction - target) / 2).pow(2).mean(1, keepdim=True)
    fg = mask.expand_as(squared)
    return squared[fg].mean().item() if fg.any() else float("nan"), squared[~fg].mean().item()


class PredictionTrainer:
    """G, D, their optimizers and one alternating training step (ADL Eqs. 8–13), on any device.

    ``amp`` runs the forward passes in bfloat16 autocast and ``channels_last`` stores the
    networks' tensors NHWC — both for GPUs (``vadcore bench`` measures them); the CPU runs of the
    notebooks use neither.
    """

    def __init__(self, config: PredictionConfig, channels: int = 1, attention: torch.Tensor | None = None,
                 flow_estimator: torch.nn.Module | None = None, device: str | torch.device = "cpu",
                 amp: bool = False, channels_last: bool = False):
        self.config, self.device, self.amp = config, torch.device(device), amp
        self.memory_format = torch.channels_last if channels_last else torch.contiguous_format
        self.generator = build_generator(config, channels).to(self.device, memory_format=self.memory_format)
        self.optimizer_g = torch.optim.Adam(self.generator.parameters(), lr=config.lr_generator)
        self.stateful: dict[str, object] = {"generator": self.generator, "optimizer_generator": self.optimizer_g}
        self.discriminator = None
        if config.adversarial > 0:
            self.discriminator = PatchDiscriminator(channels, config.discriminator).to(self.device, memory_format=self.memory_format)
            self.optimizer_d = torch.optim.Adam(self.discriminator.parameters(), lr=config.lr_discriminator)
            self.stateful.update(discriminator=self.discriminator, optimizer_discriminator=self.optimizer_d)
        self.schedulers = []
        if config.decay_at is not None:
            optimizers = [o for k, o in self.stateful.items() if k.startswith("optimizer")]
            self.schedulers = [torch.optim.lr_scheduler.MultiStepLR(o, [config.decay_at], 0.1) for o in optimizers]
            self.stateful.update({f"scheduler_{i}": s for i, s in enumerate(self.schedulers)})
        self.estimator = flow_estimator or LucasKanade()
        weight = None if attention is None else attention.reshape(1, 1, *attention.shape[-2:]).to(self.device)
        self.content_weight = weight if "intensity" in config.attend else None
        self.gradient_weight = weight if "gradient" in config.attend else None

    def _autocast(self):
        return torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.amp)

    def step(self, clips: torch.Tensor, foreground: torch.Tensor | None = None) -> dict[str, float]:
        """One update of G, then of D, on windows ``(B, t + 1, C, H, W)``; returns each loss
        term and, given the last frames' foreground masks, the prediction's MSE over the
        foreground and the background."""
        config = self.config
        clips = clips.to(self.device, non_blocking=True)
        inputs, target = clips[:, :-1], clips[:, -1].contiguous(memory_format=self.memory_format)
        with self._autocast():
            prediction = self.generator(inputs).float()
            terms = {"intensity": intensity_loss(prediction, target, self.content_weight)}
            if config.gradient > 0:
                terms["gradient"] = gradient_loss(prediction, target, self.gradient_weight)
            if config.flow > 0:
                terms["flow"] = flow_loss(prediction, target, inputs[:, -1], self.estimator)
            if self.discriminator is not None:
                terms["adversarial"] = adversarial_generator_loss(self.discriminator(prediction).float())
            total = sum(getattr(config, name) * value for name, value in terms.items())
        self.optimizer_g.zero_grad(set_to_none=True)
        total.backward()
        self.optimizer_g.step()
        logged = {name: value.item() for name, value in terms.items()}
        if self.discriminator is not None:
            with self._autocast():
                loss_d = adversarial_discriminator_loss(self.discriminator(target).float(),
                                                        self.discriminator(prediction.detach()).float())
            self.optimizer_d.zero_grad(set_to_none=True)
            loss_d.backward()
            self.optimizer_d.step()
            logged["discriminator"] = loss_d.item()
        for scheduler in self.schedulers:
            scheduler.step()
        if foreground is not None:
            logged["mse_foreground"], logged["mse_background"] = _region_mse(
                prediction.detach(), target, foreground.to(self.device))
        return logged


def train_prediction(
    config: PredictionConfig, videos: list[Video], attention: torch.Tensor | None = None,
    run: Run | None = None, flow_estimator: torch.nn.Module | None = None, device: str | torch.device = "cpu",
) -> tuple[UNet, dict[str, np.ndarray], float]:
    """Alternating G/D training on normal clips. Returns G after the last iteration, the loss
    curves (each term, plus foreground/background MSE of the predictions: ADL Fig. 9) and the
    training seconds."""
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    windows = _Windows(videos, config.frames)
    trainer = PredictionTrainer(config, windows.clips[0].shape[1], attention, flow_estimator, device)
    trainer.generator.train()
    curves, seconds = train_loop(run, lambda _: trainer.step(*windows.sample(config.batch_size, generator)),
                                 trainer.stateful, generator, config.iterations, desc=f"prediction seed {config.seed}")
    return trainer.generator.eval(), curves, seconds


@torch.inference_mode()
def predict_video(model: UNet, video: Video, frames: int = 4, batch_size: int = 16) -> tuple[torch.Tensor, torch.Tensor]:
    """Predictions of frames t+1 … T of a clip and those frames, both ``(T − t, C, H, W)`` in
    [−1, 1], computed in batches of windows (no per-frame loop)."""
    clip = frames_to_tensor(video.frames)
    if len(clip) <= frames:
        raise ValueError(f"clip {video.name} has {len(clip)} frames; prediction needs more than {frames}")
    device = next(model.parameters()).device
    windows = clip.unfold(0, frames, 1).movedim(-1, 1)[:-1]  # (T − t, t, C, H, W)
    predictions = torch.cat([model(windows[i : i + batch_size].to(device)).cpu()
                             for i in range(0, len(windows), batch_size)])
    return predictions, clip[frames:]


def prediction_psnr(model: UNet, video: Video, frames: int = 4, foreground: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Per-frame PSNR of the predictions (images scaled to [0, 1], peak 1), frames t+1 … T;
    given the clip's foreground masks ``(T, H, W)``, also the PSNR over the foreground and over
    the background (ADL Fig. 7)."""
    predictions, targets = predict_video(model, video, frames)
    predictions, targets = (predictions + 1) / 2, (targets + 1) / 2
    scores = {"psnr": metrics.psnr(predictions, targets)}
    if foreground is not None:
        region = torch.from_numpy(np.array(foreground[frames:], bool)).unsqueeze(1)
        scores["psnr_foreground"] = metrics.region_psnr(predictions, targets, region)
        scores["psnr_background"] = metrics.region_psnr(predictions, targets, ~region)
    return {k: np.asarray(v, np.float64) for k, v in scores.items()}


def run_prediction(config: PredictionConfig, run: Run, train: list[Video], test: list[Video]) -> RunResult:
    """Train, score every test clip and evaluate (the body of a cached run). The scoring time
    (frames/s) covers prediction and PSNR, not the foreground masks of Fig. 7."""
    attention = attention_map(config, train)
    model, curves, train_seconds = train_prediction(config, train, attention, run)
    foregrounds = [foreground_masks(v) for v in test]
    tick = time.perf_counter()
    per_video = [prediction_psnr(model, v, config.frames, f) for v, f in zip(test, foregrounds)]
    score_seconds = time.perf_counter() - tick
    labels = metrics.drop_first([v.labels for v in test], config.frames)
    result = metrics.frame_metrics([s["psnr"] for s in per_video], labels, higher_is_normal=True)
    n_scored = sum(len(s["psnr"]) for s in per_video)
    return RunResult(
        scores={name: [s[name] for s in per_video] for name in per_video[0]},
        metrics=result.as_dict(),
        timings={"train_s": train_seconds, "score_s": score_seconds,
                 "train_steps_per_s": config.iterations / max(train_seconds, 1e-9),
                 "score_fps": n_scored / max(score_seconds, 1e-9)},
        curves=curves,
    )


def load_generator(config: PredictionConfig, run: Run, channels: int = 1) -> UNet:
    """The trained generator of a finished run, from its last checkpoint."""
    model = build_generator(config, channels)
    model.load_state_dict(run.load_checkpoint()["state"]["generator"])
    return model.eval()


def cached_prediction(config: PredictionConfig, train: list[Video], test: list[Video],
                      cache: RunCache | None = None) -> RunResult:
    """The result of ``config`` from the run cache, trained and scored first if needed."""
    cache = cache or RunCache()
    return cache.get_or_compute(config, lambda run: run_prediction(config, run, train, test))


# Per-profile settings (DESIGN §5). `full` is AnoPred's Ped2 setting; `cpu` and `smoke` shrink the
# frames, the channel counts and the schedule (stated in notebook 02's Deviations cell).
PROFILE_SETTINGS = {
    # 200 steps only: a 20× larger learning rate than the paper's (G:D kept at 10:1) reaches a
    # lower training loss in that budget; D has half the paper's width ratio, for speed
    "smoke": {"size": (48, 72), "seeds": [0],
              "config": {"width": 16, "discriminator": (16, 32, 64, 64), "iterations": 200, "decay_at": None,
                         "lr_generator": 2e-3, "lr_discriminator": 2e-4}},
    # measured on 2 cores: ≈ 0.33 s per step of G and D at 96×96 with width 32
    "cpu": {"size": (96, 96), "seeds": [0, 1, 2],
            "config": {"width": 32, "discriminator": (64, 128, 256, 256), "iterations": 1000, "decay_at": None}},
    "full": {"size": (256, 256), "seeds": [0, 1, 2], "config": {}},
}


def profile_config(profile: str, dataset: str, seed: int, **overrides) -> PredictionConfig:
    """The config a profile trains with (``overrides``: a table row's losses and attention)."""
    settings = PROFILE_SETTINGS[profile]
    return PredictionConfig(**{"dataset": dataset, "size": settings["size"], "seed": seed,
                               **settings["config"], **overrides})
