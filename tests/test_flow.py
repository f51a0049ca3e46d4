"""The weight-free optical-flow estimator and AnoPred's flow loss (DESIGN §6)."""
import numpy as np
import pytest
import torch
from scipy import ndimage

from vadcore.flow import LucasKanade, flow_loss, warp


def texture(height=96, width=128, seed=0):
    rng = np.random.default_rng(seed)
    image = ndimage.gaussian_filter(rng.standard_normal((height, width)), 2.0)
    return (image - image.min()) / (image.max() - image.min())


def as_tensor(image):
    return torch.tensor(image, dtype=torch.float32)[None, None]


@pytest.mark.parametrize("dx, dy, tolerance", [(0.4, -0.7, 0.03), (-3.3, 2.6, 0.1)])
def test_lucas_kanade_recovers_a_known_translation(dx, dy, tolerance):
    image = texture()
    moved = ndimage.shift(image, (dy, dx), order=3, mode="nearest")  # content moves by (dx, dy)
    flow = LucasKanade()(as_tensor(image), as_tensor(moved))[0, :, 16:-16, 16:-16]
    assert flow.shape[0] == 2
    assert abs(flow[0].mean().item() - dx) < tolerance
    assert abs(flow[1].mean().item() - dy) < tolerance
    assert flow.std(dim=(1, 2)).max() < 0.15


def test_warp_with_the_true_flow_undoes_an_integer_shift():
    image = as_tensor(texture())
    moved = torch.roll(image, shifts=(2, -3), dims=(2, 3))  # dy = 2, dx = −3
    flow = torch.zeros(1, 2, *image.shape[-2:])
    flow[:, 0], flow[:, 1] = -3.0, 2.0
    torch.testing.assert_close(warp(moved, flow)[..., 8:-8, 8:-8], image[..., 8:-8, 8:-8])


def test_identical_frames_have_zero_flow_and_bad_shapes_are_refused():
    image = as_tensor(texture())
    assert LucasKanade()(image, image).abs().max() < 1e-4  # float32 resampling round-off
    with pytest.raises(ValueError, match="one shape"):
        LucasKanade()(image, image[..., :-1])
    with pytest.raises(ValueError, match="odd"):
        LucasKanade(window=4)


def test_flow_loss_gradient_reaches_the_prediction():
    previous = as_tensor(texture(seed=1)) * 2 - 1
    target = torch.roll(previous, shifts=1, dims=3)
    assert flow_loss(target, target, previous).item() == 0.0
    prediction = previous.clone().requires_grad_(True)  # predicts "no motion": the flows differ
    loss = flow_loss(prediction, target, previous)
    loss.backward()
    assert loss.item() > 0.5  # about one pixel of missed motion
    assert prediction.grad is not None and prediction.grad.abs().sum() > 0


def test_flow_loss_accepts_a_user_estimator():
    calls = []

    def estimator(first, second):
        calls.append(first.shape)
        return (second - first).repeat(1, 2, 1, 1)

    a, b = torch.zeros(1, 1, 8, 8), torch.ones(1, 1, 8, 8)
    assert flow_loss(b, a, a, estimator).item() == pytest.approx(1.0)
    assert len(calls) == 2


def test_flow_loss_is_the_mean_absolute_flow_difference_by_hand():
    """ℓ_of = mean |f(I_t, Î_{t+1}) − f(I_t, I_{t+1})| (AnoPred's L1, the docstring's formula) over
    both flow channels and every pixel. A stand-in estimator whose flow is (second, 2·second)
    makes the flow difference (d, 2d) with d = prediction − target; differences of 0.5 and 3
    (and 1, 6) tell the L1 norm from a squared one, from the per-pixel Euclidean norm (end-point
    error) and from a sum."""

    def estimator(first, second):
        return torch.cat([second, 2 * second], dim=1)

    previous = torch.zeros(1, 1, 1, 2)
    target = torch.tensor([[[[1.0, 4.0]]]])
    prediction = torch.tensor([[[[1.5, 1.0]]]])  # d = (0.5, −3): flow differences 0.5, −3 (x) and 1, −6 (y)
    loss = flow_loss(prediction, target, previous, estimator).item()
    assert loss == pytest.approx((0.5 + 3 + 1 + 6) / 4)  # 2.625 (mean of squares: 11.5625; mean EPE: 3.913; sum: 10.5)
