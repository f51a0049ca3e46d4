"""The dissociation family (notebook 04): variance attention and compactness by hand, pixel-shuffle
decoders, the frame each score belongs to, resumable training with the k-means start."""
import numpy as np
import pytest
import torch

from vadcore.data.video import Video, VideoSet, VideoSource
from vadcore.methods import cached_run, dissociation
from vadcore.methods.dissociation.diagnostics import fusion_parts
from vadcore.models.dissociation import Decoder, DissociationAE, Encoder, KMeansLayer, VarianceAttention
from vadcore.runs import RunCache

TINY = dict(dataset="synthped", size=(16, 16), width=4, stages=2, clusters=3, iterations=6, pretrain=3,
            kmeans_windows=6, batch_size=2)


def test_variance_attention_by_hand():
    attention = VarianceAttention(2)
    with torch.no_grad():
        attention.project.weight.copy_(torch.eye(2).reshape(2, 2, 1, 1))  # W_g = identity
    x = torch.ones(1, 2, 1, 3)
    x[0, :, 0, 1] = torch.tensor([0.0, 2.0])  # channels disagree at one position only: variance Σ (±1)² = 2
    weights = attention.weights(x)
    expected = torch.softmax(torch.tensor([0.0, 2.0, 0.0]), dim=0)
    torch.testing.assert_close(weights.flatten(), expected)
    torch.testing.assert_close(attention(x), torch.exp(expected).reshape(1, 1, 1, 3) * x)


def test_compactness_is_the_distance_to_the_nearest_centre():
    layer = KMeansLayer(clusters=2, dim=2)
    with torch.no_grad():
        layer.centres.copy_(torch.tensor([[0.0, 0.0], [3.0, 4.0]]))
    codes = torch.tensor([[1.0, 3.0], [2.0, 0.0]]).reshape(1, 2, 1, 2)  # two positions: (1, 2) and (3, 0)
    # (1, 2): 5 to the origin, 8 to (3, 4); (3, 0): 9 and 16 → nearest 5 and 9
    torch.testing.assert_close(layer.distances(codes).flatten(1), torch.tensor([[5.0, 9.0, 8.0, 16.0]]))
    torch.testing.assert_close(layer.nearest(codes).flatten(), torch.tensor([5.0, 9.0]))


def test_encoders_halve_and_pixel_shuffle_decoders_double_the_resolution():
    code = Encoder(3, width=4, stages=3)(torch.rand(2, 3, 32, 48))
    assert code.shape == (2, 32, 4, 6)  # width · 2³ channels at 1/8 of the size
    decoder = Decoder(3, width=4, stages=3)
    assert any(isinstance(m, torch.nn.PixelShuffle) for m in decoder.modules())
    assert not any(isinstance(m, torch.nn.ConvTranspose2d) for m in decoder.modules())
    assert decoder(code).shape == (2, 3, 32, 48)
    model = DissociationAE(channels=3, frames=5, width=4, stages=3)
    reconstruction, difference, spatial, motion = model(torch.rand(2, 5, 3, 32, 48) * 2 - 1)
    assert reconstruction.shape == difference.shape == (2, 3, 32, 48) and spatial.shape == motion.shape == (2, 32, 4, 6)
    assert model.motion_encoder.stem[0].in_channels == 4 * 3  # the first four frames, stacked
    with pytest.raises(ValueError, match="multiple of 8"):
        model(torch.rand(1, 5, 3, 30, 48))


class BlackPrediction(DissociationAE):
    """Predicts a black last frame whatever it sees: a window's error is then its last frame's."""

    def forward(self, clip):
        black = torch.full_like(clip[:, 0], -1.0)
        code = torch.zeros(len(clip), 2, 1, 1)
        return black, torch.zeros_like(black), code, code


@pytest.mark.parametrize("bright", [4, 9])  # the first and the last frame that get a score
def test_each_score_belongs_to_its_windows_last_frame(bright):
    frames = np.zeros((10, 8, 8), np.uint8)
    frames[bright] = 200
    video = Video("v", "test", VideoSource("v", 10, lambda: frames, labels=np.zeros(10)), (8, 8))
    config = dissociation.Config(**{**TINY, "kmeans": False, "size": (8, 8)})
    scores = dissociation.outputs(config, BlackPrediction(1, 5, 2, 2), video)["error"]
    frames_scored = dissociation.scored_frames(config, 10)
    assert len(scores) == len(frames_scored) == 6 and frames_scored[0] == 4 and frames_scored[-1] == 9
    assert frames_scored[int(np.argmax(scores))] == bright
    np.testing.assert_allclose(scores[frames_scored == bright], (200 / 255) ** 2, rtol=1e-5)
    assert dissociation.first_scored(config) == 4


