"""ConvLSTM, the reconstruction models, their losses, scoring and resumable training."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from vadcore import metrics
from vadcore.data.video import Video, VideoSet, VideoSource
from vadcore.methods import cached_run, load_model
from vadcore.methods import reconstruction as rec
from vadcore.models import ConvAE, ConvLSTM, ConvLSTMCell, SpatioTemporalAE
from vadcore.models.st_autoencoder import ChannelLayerNorm
from vadcore.runs import RunCache


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


def make_video(frames, name="v", labels=None):
    return Video(name, "test", VideoSource(name, len(frames), lambda: frames, labels=labels), frames.shape[1:3])


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


class WindowMean(torch.nn.Module):
    """Reconstructs every frame of a window as the window's mean frame: a frame's error depends on
    which windows hold it."""

    def forward(self, x):
        return x.mean(1, keepdim=True).expand_as(x)


def test_a_score_stride_averages_each_frame_over_the_windows_that_start_every_stride_frames():
    frames = np.random.default_rng(1).integers(0, 256, (10, 2, 3), dtype=np.uint8)
    video = make_video(frames)
    x = frames.astype(np.float64) / 255
    for stride, starts in ((1, range(7)), (3, (0, 3, 6)), (4, (0, 4, 6))):  # the last window ends on the last frame
        expected = np.zeros(10)
        for t in range(10):
            holding = [s for s in starts if s <= t < s + 4]
            expected[t] = np.mean([((x[t] - x[s:s + 4].mean(0)) ** 2).sum() for s in holding])
        config = rec.Config(size=(2, 3), window=4, score_stride=stride)
        np.testing.assert_allclose(rec.score(config, WindowMean(), [video])["error"][0], expected, rtol=1e-6)
    with pytest.raises(ValueError, match="score_stride must be 1 … window"):
        rec.Config(window=4, score_stride=5)


def test_reconstruct_frame_uses_a_window_that_contains_it():
    frames = np.random.default_rng(0).integers(0, 256, (14, 4, 6), dtype=np.uint8)
    video = make_video(frames)
    for t in (0, 5, 13):
        np.testing.assert_allclose(rec.reconstruct_frame(torch.nn.Identity(), video, t), frames[t] / 255, atol=1e-6)


def test_training_resumes_to_the_same_weights(tmp_path):
    frames = np.random.default_rng(1).integers(0, 256, (20, 16, 16), dtype=np.uint8)
    videos = [make_video(frames, "train"), make_video(frames[::-1].copy(), "held out")]
    config = rec.Config(model="conv_ae", size=(16, 16), width=0.02, iterations=6, batch_size=2, validation_clips=1,
                        validate_every=3)
    straight = rec.train(config, videos)
    run = RunCache(tmp_path).run(config)
    rec.train(rec.Config(**{**config.__dict__, "iterations": 3}), videos, run=run)  # interrupted after 3 iterations
    resumed = rec.train(config, videos, run=run)
    for a, b in zip(straight.model.state_dict().values(), resumed.model.state_dict().values()):
        torch.testing.assert_close(a, b)
    np.testing.assert_allclose(resumed.curves["loss"], straight.curves["loss"])
    np.testing.assert_array_equal(straight.curves["val_step"], [0, 3, 6])
    np.testing.assert_allclose(resumed.curves["val_mse"], straight.curves["val_mse"])


def test_attention_weights_the_reconstruction_loss():
    frames = np.random.default_rng(3).integers(0, 256, (12, 16, 16), dtype=np.uint8)
    videos = [make_video(frames, "a")]
    plain = rec.train(rec.Config(model="conv_ae", size=(16, 16), width=0.02, iterations=1, batch_size=2), videos)
    weighted = rec.train(rec.Config(model="conv_ae", size=(16, 16), width=0.02, iterations=1, batch_size=2,
                                    attention="learned", background=0.0), videos)
    # the same first batch and weights; the learned map is ≤ 1 + B everywhere, so the weighted loss is smaller
    assert weighted.curves["loss"][0] < plain.curves["loss"][0]
    with pytest.raises(ValueError, match="unknown attention"):
        rec.Config(attention="human")


def test_cached_run_scores_every_test_frame(tmp_path):
    rng = np.random.default_rng(2)
    train = [make_video(rng.integers(0, 256, (12, 16, 16), dtype=np.uint8), "a")]
    test = [make_video(rng.integers(0, 256, (12, 16, 16), dtype=np.uint8), "t", labels=np.array([0] * 6 + [1] * 6))]
    data = VideoSet("synthped", None, train, test)
    config = rec.Config(model="convlstm_ae", size=(16, 16), width=0.05, iterations=2, batch_size=1)
    result = cached_run(config, data, RunCache(tmp_path))
    assert len(result.scores["error"][0]) == 12 and 0 <= result.metrics["micro_auc"] <= 1
    assert cached_run(config, data, RunCache(tmp_path)).timings == result.timings
    model = load_model(config, data, RunCache(tmp_path))
    np.testing.assert_allclose(rec.score(config, model, test)["error"][0], result.scores["error"][0], rtol=1e-6)
    with pytest.raises(ValueError, match="unknown model"):
        rec.Config(model="vae")
