"""Losses of the reconstruction and prediction models (notebooks 01–03).

- Intensity (content) loss, optionally attention-weighted: ADL Eq. 8 (ℓ_cl without, ℓ_acl with A);
  the masked intensity loss of SEUNet Eq. 4 is the same with the saliency mask as A.
- Gradient difference loss, optionally attention-weighted: ADL Eqs. 9–10 (ℓ_gd / ℓ_agd); SEUNet
  Eq. 5.
- Least-squares adversarial losses for G and D: ADL Eqs. 11 and 13, SEUNet Eqs. 6 and 8, in the
  form of AnoPred's code (Liu et al. 2018), which both papers build on: the patch discriminator's
  scores go through a sigmoid, and both terms carry the factor ½ (ADL's Eq. 11 omits it for G).

Sums in the papers are taken as means over pixels and samples (a constant factor that the λ
weights absorb, as in AnoPred's code).
"""
from __future__ import annotations

import torch


def _weighted(error: torch.Tensor, attention: torch.Tensor | None) -> torch.Tensor:
    return error if attention is None else attention * error


def intensity_loss(prediction: torch.Tensor, target: torch.Tensor, attention: torch.Tensor | None = None) -> torch.Tensor:
    """ℓ_cl = mean (Î − I)², or the attention-driven content loss of ADL Eq. 8
    ℓ_acl = mean (A ∘ (Î − I))² with a per-pixel attention map A broadcast over the batch."""
    return _weighted(prediction - target, attention).pow(2).mean()


def image_gradients(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """|x_{i,j} − x_{i−1,j}| and |x_{i,j} − x_{i,j−1}|, zero-padded back to the input size."""
    dy = torch.nn.functional.pad((x[..., 1:, :] - x[..., :-1, :]).abs(), (0, 0, 1, 0))
    dx = torch.nn.functional.pad((x[..., :, 1:] - x[..., :, :-1]).abs(), (1, 0, 0, 0))
    return dy, dx


def gradient_loss(prediction: torch.Tensor, target: torch.Tensor, attention: torch.Tensor | None = None) -> torch.Tensor:
    """Gradient difference loss ℓ_gd (Mathieu et al.), or the attention-driven version of
    ADL Eqs. 9–10: mean |A ∘ (|∇_i Î| − |∇_i I|)| + mean |A ∘ (|∇_j Î| − |∇_j I|)|."""
    (py, px), (ty, tx) = image_gradients(prediction), image_gradients(target)
    return _weighted(py - ty, attention).abs().mean() + _weighted(px - tx, attention).abs().mean()


def adversarial_generator_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    """ADL Eq. 11 / SEUNet Eq. 6 as AnoPred computes it: mean ½ (σ(D(Î)) − 1)²."""
    return 0.5 * (torch.sigmoid(fake_logits) - 1).pow(2).mean()


def adversarial_discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """ADL Eq. 13 / SEUNet Eq. 8 as AnoPred computes it: mean ½ (σ(D(I)) − 1)² + mean ½ σ(D(Î))²."""
    return 0.5 * ((torch.sigmoid(real_logits) - 1).pow(2).mean() + torch.sigmoid(fake_logits).pow(2).mean())
