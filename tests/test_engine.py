"""The GPU engine on the CPU: devices resolve with clear errors, device kind and precision are part
of a run's key (execution settings are not), windows gathered from frames on the device are the
host's windows, the loop reads losses in batches and stops cleanly at a deadline."""
import dataclasses

import numpy as np
import pytest
import torch

from vadcore import engine
from vadcore.data.clips import ClipDataset, FrameBank, draw_clip_first, frames_to_tensor
from vadcore.data.video import Video, VideoSource
from vadcore.methods import dissociation, fewshot, prediction, reconstruction
from vadcore.methods.loop import DeadlineReached, train_loop
from vadcore.runs import RunCache, canonical_config, config_hash


def video(name: str, n_frames: int, seed: int, size=(8, 12), rgb=False) -> Video:
    frames = np.random.default_rng(seed).integers(0, 256, (n_frames, *size, *((3,) if rgb else ())), dtype=np.uint8)
    return Video(name, "train", VideoSource(name, n_frames, lambda: frames), size)


def test_devices_resolve_or_say_why_not(monkeypatch):
    monkeypatch.setenv("VADCORE_DEVICE", "cpu")
    assert engine.resolve("auto") == torch.device("cpu") and engine.resolve("CPU") == torch.device("cpu")
    with pytest.raises(ValueError, match="unknown device 'gpu0'"):
        engine.resolve("gpu0")
    with pytest.raises(ValueError, match="vadcore runs on cpu or cuda"):
        engine.resolve("meta")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="sees no GPU here"):
            engine.resolve("cuda:1")
        monkeypatch.setenv("VADCORE_DEVICE", "cuda")  # auto means what VADCORE_DEVICE says
        with pytest.raises(ValueError, match="sees no GPU"):
            engine.resolve("auto")


def test_device_kind_and_precision_are_in_the_key_execution_settings_are_not():
    base = prediction.Config(size=(16, 16))
    cuda = dataclasses.replace(base, device="cuda")
    keys = {config_hash(c) for c in (base, cuda, dataclasses.replace(cuda, precision="bf16"))}
    assert len(keys) == 3
    for execution in ({"compile": True}, {"cuda_graphs": True}, {"deterministic": False}):
        assert config_hash(dataclasses.replace(base, **execution)) == config_hash(base)
    assert {"device", "precision"} <= set(canonical_config(base)) and "cuda_graphs" not in canonical_config(base)
    with pytest.raises(ValueError, match="device kind"):
        prediction.Config(device="cuda:0")
    with pytest.raises(ValueError, match="unknown precision 'fp16'"):
        reconstruction.Config(precision="fp16")


def test_profile_configs_take_the_device_they_are_given():
    """The device is an argument: without one a config is for what ``auto`` means here (the tests:
    the CPU); given ``cuda`` it is for a GPU even where there is none (a config can be made
    without the GPU), whatever a notebook started before chose."""
    engine.use("cpu")
    assert engine.default_kind() == "cpu" and prediction.profile_config("smoke", "synthped").device == "cpu"
    for config in (prediction.profile_config("gpu", "ucsd_ped2", device="cuda"),
                   dissociation.profile_config("gpu", "ucsd_ped2", device="cuda"),
                   reconstruction.profile_config("gpu", "ucsd_ped2", model="conv_ae", device="cuda"),
                   fewshot.profile_config("gpu", "synthactions", device="cuda")):
        assert config.device == "cuda" and config.size[0] >= 96
    gpu = prediction.profile_config("gpu", "ucsd_ped2", device="cuda")
    assert (gpu.size, gpu.width, gpu.precision, gpu.cuda_graphs, gpu.compile) == ((256, 256), 64, "bf16", True, True)
    assert prediction.profile_config("gpu", "ucsd_ped2").precision == "fp32"  # on the CPU: float32
    assert fewshot.profile_config("gpu", "synthactions", device="cuda").precision == "fp32"
    assert not hasattr(engine, "_session")  # no module keeps a device: it is passed


