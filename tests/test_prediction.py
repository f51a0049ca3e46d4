"""The frame-prediction family (AnoPred / ADL / SEUNet-style masks; notebooks 02, 03): config,
training (resumable, validation), scoring on exactly the frames t+1 … T, the cached run."""
import numpy as np
import pytest
import torch

from vadcore import metrics
from vadcore.data.video import Video, VideoSet, VideoSource
from vadcore.maps.foreground import motion_foreground
from vadcore.methods import cached_run, load_model, prediction
from vadcore.methods.prediction.diagnostics import error_map, gradient_shares
from vadcore.models.trivial import CopyLast
from vadcore.runs import RunCache


def moving_square_video(name, n_frames=12, labels=None, size=(16, 24), seed=0):
    rng = np.random.default_rng(seed)
    background = rng.integers(40, 120, size).astype(np.uint8)
    frames = np.repeat(background[None], n_frames, axis=0)
    for t in range(n_frames):
        frames[t, 4:8, t % 20 : t % 20 + 4] = 250
    return Video(name, "test" if labels is not None else "train",
                 VideoSource(name, n_frames, lambda: frames, labels=labels), size)


def tiny_set(n_train=3):
    labels = np.zeros(12, np.uint8)
    labels[8:] = 1
    train = [moving_square_video(f"a{i}", seed=i) for i in range(n_train)]
    test = [moving_square_video("t1", labels=labels), moving_square_video("t2", labels=1 - labels, seed=2)]
    return VideoSet("synthped", None, train, test)


TINY = dict(dataset="synthped", size=(16, 24), width=4, depth=2, discriminator=(4, 8, 8), decay_at=3)


def test_motion_foreground_finds_the_moving_square():
    video = moving_square_video("v")
    masks = motion_foreground(video.frames)
    expected = np.zeros_like(masks)
    for t in range(len(masks)):
        expected[t, 4:8, t : t + 4] = True
    np.testing.assert_array_equal(masks, expected)


def test_config_rejects_unknown_settings():
    with pytest.raises(ValueError, match="unknown attention"):
        prediction.Config(attention="saliency")
    with pytest.raises(ValueError, match="attend"):
        prediction.Config(attend=("flow",))
    with pytest.raises(ValueError, match="unknown mask"):
        prediction.Config(mask="otsu")
    with pytest.raises(ValueError, match="cannot weight the same loss"):
        prediction.Config(attention="learned", mask="sgsp")
    with pytest.raises(ValueError, match="validation_clips"):
        prediction.Config(validate_every=10)


def test_training_resumes_to_the_same_weights_and_curves(tmp_path):
    videos = [moving_square_video("a"), moving_square_video("b", seed=1), moving_square_video("c", seed=2)]
    config = prediction.Config(**TINY, iterations=6, validation_clips=1, validate_every=3)
    straight = prediction.train(config, videos)
    run = RunCache(tmp_path).run(config)
    run.start()
    prediction.train(prediction.Config(**{**TINY, "iterations": 3, "validation_clips": 1, "validate_every": 3}),
                     videos, run=run)  # "interrupted" after 3 iterations
    resumed = prediction.train(config, videos, run=run)
    for a, b in zip(straight.model.state_dict().values(), resumed.model.state_dict().values()):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert set(straight.curves) >= {"intensity", "gradient", "flow", "adversarial", "discriminator",
                                    "mse_foreground", "mse_background", "val_step", "val_psnr"}
    np.testing.assert_array_equal(straight.curves["flow"], resumed.curves["flow"])
    np.testing.assert_array_equal(straight.curves["val_step"], [0, 3, 6])
    np.testing.assert_array_equal(straight.curves["val_psnr"], resumed.curves["val_psnr"])


def test_windows_are_drawn_clip_first():
    black = np.zeros((6, 16, 24), np.uint8)
    short = Video("short", "train", VideoSource("short", 6, lambda: black), (16, 24))
    long = moving_square_video("long", n_frames=60)
    windows = prediction.Windows([short, long], frames=4)
    clips, masks = windows.sample(400, torch.Generator().manual_seed(0))
    assert clips.shape == (400, 5, 1, 16, 24) and masks.shape == (400, 1, 16, 24)
    # a 6-frame clip has 2 windows and a 60-frame clip 56, yet each clip is drawn about half the time
    from_short = int((clips.flatten(1) == -1).all(dim=1).sum())
    assert 160 < from_short < 240


def test_loss_terms_follow_the_config():
    videos = [moving_square_video("a")]
    plain = dict(TINY, decay_at=None, iterations=2, gradient=0.0, flow=0.0, adversarial=0.0)
    unweighted = prediction.train(prediction.Config(**plain), videos)
    halved = prediction.Trainer(prediction.Config(**plain, attention="learned", attend=("intensity",)), 1,
                                torch.full((16, 24), 0.5))
    torch.manual_seed(0)
    fresh = prediction.Trainer(prediction.Config(**plain), 1)
    halved.model.load_state_dict(fresh.model.state_dict())
    clips, _ = prediction.Windows(videos, 4).sample(4, torch.Generator().manual_seed(0))
    losses_plain, losses_half = fresh.step(clips), halved.step(clips)
    assert set(unweighted.curves) == {"intensity", "mse_foreground", "mse_background"}
    # the same weights and batch: a constant map of 0.5 scales ℓ_cl by 0.25 (ADL Eq. 8)
    assert losses_half["intensity"] == pytest.approx(0.25 * losses_plain["intensity"], rel=1e-5)


