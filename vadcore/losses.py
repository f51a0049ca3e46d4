"""Losses of the reconstruction and prediction models.

- Intensity (content) loss, optionally attention-weighted: ADL Eq. 8 (ℓ_cl without, ℓ_acl with A).
- Gradient difference loss, optionally attention-weighted: ADL Eqs. 9–10 (ℓ_gd / ℓ_agd).
- Least-squares adversarial losses for G and D: ADL Eqs. 11 and 13.

Sums in the paper are taken as means over pixels and samples (a constant factor that the λ
weights absorb, as in AnoPred's code).
"""
from __future__ import annotations

import torch


def _weighted(error: torch.Tensor, attention: torch.Tensor | None) -> torch.Tensor:
    return error if attention is None else attention * error


def intensity_loss(prediction: torch.Tensor, target: torch.Tensor, attention: torch.Tensor | None = None) -> torch.Tensor:
    """ℓ_cl = mean (Î − I)², or ADL's attention-driven content loss (Eq. 8)
    ℓ_acl = mean (A ∘ (Î − I))² with a per-pixel attention map A broadcast over the batch."""
    return _weighted(prediction - target, attention).pow(2).mean()


def image_gradients(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """|x_{i,j} − x_{i−1,j}| and |x_{i,j} − x_{i,j−1}|, zero-padded back to the input size."""
    dy = torch.nn.functional.pad((x[..., 1:, :] - x[..., :-1, :]).abs(), (0, 0, 1, 0))
    dx = torch.nn.functional.pad((x[..., :, 1:] - x[..., :, :-1]).abs(), (1, 0, 0, 0))
    return dy, dx


def gradient_loss(prediction: torch.Tensor, target: torch.Tensor, attention: torch.Tensor | None = None) -> torch.Tensor:
    """Gradient difference loss ℓ_gd (Mathieu et al.), or ADL's attention-driven version
    (Eqs. 9–10): mean |A ∘ (|∇_i Î| − |∇_i I|)| + mean |A ∘ (|∇_j Î| − |∇_j I|)|."""
    (py, px), (ty, tx) = image_gradients(prediction), image_gradients(target)
    return _weighted(py - ty, attention).abs().mean() + _weighted(px - tx, attention).abs().mean()


def adversarial_generator_loss(fake_logits: torch.Tensor) -> torch.Tensor:
    """ADL Eq. 11 (least squares): mean (D(Î) − 1)²."""
    return (fake_logits - 1).pow(2).mean()


def adversarial_discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """ADL Eq. 13: mean ½[(D(Î) − 0)² + (D(I) − 1)²]."""
    return 0.5 * (fake_logits.pow(2).mean() + (real_logits - 1).pow(2).mean())