def test_validation_scores_every_fourth_window_only():
    """Window ``j`` scores frame ``j + 4``: with ``stride=4`` the windows 0, 4, 8 of a 13-frame clip,
    i.e. frames 4, 8 and 12, whose brightness differs, so a stride taken after the first window
    or a window skipped would give other errors."""
    frames = (np.arange(13)[:, None, None] * 15 * np.ones((13, 8, 8))).astype(np.uint8)
    video = Video("v", "train", VideoSource("v", 13, lambda: frames), (8, 8))
    config = dissociation.Config(**{**TINY, "kmeans": False, "size": (8, 8)})
    every = dissociation._outputs(config, BlackPrediction(1, 5, 2, 2), video)["error"]
    fourth = dissociation._outputs(config, BlackPrediction(1, 5, 2, 2), video, stride=4)["error"]
    np.testing.assert_allclose(fourth.numpy(), ((np.array([4, 8, 12]) * 15 / 255) ** 2), rtol=1e-5)
    assert torch.equal(fourth, every[::4])


@pytest.mark.parametrize("bright", [0, 5])  # the first and the last frame the spatial autoencoder alone scores
def test_the_spatial_autoencoders_score_belongs_to_the_first_frame_it_reconstructs(bright):
    frames = np.zeros((10, 8, 8), np.uint8)
    frames[bright] = 200
    labels = (np.arange(10) == bright).astype(np.uint8)
    video = Video("v", "test", VideoSource("v", 10, lambda: frames, labels=labels), (8, 8))
    config = dissociation.Config(**{**TINY, "kmeans": False, "size": (8, 8), "branches": "spatial"})
    scores = dissociation.outputs(config, BlackPrediction(1, 5, 2, 2), video)["error"]
    frames_scored = dissociation.scored_frames(config, 10)
    assert list(frames_scored) == [0, 1, 2, 3, 4, 5]
    assert frames_scored[int(np.argmax(scores))] == bright
    # the evaluation reads the labels of those frames: the bright frame is the one anomaly, ranked first
    assert dissociation.evaluate(config, {"error": [scores]}, [video])["global_auc"] == 1.0


def square_video(name, n=12, labels=None, seed=0):
    rng = np.random.default_rng(seed)
    frames = np.repeat(rng.integers(40, 120, (16, 16), dtype=np.uint8)[None], n, axis=0)
    for t in range(n):
        frames[t, 4:8, t % 10 : t % 10 + 4] = 250
    return Video(name, "test" if labels is not None else "train", VideoSource(name, n, lambda: frames, labels=labels), (16, 16))


def test_training_resumes_across_the_kmeans_start(tmp_path):
    videos = [square_video(f"a{i}", seed=i) for i in range(3)]
    config = dissociation.Config(**TINY, validation_clips=1, validate_every=3)
    straight = dissociation.train(config, videos)
    assert set(straight.curves) >= {"spatial", "motion", "compactness", "val_step", "val_psnr"}
    assert len(straight.curves["compactness"]) == 3  # only the joint iterations
    assert straight.model.kmeans.centres.abs().sum() > 0  # initialised by KMeans
    run = RunCache(tmp_path).run(config)
    dissociation.train(dissociation.Config(**{**TINY, "iterations": 3, "validation_clips": 1, "validate_every": 3,
                                              "pretrain": 3, "kmeans": False}), videos, run=run)
    resumed = dissociation.train(config, videos, run=run)  # stopped at the k-means start, resumed
    for a, b in zip(straight.model.state_dict().values(), resumed.model.state_dict().values()):
        torch.testing.assert_close(a, b)


