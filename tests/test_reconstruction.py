"""ConvLSTM, the reconstruction models, their losses, scoring and resumable training."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from vadcore import metrics
from vadcore.data.video import Video, VideoSource
from vadcore.losses import gradient_loss, intensity_loss
from vadcore.models import ConvAE, ConvLSTM, ConvLSTMCell, SpatioTemporalAE
from vadcore.models.st_autoencoder import ChannelLayerNorm
from vadcore.runs import RunCache
from vadcore.training import reconstruction as rec


def test_convlstm_cell_matches_a_hand_unrolled_step():
    torch.manual_seed(0)
    cell = ConvLSTMCell(2, 3, kernel_size=3)
    x, h, c = torch.randn(1, 2, 5, 4), torch.randn(1, 3, 5, 4), torch.randn(1, 3, 5, 4)
    z = F.conv2d(torch.cat([x, h], 1), cell.gates.weight, cell.gates.bias, padding=1)
    i, f, g, o = z[:, 0:3], z[:, 3:6], z[:, 6:9], z[:, 9:12]
    c_expected = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    h_expected = torch.sigmoid(o) * torch.tanh(c_expected)
    h_new, c_new = cell(x, (h, c))
    torch.testing.assert_close(c_new, c_expected)
    torch.testing.assert_close(h_new, h_expected)


def test_convlstm_layer_carries_state_through_time():
    torch.manual_seed(0)
    layer = ConvLSTM(1, 2)
    x = torch.randn(2, 4, 1, 6, 6)
    out = layer(x)
    state = None
    for t in range(4):
        state = layer.cell(x[:, t], state)
        torch.testing.assert_close(out[:, t], state[0])
    changed = x.clone()
    changed[:, 0] += 1.0  # changing the first frame changes the last output: memory
    assert not torch.allclose(layer(changed)[:, -1], out[:, -1])


def test_channel_layer_norm_normalises_each_pixel():
    y = ChannelLayerNorm(8)(torch.randn(3, 8, 4, 5) * 7 + 2)
    torch.testing.assert_close(y.mean(1), torch.zeros(3, 4, 5), atol=1e-5, rtol=0)
    torch.testing.assert_close(y.var(1, unbiased=False), torch.ones(3, 4, 5), atol=1e-3, rtol=0)


def test_autoencoders_shapes_ranges_and_size_checks():
    clip = torch.rand(2, 10, 1, 32, 48)
    for model in (SpatioTemporalAE(width=0.125), ConvAE(width=0.0625)):
        out = model(clip)
        assert out.shape == clip.shape and 0 < out.min() and out.max() < 1
    with pytest.raises(ValueError, match="multiple of 8"):
        SpatioTemporalAE(width=0.125)(torch.rand(1, 10, 1, 20, 20))
    with pytest.raises(ValueError, match="multiple of 16"):
        ConvAE(width=0.0625)(torch.rand(1, 10, 1, 24, 24))
    # the tutorial's model at full width: 128 11×11 filters on 1 channel, etc.
    assert SpatioTemporalAE().encoder[0].weight.shape == (128, 1, 11, 11)
    assert ConvAE().conv1.weight.shape == (512, 10, 11, 11)


def test_regularity_score_on_a_small_array():
    errors = np.array([2.0, 4.0, 6.0, 10.0])
    np.testing.assert_allclose(metrics.regularity([errors])[0], [1.0, 0.75, 0.5, 0.0])
    tutorial_bug = 1 - (errors - errors.min()) / errors.max()  # ÷ max: never reaches 0
    np.testing.assert_allclose(tutorial_bug, [1.0, 0.8, 0.6, 0.2])


def test_weighted_losses_hand_computed():
    prediction, target = torch.zeros(1, 1, 1, 2), torch.ones(1, 1, 1, 2)
    attention = torch.tensor([[1.0, 0.1]])
    assert intensity_loss(prediction, target).item() == pytest.approx(1.0)
    assert intensity_loss(prediction, target, attention).item() == pytest.approx((1 + 0.01) / 2)
    # gradients: prediction [0, 0] has none, target [0, 2] has |Δx| = 2 at column 1
    target = torch.tensor([[[[0.0, 2.0]]]])
    assert gradient_loss(prediction, target).item() == pytest.approx(2 / 2)
    assert gradient_loss(prediction, target, attention).item() == pytest.approx(0.1 * 2 / 2)


def make_video(frames, name="v", labels=None):
    return Video(name, "test", VideoSource(name, len(frames), lambda: frames, labels=labels))


class Constant(torch.nn.Module):
    def __init__(self, value):
        super().__init__()
        self.value = value

    def forward(self, clip):
        return torch.full_like(clip, self.value)


def test_reconstruction_errors_known_values():
    frames = np.random.default_rng(0).integers(0, 256, (14, 4, 6), dtype=np.uint8)
    video = make_video(frames)
    errors, _ = rec.reconstruction_errors(torch.nn.Identity(), video, window=10, batch_size=3)
    np.testing.assert_allclose(errors, 0)
    # a model that outputs zeros: e(t) = Σ I(t)², the same in every window that contains t
    errors, maps = rec.reconstruction_errors(Constant(0.0), video, window=10, batch_size=4, maps=True)
    expected = (frames.astype(np.float64) / 255) ** 2
    np.testing.assert_allclose(errors, expected.sum(axis=(1, 2)), rtol=1e-5)
    np.testing.assert_allclose(maps, expected, rtol=1e-5)
    with pytest.raises(ValueError, match="fewer than the window"):
        rec.reconstruction_errors(Constant(0.0), make_video(frames[:5]), window=10)


def test_training_resumes_to_the_same_weights(tmp_path):
    frames = np.random.default_rng(1).integers(0, 256, (20, 16, 16), dtype=np.uint8)
    videos = [make_video(frames, "train")]
    config = rec.ReconstructionConfig(model="conv_ae", size=(16, 16), width=0.02, iterations=6, batch_size=2)
    straight, curves, _ = rec.train_reconstruction(config, videos)
    cache = RunCache(tmp_path)
    run = cache.run(config)
    half = rec.ReconstructionConfig(**{**config.__dict__, "iterations": 3})
    rec.train_reconstruction(half, videos, run=run)  # interrupted after 3 iterations
    resumed, resumed_curves, _ = rec.train_reconstruction(config, videos, run=run)
    for a, b in zip(straight.state_dict().values(), resumed.state_dict().values()):
        torch.testing.assert_close(a, b)
    np.testing.assert_allclose(resumed_curves["loss"], curves["loss"])


def test_cached_run_scores_every_test_frame(tmp_path):
    rng = np.random.default_rng(2)
    train = [make_video(rng.integers(0, 256, (12, 16, 16), dtype=np.uint8), "a")]
    test = [make_video(rng.integers(0, 256, (12, 16, 16), dtype=np.uint8), "t", labels=np.array([0] * 6 + [1] * 6))]
    config = rec.ReconstructionConfig(model="convlstm_ae", size=(16, 16), width=0.05, iterations=2, batch_size=1)
    result = rec.cached_reconstruction(config, train, test, cache=RunCache(tmp_path))
    assert len(result.scores["error"][0]) == 12 and 0 <= result.metrics["micro_auc"] <= 1
    assert rec.cached_reconstruction(config, train, test, cache=RunCache(tmp_path)).timings == result.timings
    with pytest.raises(ValueError, match="unknown model"):
        rec.ReconstructionConfig(model="vae")
