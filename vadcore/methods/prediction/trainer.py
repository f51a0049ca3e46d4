"""One training step of AnoPred-style frame prediction: the patch discriminator D, then the U-Net
generator G (ADL Eqs. 8–13; SEUNet Eqs. 4–8), in the order of AnoPred's code.

The generator G predicts frame t+1 from frames 1…t in [−1, 1]. Its loss is ADL Eq. 12,

    ℓ_G = λ_int ℓ_(a)cl + λ_gd ℓ_(a)gd + λ_of ℓ_of + λ_adv ℓ_adv^G,

where the content and gradient terms are weighted by a map A (the attention of ADL Eqs. 8–10, or
the saliency mask of SEUNet Eqs. 4–5) when the config names one.
Notebooks 02–03; ``vadcore bench`` times this step.
"""
from __future__ import annotations

import torch

from vadcore.data.clips import FrameBank, draw_clip_first
from vadcore.data.video import Video
from vadcore.engine import Engine
from vadcore.flow import LucasKanade, compile_problem, flow_loss
from vadcore.losses import (adversarial_discriminator_loss, adversarial_generator_loss, gradient_loss,
                            intensity_loss)
from vadcore.maps.foreground import foreground_masks
from vadcore.methods.prediction.config import Config
from vadcore.models.patchgan import PatchDiscriminator
from vadcore.models.unet import UNet

LOSS_TERMS = ("intensity", "gradient", "flow", "adversarial")


class Predictor(torch.nn.Module):
    """The generator G together with the frame mask it was trained with (SEUNet; ``None`` for
    AnoPred and ADL), so that a trained model scores test frames the way it saw training frames."""

    def __init__(self, generator: UNet, mask: torch.Tensor | None = None):
        super().__init__()
        self.generator = generator
        self.register_buffer("mask", mask)

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        """``(B, t, C, H, W)`` input frames (already masked) → ``(B, C, H, W)`` next frame."""
        return self.generator(frames)


def build_predictor(config: Config, channels: int = 1, mask: torch.Tensor | None = None) -> Predictor:
    """An untrained :class:`Predictor`; with a SEUNet mask config and no mask given, a placeholder
    mask of the working size that loading a checkpoint overwrites."""
    if mask is None and config.mask is not None:
        mask = torch.ones(1, 1, *config.size)
    return Predictor(UNet(config.frames, channels, config.width, config.depth), mask)


