"""AnoPred's U-Net generator and patch discriminator (building blocks of notebook 02)."""
import pytest
import torch

from vadcore.models import PatchDiscriminator, UNet


def test_unet_anopred_shape_and_widths():
    model = UNet(in_frames=4, channels=3, width=64, depth=4)
    assert model.down[0][0].weight.shape == (64, 12, 3, 3)  # 4 RGB frames stacked on channels
    assert model.down[-1][0].weight.shape == (512, 256, 3, 3)  # 64–512 over 4 levels
    small = UNet(in_frames=4, channels=1, width=8, depth=3)
    out = small(torch.randn(2, 4, 1, 16, 24))
    assert out.shape == (2, 1, 16, 24) and out.abs().max() < 1
    with pytest.raises(ValueError, match="multiple of 4"):
        small(torch.randn(1, 4, 1, 10, 12))


def test_unet_skip_connections_keep_local_detail():
    torch.manual_seed(0)
    model = UNet(in_frames=2, channels=1, width=4, depth=3)
    x = torch.zeros(1, 2, 1, 64, 64, requires_grad=True)
    model(x)[0, 0, 3, 3].backward()
    influence = x.grad.abs()[0, :, 0].sum(0)
    # an output pixel depends on nearby input pixels most (receptive field), not on far corners
    assert influence[3, 3] > 0 and influence[63, 63] == 0
    # the skip connection alone: with the upsampling from the level below zeroed, the output still
    # sees its input, through the five 3×3 convolutions at full resolution only (an 11×11 window)
    with torch.no_grad():
        model.upsample[0].weight.zero_()
        model.upsample[0].bias.zero_()
    x = torch.rand(1, 2, 1, 64, 64, generator=torch.Generator().manual_seed(0), requires_grad=True)
    model(x)[0, 0, 20, 20].backward()
    influence = x.grad.abs()[0, :, 0].sum(0)
    window = torch.zeros(64, 64, dtype=torch.bool)
    window[15:26, 15:26] = True
    assert influence[window].gt(0).all() and influence[~window].eq(0).all()


def test_patch_discriminator_scores_patches():
    d = PatchDiscriminator(channels=1, widths=(8, 16, 32, 32))
    scores = d(torch.randn(3, 1, 64, 64))
    # one score per patch, not per image: 64 → 32 → 16 → 8 (stride 2) → 7 (stride 1) → 6 (the scoring 4×4),
    # pix2pix's 70×70 PatchGAN (30×30 scores on 256×256 frames)
    assert scores.shape == (3, 1, 6, 6)
    assert PatchDiscriminator(channels=1, widths=(8, 16, 32, 32))(torch.randn(1, 1, 256, 256)).shape == (1, 1, 30, 30)
