"""ADL's attention maps: the closed form (Eq. 6) against autograd on Eq. 2 at M = 0, the learned
map of a dataset (Eq. 7) and the human ROI map (Eq. 1)."""
import numpy as np
import pytest
import torch

from vadcore.maps.attention import (dynamic_image, dynamic_image_weights, human_attention, learned_attention,
                               normalize_attention, ranking_objective, roi_mask)
from vadcore.data.synthped import walkway_mask
from vadcore.data.video import resize_masks


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


def test_human_attention_is_the_roi_plus_background():
    roi = np.array([[0, 1], [1, 1]], bool)
    np.testing.assert_allclose(human_attention(roi, 0.1), [[0.1, 1.1], [1.1, 1.1]])


def test_roi_masks_cover_the_walkway():
    synth = roi_mask("synthped", (160, 240))
    np.testing.assert_array_equal(synth, walkway_mask())
    assert synth[-1, 120] and not synth[-1, 2] and not synth[5, 120]  # walkway, grass, far band
    ped2 = roi_mask("ucsd_ped2", (96, 144))
    assert ped2.shape == (96, 144) and 0.5 < ped2.mean() < 0.75
    assert ped2[60, 72] and not ped2[20, 120] and not ped2[95, 140]  # pavement, grass, corner grass
    assert resize_masks(roi_mask("synthped", (48, 64))[None], (48, 64)).shape == (1, 48, 64)
    with pytest.raises(ValueError, match="no human ROI"):
        roi_mask("shanghaitech", (64, 64))


class FakeVideo:
    def __init__(self, frames):
        self.frames = frames


def test_learned_attention_lights_up_motion_and_not_static_texture():
    rng = np.random.default_rng(0)
    background = rng.integers(0, 200, (24, 32)).astype(np.uint8)
    frames = np.repeat(background[None], 12, axis=0)
    for t in range(12):  # a bright square moving right along rows 8–11
        frames[t, 8:12, 2 + 2 * t : 6 + 2 * t] = 255
    attention = learned_attention([FakeVideo(frames), FakeVideo(frames)], background=0.1)
    assert attention.shape == (24, 32)
    np.testing.assert_allclose(attention[16:], 0.1, atol=1e-9)  # static texture: exactly B
    assert attention[8:12].max() == pytest.approx(1.1)  # the path of the square
    assert attention.min() == pytest.approx(0.1)


def test_normalisation_by_hand_with_a_nonzero_minimum_and_a_negative_entry():
    """ADL Eq. 7, A = |M| / (max M − min M) + B, on maps whose minimum is not 0 (so dividing by
    max M alone, or shifting by min M, gives other numbers) and with a negative entry (|M|)."""
    positive = np.array([[1.0, 2.0], [3.0, 5.0]])  # max − min = 4 (max alone: 5)
    np.testing.assert_allclose(normalize_attention(positive, background=0.1), [[0.35, 0.6], [0.85, 1.35]])
    # (M − min)/(max − min) + B would be [[0.1, 0.35], [0.6, 1.1]]; M / max + B [[0.3, 0.5], [0.7, 1.1]]
    signed = np.array([[-2.0, 1.0], [0.0, 2.0]])  # max − min = 4 (max alone: 2, max |M|: 2)
    np.testing.assert_allclose(normalize_attention(signed, background=0.2), [[0.7, 0.45], [0.2, 0.7]])
    # M / (max − min) + B would be [[−0.3, 0.45], [0.2, 0.7]]