def test_cached_run_and_ablation_configs(tmp_path):
    labels = np.zeros(12, np.uint8)
    labels[7:] = 1
    data = VideoSet("synthped", None, [square_video("a"), square_video("b", seed=1)],
                    [square_video("t1", labels=labels), square_video("t2", labels=1 - labels, seed=2)], gray=True)
    result = cached_run(dissociation.Config(**TINY), data, RunCache(tmp_path))
    assert set(result.scores) == {"psnr", "error", "cluster", "fused"}
    assert [len(s) for s in result.scores["fused"]] == [8, 8] and 0 <= result.metrics["micro_auc"] <= 1
    with pytest.raises(ValueError, match="kmeans=False"):
        dissociation.Config(branches="motion")
    with pytest.raises(ValueError, match="unknown branches"):
        dissociation.Config(branches="audio")
    spatial = cached_run(dissociation.Config(**{**TINY, "branches": "spatial", "kmeans": False}), data, RunCache(tmp_path))
    assert set(spatial.scores) == {"psnr", "error"}


@pytest.mark.parametrize("case", ["uniform", "nonuniform"])
def test_window_scores_by_hand(case, monkeypatch):
    """The scores of one window from a model whose outputs are set by hand: the prediction of the
    LIF is reconstruction + difference, ``error`` the mean of the squared error map in [0, 1]
    units, ``psnr`` 10·log10(1/error), ``cluster`` the mean of the nearest-centre distance map
    upsampled (nearest) to the frame, and ``fused`` the mean of their pixel-wise product — on a
    nonuniform case, not mean(error)·mean(cluster)."""
    config = dissociation.Config(**{**TINY, "size": (8, 8)})  # stages 2: a 2×2 code map per 8×8 frame
    model = dissociation.build(config, channels=1).eval()
    half = model.kmeans.centres.shape[1] // 2  # channels of the spatial (and of the motion) code
    with torch.no_grad():
        model.kmeans.centres.fill_(100.0)
        model.kmeans.centres[0] = 0.0  # every code's nearest centre: the origin
    frames = np.zeros((5, 8, 8), np.uint8)  # one window; its last frame is the target
    spatial = torch.zeros(1, half, 2, 2)
    if case == "uniform":
        frames[4] = 255  # target +1; prediction −1 + 1 = 0: error ((0 − 1)/2)² = 0.25 everywhere
        reconstruction, difference = -1.0, 1.0
        spatial[0, :2] = 1.0  # squared distance 1 + 1 = 2 at every position
        expected = dict(error=0.25, psnr=10 * np.log10(4), cluster=2.0, fused=0.5)
    else:
        frames[4, :, :4] = 255  # target +1 on the left half, −1 on the right; prediction −1 + 0
        reconstruction, difference = -1.0, 0.0  # error map: 1 on the left half, 0 on the right
        spatial[0, 0] = torch.tensor([[1.0, 2.0], [0.0, 3.0]])  # distances [[1, 4], [0, 9]], 4×4 blocks
        # fused = (16·1·1 + 16·1·0) / 64 = 0.25; mean(error)·mean(cluster) would be 0.5 · 3.5 = 1.75
        expected = dict(error=0.5, psnr=10 * np.log10(2), cluster=3.5, fused=0.25)

    def forward(clip):
        b = len(clip)
        first = clip[:, 0]
        return (torch.full_like(first, reconstruction), torch.full_like(first, difference),
                spatial.expand(b, -1, -1, -1), torch.zeros(b, half, 2, 2))

    monkeypatch.setattr(model, "forward", forward)
    video = Video("v", "test", VideoSource("v", 5, lambda: frames, labels=np.zeros(5)), (8, 8))
    out = dissociation.outputs(config, model, video)
    for name, value in expected.items():
        np.testing.assert_allclose(out[name], [value], rtol=1e-6, err_msg=name)
    if case == "nonuniform":
        np.testing.assert_allclose(out["error_map"][0], np.repeat([[1.0, 0.0]], 8, axis=0).repeat(4, axis=1))
        np.testing.assert_allclose(out["cluster_map"][0], np.kron([[1.0, 4.0], [0.0, 9.0]], np.ones((4, 4))))
        # the fused score = mean(error)·mean(cluster) + the pixel covariance of the two maps:
        # 0.25 = 0.5 · 3.5 + (−1.5) — the error sits on the left half, the large distances on the right
        parts = fusion_parts({name: [out[name]] for name in ("error", "cluster", "fused")})
        np.testing.assert_allclose(parts["frame_product"][0], [1.75], rtol=1e-6)
        np.testing.assert_allclose(parts["covariance"][0], [-1.5], rtol=1e-6)