def apply_mask(clips: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """SEUNet Eq. 3, O_t · M, on frames in [−1, 1]: masked-out pixels become black (−1)."""
    return clips if mask is None else (clips + 1) * mask - 1


class Windows:
    """Training windows of t + 1 frames, sampled as AnoPred's loader does (a clip uniformly at
    random, then a start frame uniformly within it: :func:`~vadcore.data.clips.draw_clip_first`),
    gathered on ``device`` from the clips' frames held there (:class:`~vadcore.data.clips.FrameBank`);
    each window comes with the moving-object mask of its last frame (ADL Fig. 9)."""

    def __init__(self, videos: list[Video], frames: int, device: str | torch.device = "cpu"):
        too_short = [v.name for v in videos if v.n_frames <= frames]
        if too_short:
            raise ValueError(f"clips {too_short} have at most {frames} frames; prediction needs more")
        self.length = frames + 1
        self.bank = FrameBank(videos, device, foreground=[foreground_masks(v) for v in videos])

    def sample(self, batch_size: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """``(windows (B, t + 1, C, H, W) in [−1, 1], last frames' foreground (B, 1, H, W))``."""
        rows = self.bank.rows(*draw_clip_first(self.bank.lengths, self.length, batch_size, generator), self.length)
        return self.bank.windows(rows), self.bank.foreground[rows[:, -1]]


def region_mse(prediction: torch.Tensor, target: torch.Tensor, region: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean squared error (images in [0, 1]) over the region's pixels and over the others, as
    0-d tensors (NaN for an empty region), without waiting for the device."""
    squared = ((prediction - target) / 2).pow(2).mean(1, keepdim=True)
    inside = region.expand_as(squared).to(squared.dtype)

    def mean(weights: torch.Tensor) -> torch.Tensor:
        count = weights.sum()
        return torch.where(count > 0, (squared * weights).sum() / count.clamp_min(1), torch.full_like(count, float("nan")))

    return mean(inside), mean(1 - inside)


class Trainer:
    """G, D, their optimizers and one training step, on the engine's device.

    ``weight`` is the loss weight map ``(H, W)`` (attention or saliency mask) and ``mask`` the
    SEUNet mask applied to every training frame (kept in ``model``, the :class:`Predictor`).
    ``engine`` (default: the config's, :meth:`vadcore.engine.Engine.of`) sets the device, the
    precision (bfloat16 autocast of the forward passes), the memory format, a compiled flow term
    and the CUDA-graph replay of :meth:`update`. ``flow_estimator`` replaces the config's
    Lucas–Kanade with any module ``(first, second) → (B, 2, H, W)``.
    """

    def __init__(self, config: Config, channels: int = 1, weight: torch.Tensor | None = None,
                 mask: torch.Tensor | None = None, flow_estimator: torch.nn.Module | None = None,
                 engine: Engine | None = None):
        self.config = config
        self.engine = engine or Engine.of(config)
        self.device = self.engine.device
        as_map = lambda m: None if m is None else m.reshape(1, 1, *m.shape[-2:]).to(self.device)  # noqa: E731
        self.model = self.engine.module(build_predictor(config, channels, as_map(mask)))
        self.generator, self.mask = self.model.generator, self.model.mask
        self.optimizer_g = self.engine.adam(self.generator.parameters(), lr=config.lr_generator)
        self.stateful: dict[str, object] = {"model": self.model, "optimizer_generator": self.optimizer_g}
        self.discriminator = None
        if config.adversarial > 0:
            self.discriminator = self.engine.module(PatchDiscriminator(channels, config.discriminator))
            self.optimizer_d = self.engine.adam(self.discriminator.parameters(), lr=config.lr_discriminator)
            self.stateful.update(discriminator=self.discriminator, optimizer_discriminator=self.optimizer_d)
        self.schedulers = []
        if config.decay_at is not None:
            optimizers = [o for k, o in self.stateful.items() if k.startswith("optimizer")]
            self.schedulers = [torch.optim.lr_scheduler.MultiStepLR(o, [config.decay_at], 0.1) for o in optimizers]
            self.stateful.update({f"scheduler_{i}": s for i, s in enumerate(self.schedulers)})
        compiled = self.engine.compile and flow_estimator is None and config.flow > 0
        if compiled and compile_problem(str(self.device)):
            compiled = False
            self.engine.notes.append(f"the flow term runs eagerly: torch.compile failed ({compile_problem(str(self.device))})")
        self.estimator = flow_estimator or LucasKanade(config.lk_levels, config.lk_window, config.lk_iterations,
                                                       config.lk_ridge, compiled=compiled)
        weight = as_map(weight)
        self.weights = {term: weight if term in config.attend else None for term in ("intensity", "gradient")}
        self.runner = self.engine.runner(self.update)

    def generator_terms(self, inputs: torch.Tensor, target: torch.Tensor, prediction: torch.Tensor) -> dict:
        """Each term of ADL Eq. 12 that the config weights by a non-zero λ (unweighted)."""
        config = self.config
        terms = {"intensity": intensity_loss(prediction, target, self.weights["intensity"])}
        if config.gradient > 0:
            terms["gradient"] = gradient_loss(prediction, target, self.weights["gradient"])
        if config.flow > 0:
            terms["flow"] = flow_loss(prediction, target, inputs[:, -1], self.estimator)
        if self.discriminator is not None:
            terms["adversarial"] = adversarial_generator_loss(self.discriminator(prediction).float())
        return terms

    def generator_loss(self, terms: dict) -> torch.Tensor:
        """ℓ_G = Σ λ_k ℓ_k (ADL Eq. 12)."""
        return sum(getattr(self.config, name) * value for name, value in terms.items())

    def split(self, clips: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(inputs, target)`` of windows ``(B, t + 1, C, H, W)``, masked (SEUNet) if configured."""
        clips = apply_mask(clips.to(self.device, non_blocking=True), self.mask)
        return clips[:, :-1], clips[:, -1].contiguous(memory_format=self.engine.memory_format)

    def update(self, clips: torch.Tensor, foreground: torch.Tensor) -> dict[str, torch.Tensor]:
        """One update of D, then of G (AnoPred's order), on windows ``(B, t + 1, C, H, W)`` with
        their last frames' foreground masks ``(B, 1, H, W)``: every loss term and the prediction's
        MSE over the foreground and the background, as 0-d tensors. Nothing here waits for the
        device, so :class:`~vadcore.engine.StepRunner` can capture it as a CUDA graph."""
        inputs, target = self.split(clips)
        with self.engine.autocast():
            prediction = self.generator(inputs).float()
        logged = {}
        if self.discriminator is not None:
            with self.engine.autocast():
                loss_d = adversarial_discriminator_loss(self.discriminator(target).float(),
                                                        self.discriminator(prediction.detach()).float())
            self.optimizer_d.zero_grad(set_to_none=True)
            loss_d.backward()
            self.optimizer_d.step()
            logged["discriminator"] = loss_d.detach()
        with self.engine.autocast():
            terms = self.generator_terms(inputs, target, prediction)
            total = self.generator_loss(terms)
        self.optimizer_g.zero_grad(set_to_none=True)
        total.backward()
        self.optimizer_g.step()
        logged.update({name: value.detach() for name, value in terms.items()})
        logged["mse_foreground"], logged["mse_background"] = region_mse(prediction.detach(), target,
                                                                         foreground.to(self.device))
        return logged

    def train_step(self, i: int, clips: torch.Tensor, foreground: torch.Tensor) -> dict[str, torch.Tensor]:
        """Step ``i`` of training: :meth:`update` (replayed as a CUDA graph where the engine uses
        them; a captured step holds its learning rates, so a change of rate starts a new graph),
        then the schedulers."""
        rates = tuple(group["lr"] for key, o in self.stateful.items() if key.startswith("optimizer")
                      for group in o.param_groups)
        logged = self.runner(rates, clips, foreground)
        for scheduler in self.schedulers:
            scheduler.step()
        return logged

    def step(self, clips: torch.Tensor, foreground: torch.Tensor | None = None) -> dict[str, float]:
        """One eager update (:meth:`update`, then the schedulers) with its losses as numbers; without
        ``foreground`` the foreground/background MSE are left out (tests, diagnostics)."""
        region = foreground if foreground is not None else torch.zeros(len(clips), 1, *clips.shape[-2:], dtype=torch.bool)
        logged = self.update(clips, region)
        for scheduler in self.schedulers:
            scheduler.step()
        if foreground is None:
            logged = {k: v for k, v in logged.items() if not k.startswith("mse_")}
        return {name: value.item() for name, value in logged.items()}