def test_the_engine_of_a_cpu_run_uses_no_gpu_speed_ups():
    config = prediction.Config(size=(16, 16), compile=True, cuda_graphs=True)
    run_engine = engine.Engine.of(config)
    assert run_engine.device.type == "cpu" and not run_engine.compile and not run_engine.cuda_graphs
    assert run_engine.memory_format == torch.contiguous_format
    with run_engine.autocast():
        assert torch.nn.Linear(2, 2)(torch.ones(1, 2)).dtype == torch.float32


def test_bfloat16_is_a_gpu_precision_every_cpu_run_is_float32():
    """AVX2 CPUs emulate bfloat16 convolutions ~145x slower: no CPU run (and no CPU test) uses it."""
    with pytest.raises(ValueError, match="bfloat16 runs on a GPU only"):
        prediction.Config(size=(16, 16), precision="bf16")
    with pytest.raises(ValueError, match="bfloat16 runs on a GPU only"):
        engine.Engine(torch.device("cpu"), "bf16")
    assert (engine.precision_on("cpu", "bf16"), engine.precision_on("cuda", "bf16")) == ("fp32", "bf16")
    assert prediction.profile_config("gpu", "ucsd_ped2").precision == "fp32"  # made for this CPU
    assert dissociation.profile_config("full", "ucsd_ped2", device="cpu").precision == "fp32"
    assert prediction.profile_config("gpu", "ucsd_ped2", device="cuda").precision == "bf16"
    assert dissociation.profile_config("full", "ucsd_ped2", device="cuda").precision == "bf16"
    assert prediction.profile_config("cpu", "ucsd_ped2", device="cuda").precision == "fp32"


@pytest.mark.gpu
def test_bfloat16_autocast_on_the_gpu():
    with engine.Engine(torch.device("cuda"), "bf16").autocast():
        assert torch.nn.Linear(2, 2).cuda()(torch.ones(1, 2, device="cuda")).dtype == torch.bfloat16
    with engine.Engine(torch.device("cuda")).autocast():
        assert torch.nn.Linear(2, 2).cuda()(torch.ones(1, 2, device="cuda")).dtype == torch.float32


def test_an_eager_step_runner_is_the_update_itself():
    calls = []
    runner = engine.StepRunner(lambda x: calls.append(x) or {"loss": x.sum()}, engine.Engine(torch.device("cpu")))
    out = runner("phase", torch.ones(3))
    assert out["loss"].item() == 3 and len(calls) == 1 and runner.graph is None


def test_device_windows_are_the_hosts_windows_for_one_seed():
    clips = [video("a", 7, 0), video("b", 30, 1)]
    bank = FrameBank(clips)
    which, starts = draw_clip_first(bank.lengths, 5, 64, torch.Generator().manual_seed(3))
    gathered = bank.windows(bank.rows(which, starts, 5))
    host = torch.stack([frames_to_tensor(clips[v].frames[s : s + 5]) for v, s in zip(which.tolist(), starts.tolist())])
    torch.testing.assert_close(gathered, host, rtol=0, atol=0)
    assert set(which.tolist()) == {0, 1} and all(s + 5 <= bank.lengths[v] for v, s in zip(which.tolist(), starts.tolist()))
    # every window of a ClipDataset, strides included, through the bank
    dataset = ClipDataset(clips, 4, strides=(1, 3), value_range=(0.0, 1.0))
    picked = dataset.table
    stacked = bank.windows(bank.rows(picked[:, 0], picked[:, 1], 4, picked[:, 2]), (0.0, 1.0))
    torch.testing.assert_close(stacked, torch.stack([dataset[i] for i in range(len(dataset))]), rtol=0, atol=0)
    a, b, c = dataset.draw(5, torch.Generator().manual_seed(0))
    torch.testing.assert_close(torch.stack([a, b, c], 1), picked[torch.randint(len(dataset), (5,), generator=torch.Generator().manual_seed(0))])


