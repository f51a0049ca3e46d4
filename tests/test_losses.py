"""The losses of ADL Eqs. 8–13 (and SEUNet's 4–8) on hand-computed tensors, and the λ-weighted
generator loss of Eq. 12."""
import math

import pytest
import torch

from vadcore.losses import adversarial_discriminator_loss, adversarial_generator_loss, gradient_loss, intensity_loss
from vadcore.methods import prediction


def test_intensity_loss_with_and_without_attention():
    # errors 0.5 and 2 (an error of exactly 1 gives the same number squared or not)
    prediction_, target = torch.zeros(1, 1, 1, 2), torch.tensor([[[[0.5, 2.0]]]])
    attention = torch.tensor([[1.0, 0.1]])
    assert intensity_loss(prediction_, target).item() == pytest.approx((0.25 + 4) / 2)  # mean |e| would be 1.25
    assert intensity_loss(prediction_, target, attention).item() == pytest.approx((0.25 + 0.04) / 2)  # (A∘e)²
    # A∘e² would give (0.25 + 0.4) / 2, A∘|e| (0.5 + 0.2) / 2


def test_gradient_loss_has_a_vertical_and_a_horizontal_term():
    # target 2×3 [[0, 1, 3], [0, 0, 0]], prediction 0: vertical differences |0−0|, |0−1|, |0−3| in the
    # second row (4/6 on average over the 6 pixels), horizontal 1 and 2 in the first row (3/6)
    target = torch.tensor([[[[0.0, 1.0, 3.0], [0.0, 0.0, 0.0]]]])
    zero = torch.zeros_like(target)
    assert gradient_loss(zero, target).item() == pytest.approx(4 / 6 + 3 / 6)
    # ADL Eq. 10: the map weights both terms; half weight on the second row halves the vertical term
    attention = torch.tensor([[1.0, 1.0, 1.0], [0.5, 0.5, 0.5]])
    assert gradient_loss(zero, target, attention).item() == pytest.approx(2 / 6 + 3 / 6)
    # absolute gradients are compared: a sign-flipped image has the same gradient magnitudes
    assert gradient_loss(-target, target).item() == pytest.approx(0.0)


def test_adversarial_losses_least_squares_on_the_sigmoid():
    real, fake = torch.full((1, 1, 2, 2), math.log(3)), torch.full((1, 1, 2, 2), -math.log(3))  # σ = ¾ and ¼
    # D: ½ mean (σ(D(I)) − 1)² + ½ mean σ(D(Î))² = ½ (1/16) + ½ (1/16)
    assert adversarial_discriminator_loss(real, fake).item() == pytest.approx(1 / 16)
    # swapping D's targets would give ½ (9/16) + ½ (9/16)
    assert adversarial_discriminator_loss(fake, real).item() == pytest.approx(9 / 16)
    # G: ½ mean (σ(D(Î)) − 1)², target 1 ("real")
    assert adversarial_generator_loss(real).item() == pytest.approx(0.5 / 16)
    assert adversarial_generator_loss(fake).item() == pytest.approx(0.5 * 9 / 16)
    assert adversarial_generator_loss(torch.zeros(3, 1, 4, 4)).item() == pytest.approx(0.125)  # σ(0) = ½


def test_generator_loss_weights_each_term_by_its_lambda():
    config = prediction.Config(size=(16, 16), width=4, depth=2, discriminator=(4, 4))
    trainer = prediction.Trainer(config)
    terms = {"intensity": torch.tensor(1.0), "gradient": torch.tensor(2.0), "flow": torch.tensor(3.0),
             "adversarial": torch.tensor(4.0)}
    # ADL Eq. 12 with λ = 1, 1, 2, 0.05
    assert trainer.generator_loss(terms).item() == pytest.approx(1 + 2 + 2 * 3 + 0.05 * 4)
    other = prediction.Trainer(prediction.Config(size=(16, 16), width=4, depth=2, discriminator=(4, 4),
                                                 intensity=0.5, gradient=0.0, flow=0.1, adversarial=1.0))
    assert other.generator_loss(terms).item() == pytest.approx(0.5 + 0.0 + 0.3 + 4.0)
