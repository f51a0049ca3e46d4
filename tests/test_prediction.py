"""Frame-prediction training and scoring (AnoPred / ADL; notebook 02)."""
import numpy as np
import pytest
import torch

from vadcore import metrics
from vadcore.data.video import Video, VideoSource
from vadcore.foreground import motion_foreground
from vadcore.runs import RunCache
from vadcore.training import prediction as pred


def moving_square_video(name, n_frames=12, labels=None, size=(16, 24), seed=0):
    rng = np.random.default_rng(seed)
    background = rng.integers(40, 120, size).astype(np.uint8)
    frames = np.repeat(background[None], n_frames, axis=0)
    for t in range(n_frames):
        frames[t, 4:8, t % 20 : t % 20 + 4] = 250
    return Video(name, "test" if labels is not None else "train",
                 VideoSource(name, n_frames, lambda: frames, labels=labels))


TINY = dict(dataset="synthped", size=(16, 24), width=4, depth=2, discriminator=(4, 8, 8), decay_at=3)


def test_motion_foreground_finds_the_moving_square():
    video = moving_square_video("v")
    masks = motion_foreground(video.frames)
    expected = np.zeros_like(masks)
    for t in range(len(masks)):
        expected[t, 4:8, t : t + 4] = True
    np.testing.assert_array_equal(masks, expected)


def test_region_psnr_hand_computed():
    prediction = torch.zeros(2, 1, 4, 4)
    prediction[:, :, :2] = 0.1  # error 0.1 in the top half only
    region = torch.zeros(2, 1, 4, 4, dtype=torch.bool)
    region[0, :, :2] = True  # sample 0: the region is the top half; sample 1: empty
    values = metrics.region_psnr(prediction, torch.zeros_like(prediction), region)
    assert values[0].item() == pytest.approx(20.0)  # 10 log10(1 / 0.01)
    assert torch.isnan(values[1])
    assert metrics.region_psnr(prediction, torch.zeros_like(prediction), ~region)[0].item() == pytest.approx(100.0)


def test_config_rejects_unknown_settings():
    with pytest.raises(ValueError, match="unknown attention"):
        pred.PredictionConfig(attention="saliency")
    with pytest.raises(ValueError, match="attend"):
        pred.PredictionConfig(attend=("flow",))


def test_training_resumes_to_the_same_weights_and_curves(tmp_path):
    videos = [moving_square_video("a"), moving_square_video("b", seed=1)]
    config = pred.PredictionConfig(**TINY, iterations=6)
    straight, straight_curves, _ = pred.train_prediction(config, videos)
    cache = RunCache(tmp_path)
    run = cache.run(config)
    run.start()
    pred.train_prediction(pred.PredictionConfig(**TINY, iterations=3), videos, run=run)  # "interrupted" at 3
    resumed, resumed_curves, _ = pred.train_prediction(config, videos, run=run)
    for a, b in zip(straight.state_dict().values(), resumed.state_dict().values()):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert set(straight_curves) == {"intensity", "gradient", "flow", "adversarial", "discriminator",
                                    "mse_foreground", "mse_background"}
    np.testing.assert_array_equal(straight_curves["flow"], resumed_curves["flow"])


def test_loss_terms_follow_the_config():
    videos = [moving_square_video("a")]
    attention = torch.full((16, 24), 0.5)
    config = pred.PredictionConfig(**{**TINY, "decay_at": None}, iterations=2, gradient=0.0, flow=0.0, adversarial=0.0,
                                   attention="learned", attend=("intensity",))
    _, plain, _ = pred.train_prediction(pred.PredictionConfig(**{**TINY, "decay_at": None}, iterations=2, gradient=0.0,
                                                              flow=0.0, adversarial=0.0), videos)
    _, halved, _ = pred.train_prediction(config, videos, attention)
    assert set(halved) == {"intensity", "mse_foreground", "mse_background"}
    # same seed, same first batch and weights: a constant map of 0.5 scales ℓ_cl by 0.25 (Eq. 8)
    assert halved["intensity"][0] == pytest.approx(0.25 * plain["intensity"][0], rel=1e-5)


def test_batched_prediction_equals_one_window_at_a_time():
    torch.manual_seed(0)
    model = pred.build_generator(pred.PredictionConfig(**TINY)).eval()
    video = moving_square_video("t", n_frames=11)
    predictions, targets = pred.predict_video(model, video, frames=4, batch_size=3)
    assert predictions.shape == targets.shape == (7, 1, 16, 24)
    clip = torch.from_numpy(np.array(video.frames)).float().div(127.5).sub(1).unsqueeze(1)
    with torch.no_grad():
        for i in range(7):
            torch.testing.assert_close(predictions[i], model(clip[i : i + 4][None])[0])
            torch.testing.assert_close(targets[i], clip[i + 4], rtol=0, atol=1e-6)


def test_cached_run_drops_the_first_t_frames(tmp_path):
    train = [moving_square_video("a")]
    labels = np.zeros(12, bool)
    labels[8:] = True
    test = [moving_square_video("t1", labels=labels), moving_square_video("t2", labels=~labels, seed=2)]
    config = pred.PredictionConfig(**TINY, iterations=2, attention="learned")
    result = pred.cached_prediction(config, train, test, RunCache(tmp_path))
    assert [len(s) for s in result.scores["psnr"]] == [8, 8]
    assert set(result.scores) == {"psnr", "psnr_foreground", "psnr_background"}
    expected = metrics.frame_metrics(result.scores["psnr"], [labels[4:], ~labels[4:]], higher_is_normal=True)
    assert result.metrics["micro_auc"] == pytest.approx(expected.micro_auc)
    assert RunCache(tmp_path).run(config).finished


def test_trainer_step_with_bfloat16_autocast_and_channels_last():
    torch.manual_seed(0)
    config = pred.PredictionConfig(**TINY, iterations=1, attention="learned")
    trainer = pred.PredictionTrainer(config, attention=torch.ones(16, 24), amp=True, channels_last=True)
    clips = torch.rand(2, 5, 1, 16, 24) * 2 - 1
    before = [p.detach().clone() for p in trainer.generator.parameters()]
    losses = trainer.step(clips, torch.zeros(2, 1, 16, 24, dtype=torch.bool))
    assert all(np.isfinite(v) for k, v in losses.items() if k != "mse_foreground")
    assert np.isnan(losses["mse_foreground"])  # no foreground pixels in the batch
    assert any(not torch.equal(a, b) for a, b in zip(before, trainer.generator.parameters()))
