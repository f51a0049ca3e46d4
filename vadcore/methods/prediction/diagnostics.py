"""Looking inside trained and training predictors (notebook 02): where the generator's gradient
comes from (:func:`gradient_shares`, "the loss balance") and where its error is
(:func:`error_map`).

The λ weights of ADL Eq. 12 were set for FlowNet's flow; with a substitute flow estimator the
terms can have gradients of very different sizes, and a term whose gradient dominates decides
what G learns whatever the others say. :func:`gradient_shares` measures, on training windows,
each λ-weighted term's share of the gradient of ℓ_G with respect to G's weights, and where in the
image each term pushes (its gradient with respect to the predicted frame on static pixels).
"""
from __future__ import annotations

import numpy as np
import torch

from vadcore.data.clips import frames_to_tensor
from vadcore.data.splits import validation_split
from vadcore.data.video import Video, VideoSet
from vadcore.engine import device_of
from vadcore.methods.prediction import loss_maps
from vadcore.methods.prediction.config import Config
from vadcore.methods.prediction.trainer import Trainer, Windows, apply_mask


@torch.inference_mode()
def error_map(model: torch.nn.Module, video: Video, t: int, frames: int = 4) -> np.ndarray:
    """Squared prediction error of frame ``t`` (≥ ``frames``) of a clip, per pixel, on [0, 1]
    images (channels averaged): ADL Fig. 8."""
    if not frames <= t < video.n_frames:
        raise ValueError(f"frame {t} of clip {video.name} has no prediction (frames {frames}–{video.n_frames - 1} do)")
    clip = apply_mask(frames_to_tensor(video.frames[t - frames : t + 1], device=device_of(model)),
                      getattr(model, "mask", None))
    prediction = model(clip[None, :frames])[0]
    return ((prediction - clip[frames]) / 2).pow(2).mean(0).cpu().numpy()


def gradient_shares(trainer: Trainer, clips: torch.Tensor, motion_threshold: float = 0.05) -> dict[str, dict]:
    """For each term k of ℓ_G on windows ``clips`` ``(B, t + 1, C, H, W)``:

    - ``value``: ℓ_k; ``weighted``: λ_k ℓ_k;
    - ``gradient_norm``: ‖g_k‖ with g_k = ∇_θ λ_k ℓ_k over G's weights θ;
    - ``share``: ⟨g_k, g⟩ / ‖g‖² with g = Σ_k g_k, the part of the update that term k makes (the
      shares sum to 1; a negative share opposes the total);
    - ``static_fraction``: the fraction of |∂ λ_k ℓ_k / ∂ Î| on pixels that do not move between
      the last input frame and the target (|ΔI| ≤ ``motion_threshold`` on [0, 1]).

    Nothing is updated; the discriminator is held fixed.
    """
    inputs, target = trainer.split(clips)
    moving = ((target - inputs[:, -1]).abs() / 2 > motion_threshold).expand_as(target)
    parameters = [p for p in trainer.generator.parameters() if p.requires_grad]
    prediction = trainer.generator(inputs).float()
    terms = trainer.generator_terms(inputs, target, prediction)
    rows, gradients = {}, {}
    for name, value in terms.items():
        weighted = getattr(trainer.config, name) * value
        *grads, pixel = torch.autograd.grad(weighted, parameters + [prediction], retain_graph=True, allow_unused=True)
        gradients[name] = torch.cat([(g if g is not None else torch.zeros_like(p)).flatten()
                                     for g, p in zip(grads, parameters)])
        pixel = pixel.abs() if pixel is not None else torch.zeros_like(prediction)
        total_pixel = pixel.sum().item()
        rows[name] = {"value": value.item(), "weighted": weighted.item(),
                      "gradient_norm": gradients[name].norm().item(),
                      "static_fraction": pixel[~moving].sum().item() / total_pixel if total_pixel else float("nan")}
    total = sum(gradients.values())
    for name in rows:
        rows[name]["share"] = (torch.dot(gradients[name], total) / total.pow(2).sum()).item()
    return rows


def run_gradient_shares(config: Config, data: VideoSet, model: torch.nn.Module | None = None,
                        batch_size: int = 16, seed: int = 0) -> dict[str, dict]:
    """:func:`gradient_shares` of ``config``'s loss on ``batch_size`` windows of its training
    clips (sampled with ``seed``), for the trained ``model`` (a :class:`Predictor`) or, without
    one, for G at initialisation."""
    torch.manual_seed(config.seed)
    kept = validation_split(data.train, config.validation_clips)[0]
    weight, mask = loss_maps(config, kept)
    trainer = Trainer(config, 1 if data.gray else 3, weight, mask)
    if model is not None:
        trainer.model.load_state_dict(model.state_dict())
    clips, _ = Windows(kept, config.frames, trainer.device).sample(batch_size, torch.Generator().manual_seed(seed))
    return gradient_shares(trainer, clips)
