"""PSNR, the per-frame score of every predictor, against hand-computed cases."""
import math

import numpy as np
import pytest
import torch

from vadcore.quality import psnr, region_psnr


def test_psnr_known_values():
    target = np.full((1, 2, 2), 0.1)
    assert psnr(np.zeros((1, 2, 2)), target)[0] == pytest.approx(20.0)  # MSE 0.01
    # the same frames in [-1, 1] with peak-to-peak 2 give the same number
    assert psnr(np.full((1, 2, 2), -1.0), np.full((1, 2, 2), -0.8), data_range=2.0)[0] == pytest.approx(20.0)
    # masked PSNR (SEUNet): the formula on mask * frame, averaged over all pixels
    mask = np.array([[1.0, 0.0], [0.0, 0.0]])
    assert psnr(np.zeros((1, 2, 2)), target, mask=mask)[0] == pytest.approx(10 * math.log10(400))
    # batch first, tensors in → tensor out, perfect prediction is finite
    out = psnr(torch.zeros(3, 1, 4, 4), torch.zeros(3, 1, 4, 4))
    assert torch.is_tensor(out) and out.shape == (3,) and torch.all(out == 100.0)


def test_region_psnr_hand_computed():
    prediction = torch.zeros(2, 1, 4, 4)
    prediction[:, :, :2] = 0.1  # error 0.1 in the top half only
    region = torch.zeros(2, 1, 4, 4, dtype=torch.bool)
    region[0, :, :2] = True  # sample 0: the region is the top half; sample 1: empty
    values = region_psnr(prediction, torch.zeros_like(prediction), region)
    assert values[0].item() == pytest.approx(20.0)  # 10 log10(1 / 0.01)
    assert torch.isnan(values[1])
    assert region_psnr(prediction, torch.zeros_like(prediction), ~region)[0].item() == pytest.approx(100.0)