def test_psnr_scores_use_images_in_0_1_with_peak_1():
    frames = np.zeros((7, 16, 24), np.uint8)  # black: −1 in the model's range, 0 in [0, 1]
    video = Video("t", "test", VideoSource("t", 7, lambda: frames, labels=np.zeros(7)))

    class Constant(torch.nn.Module):
        def forward(self, windows):
            return torch.full_like(windows[:, -1], -0.8)  # 0.1 in [0, 1]: MSE 0.01

    scores = prediction.score(prediction.Config(**TINY), Constant(), [video])
    np.testing.assert_allclose(scores["psnr"][0], 20.0, rtol=1e-5)  # peak 1 on [0, 1]; peak 2 on [−1, 1] gives 26
    assert len(scores["psnr"][0]) == 7 - 4  # frames 5 … 7


def test_batched_prediction_equals_one_window_at_a_time():
    torch.manual_seed(0)
    model = prediction.build(prediction.Config(**TINY)).eval()
    video = moving_square_video("t", n_frames=11)
    predictions, targets = prediction.predict_video(model, video, frames=4, batch_size=3)
    assert predictions.shape == targets.shape == (7, 1, 16, 24)
    clip = torch.from_numpy(np.array(video.frames)).float().div(127.5).sub(1).unsqueeze(1)
    with torch.no_grad():
        for i in range(7):
            torch.testing.assert_close(predictions[i], model(clip[i : i + 4][None])[0])
            torch.testing.assert_close(targets[i], clip[i + 4], rtol=0, atol=1e-6)
    with pytest.raises(ValueError, match="needs more than 4"):
        prediction.predict_video(model, moving_square_video("short", n_frames=4))


def test_cached_run_drops_the_first_t_frames_and_reuses(tmp_path):
    data = tiny_set()
    config = prediction.Config(**TINY, iterations=2, attention="learned")
    cache = RunCache(tmp_path)
    result = cached_run(config, data, cache)
    assert [len(s) for s in result.scores["psnr"]] == [8, 8]
    assert set(result.scores) == {"psnr", "psnr_foreground", "psnr_background"}
    labels = [v.labels[4:] for v in data.test]
    expected = metrics.frame_metrics(result.scores["psnr"], labels, higher_is_normal=True)
    assert result.metrics["micro_auc"] == pytest.approx(expected.micro_auc)
    again = cached_run(config, data, cache)
    assert again.timings == result.timings
    model = load_model(config, data, cache)
    np.testing.assert_allclose(prediction.score(config, model, data.test)["psnr"][0], result.scores["psnr"][0])
    with pytest.raises(ValueError, match="load the data with"):
        cached_run(prediction.Config(**{**TINY, "size": (32, 48)}, iterations=2), data, cache)


@pytest.mark.gpu
def test_trainer_step_in_bfloat16():
    torch.manual_seed(0)
    config = prediction.Config(**TINY, iterations=1, attention="learned", device="cuda", precision="bf16")
    trainer = prediction.Trainer(config, weight=torch.ones(16, 24, device="cuda"))
    assert trainer.engine.precision == "bf16" and trainer.engine.device.type == "cuda"
    clips = torch.rand(2, 5, 1, 16, 24, device="cuda") * 2 - 1
    before = [p.detach().clone() for p in trainer.generator.parameters()]
    losses = trainer.step(clips, torch.zeros(2, 1, 16, 24, dtype=torch.bool, device="cuda"))
    assert all(np.isfinite(v) for k, v in losses.items() if k != "mse_foreground")
    assert np.isnan(losses["mse_foreground"])  # no foreground pixels in the batch
    assert any(not torch.equal(a, b) for a, b in zip(before, trainer.generator.parameters()))


def test_gradient_shares_sum_to_one_and_locate_the_gradient():
    torch.manual_seed(0)
    trainer = prediction.Trainer(prediction.Config(**TINY, adversarial=0.0))
    clips, _ = prediction.Windows([moving_square_video("a")], 4).sample(4, torch.Generator().manual_seed(0))
    rows = gradient_shares(trainer, clips)
    assert set(rows) == {"intensity", "gradient", "flow"}
    assert sum(r["share"] for r in rows.values()) == pytest.approx(1.0, abs=1e-4)
    assert all(0 <= r["static_fraction"] <= 1 and r["gradient_norm"] > 0 for r in rows.values())
    # λ scales a term's gradient exactly
    double = prediction.Trainer(prediction.Config(**TINY, adversarial=0.0, flow=4.0))
    double.model.load_state_dict(trainer.model.state_dict())
    assert gradient_shares(double, clips)["flow"]["gradient_norm"] == pytest.approx(2 * rows["flow"]["gradient_norm"], rel=1e-4)


def test_error_map_of_copying_the_last_frame():
    video = moving_square_video("v", n_frames=8)
    model = prediction.Predictor(CopyLast())
    errors = error_map(model, video, 6)
    frames = np.asarray(video.frames, np.float64) / 255
    np.testing.assert_allclose(errors, (frames[6] - frames[5]) ** 2, atol=1e-6)
    with pytest.raises(ValueError, match="has no prediction"):
        error_map(model, video, 2)
