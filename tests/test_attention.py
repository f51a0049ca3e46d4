"""ADL's dynamic-image attention map: the closed form (Eq. 6) against autograd on Eq. 2 at M = 0."""
import numpy as np
import pytest
import torch

from vadcore.attention import dynamic_image, dynamic_image_weights, normalize_attention, ranking_objective


def test_weights_hand_computed():
    # T = 2: α(1) = 2·2 − 3·(1.5 − 0) = −0.5, α(2) = 2·1 − 3·(1.5 − 1) = 0.5
    np.testing.assert_allclose(dynamic_image_weights(2), [-0.5, 0.5])
    # T = 3: α = [6 − 4·11/6, 4 − 4·5/6, 2 − 4·1/3] = [−4/3, 2/3, 2/3]
    np.testing.assert_allclose(dynamic_image_weights(3), [-4 / 3, 2 / 3, 2 / 3])
    assert dynamic_image_weights(10).sum() == pytest.approx(0)  # a static scene has M = 0


@pytest.mark.parametrize("T", [2, 5, 10])
def test_closed_form_is_the_gradient_of_equation_2_at_zero(T):
    frames = torch.rand(T, 4, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(T))
    mask = torch.zeros(4, 6, dtype=torch.float64, requires_grad=True)
    ranking_objective(mask, frames, weight_decay=0.3).backward()
    # −∇F(0) = 2/(T(T−1)) Σ_{t1>t2} (V^{t1} − V^{t2}) = 2/(T(T−1)) Σ_t α(t) I^t
    expected = 2.0 / (T * (T - 1)) * dynamic_image(frames.numpy())
    np.testing.assert_allclose(-mask.grad.numpy(), expected, rtol=1e-10, atol=1e-12)


def test_static_background_is_suppressed_and_normalisation():
    frames = np.full((8, 5, 5), 0.4)
    frames[np.arange(8), 2, np.arange(8) % 5] = 1.0  # one moving bright pixel
    mask = dynamic_image(frames)
    np.testing.assert_allclose(mask[[0, 1, 3, 4]], 0, atol=1e-12)  # rows never visited: exactly 0
    attention = normalize_attention(mask, background=0.1)
    assert attention.min() == pytest.approx(0.1) and attention[2].max() > 0.1
    np.testing.assert_allclose(normalize_attention(np.zeros((2, 2))), 0.1)