def test_prediction_windows_come_with_the_foreground_of_their_last_frame():
    clips = [video("a", 9, 0), video("b", 12, 1)]
    windows = prediction.Windows(clips, frames=4)
    sampler = torch.Generator().manual_seed(5)
    frames, foreground = windows.sample(8, sampler)
    which, starts = draw_clip_first([9, 12], 5, 8, torch.Generator().manual_seed(5))
    masks = [prediction.trainer.foreground_masks(v) for v in clips]
    expected = torch.stack([torch.from_numpy(np.array(masks[v][s + 4])) for v, s in zip(which.tolist(), starts.tolist())])
    torch.testing.assert_close(foreground[:, 0], expected)
    assert frames.shape == (8, 5, 1, 8, 12)


def test_losses_are_read_in_batches_yet_recorded_per_step():
    seen = []

    def step(i):
        seen.append(i)
        return {"loss": torch.tensor(float(i) ** 2), "count": i}

    curves, _ = train_loop(None, step, {}, torch.Generator(), 7, log_every=3)
    np.testing.assert_array_equal(curves["loss"], [i ** 2 for i in range(7)])
    np.testing.assert_array_equal(curves["count"], range(7))


def test_a_deadline_stops_training_with_a_checkpoint_to_resume_from(tmp_path, monkeypatch):
    layer = torch.nn.Linear(2, 1)
    optimizer = torch.optim.SGD(layer.parameters(), lr=0.1)
    generator = torch.Generator().manual_seed(0)

    def step(_):
        x = torch.randn(4, 2, generator=generator)
        loss = layer(x).pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return {"loss": loss.detach()}

    run = RunCache(tmp_path).run({"name": "deadline"})
    monkeypatch.setenv("VADCORE_DEADLINE", "0")  # long past
    with pytest.raises(DeadlineReached, match="after step 1 of 5"):
        train_loop(run, step, {"layer": layer, "optimizer": optimizer}, generator, 5)
    assert run.load_checkpoint()["step"] == 1
    monkeypatch.delenv("VADCORE_DEADLINE")
    curves, _ = train_loop(run, step, {"layer": layer, "optimizer": optimizer}, generator, 5)
    assert len(curves["loss"]) == 5


def test_channels_last_reaches_only_2d_convolutions():
    model = fewshot.build(fewshot.profile_config("gpu", "synthactions"))  # its relation module has a 3-D convolution
    engine.channels_last(model)
    conv2d = [m for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    conv3d = [m for m in model.modules() if isinstance(m, torch.nn.Conv3d)]
    assert conv2d and conv3d
    assert all(m.weight.is_contiguous(memory_format=torch.channels_last) for m in conv2d if m.weight.shape[-1] > 1)
    assert all(m.weight.is_contiguous() for m in conv3d)


def test_a_resumed_optimizer_keeps_whether_its_step_can_be_captured():
    from vadcore.methods.loop import _load_state

    layer = torch.nn.Linear(2, 1)
    eager = torch.optim.Adam(layer.parameters(), capturable=False)
    layer(torch.ones(1, 2)).sum().backward()
    eager.step()
    graphed = torch.optim.Adam(layer.parameters(), capturable=True)
    saved = eager.state_dict()
    saved["state"][0]["step"] = saved["state"][0]["step"].double()  # loaded as saved, unless capturable
    _load_state(graphed, saved)
    assert graphed.param_groups[0]["capturable"] is True
    assert graphed.state[layer.weight]["step"].dtype == torch.float32


def test_a_dry_runs_excerpt_keeps_both_classes_of_a_test_clip():
    from vadcore.data.video import VideoSet

    labels = np.zeros(100, np.uint8)
    labels[60:80] = 1
    frames = np.arange(100, dtype=np.uint8)[:, None, None].repeat(4, 1).repeat(4, 2)
    masks = frames > 50
    test = Video("t", "test", VideoSource("t", 100, lambda: frames, labels, lambda: masks), None)
    train = Video("a", "train", VideoSource("a", 100, lambda: frames), None)
    short = VideoSet("x", None, [train], [test]).excerpt(40, 24)
    assert short.train[0].n_frames == 40 and short.train[0].frames[0, 0, 0] == 0
    cut = short.test[0]
    assert cut.n_frames == 24 and cut.frames[0, 0, 0] == 48  # 12 frames before the anomaly starts
    np.testing.assert_array_equal(cut.labels, labels[48:72])
    np.testing.assert_array_equal(cut.masks, masks[48:72])
