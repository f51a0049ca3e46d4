"""Image quality: the PSNR that turns a predicted frame into a per-frame score (notebooks 00, 02, 03).

PSNR on images scaled to [0, 1] with peak 1 and the MSE averaged over all pixels and channels —
the same number as on [−1, 1] with ``data_range=2``. This is AnoPred's code (Liu et al. 2018);
ADL's Eq. 15 and SEUNet's Eq. 10 write the peak as the prediction's maximum, [max Î]², a
deviation the notebooks state.
"""
from __future__ import annotations

import numpy as np
import torch


def psnr(prediction, target, data_range: float = 1.0, mask=None):
    """Per-sample PSNR (ADL Eqs. 14–15): ``10 log10(range² / MSE)``, batch first.

    The MSE averages over every pixel and channel of a sample. With ``mask`` (broadcastable to
    the images) this is SEUNet's masked PSNR: the same formula on ``mask * frame``. A perfect
    prediction gets the MSE floor 1e-10 (100 dB at range 1) instead of infinity.
    Accepts tensors (returns a tensor) or arrays (returns an array).
    """
    as_numpy = not torch.is_tensor(prediction)
    if as_numpy:
        prediction = torch.from_numpy(np.asarray(prediction, np.float64))
        target = torch.from_numpy(np.asarray(target, np.float64))
        mask = None if mask is None else torch.from_numpy(np.asarray(mask, np.float64))
    if mask is not None:
        prediction, target = prediction * mask, target * mask
    error = prediction - target
    error = error.to(torch.promote_types(error.dtype, torch.float32))
    mse = error.pow(2).flatten(1).mean(dim=1).clamp_min(1e-10)
    value = 10.0 * torch.log10(data_range**2 / mse)
    return value.numpy() if as_numpy else value


def region_psnr(prediction: torch.Tensor, target: torch.Tensor, region: torch.Tensor, data_range: float = 1.0) -> torch.Tensor:
    """Per-sample PSNR with the MSE averaged over the pixels of ``region`` only (bool, broadcast
    to the images): the foreground/background PSNR of ADL Fig. 7. NaN where a region is empty."""
    region = region.expand_as(prediction).to(prediction.dtype)
    counts = region.flatten(1).sum(1)
    mse = ((prediction - target).pow(2) * region).flatten(1).sum(1) / counts
    value = 10.0 * torch.log10(data_range**2 / mse.clamp_min(1e-10))
    return torch.where(counts > 0, value, torch.full_like(value, float("nan")))
