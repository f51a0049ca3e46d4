"""What only a GPU can show (``pytest -m gpu`` on a GPU machine; skipped elsewhere): windows
gathered on the GPU are the CPU's, a step replayed as a CUDA graph with the compiled flow term
trains as the eager step does, and every family trains and scores on the GPU at the engine's
settings."""

import numpy as np
import pytest
import torch

from vadcore import engine
from vadcore.data.clips import FrameBank, draw_clip_first
from vadcore.data.video import Video, VideoSet, VideoSource
from vadcore.methods import cached_run, dissociation, prediction, reconstruction
from vadcore.runs import RunCache
from vadcore.slot import checks

pytestmark = pytest.mark.gpu


def videos(n, frames, size, rgb=False, labels=False):
    rng = np.random.default_rng(0)
    out = []
    for i in range(n):
        array = rng.integers(0, 256, (frames, *size, *((3,) if rgb else ())), dtype=np.uint8)
        label = (np.arange(frames) >= frames // 2).astype(np.uint8) if labels else None
        out.append(Video(f"c{i}", "test" if labels else "train", VideoSource(f"c{i}", frames, lambda a=array: a, label), size))
    return out


def test_gpu_windows_are_the_cpu_windows():
    clips = videos(3, 20, (16, 24))
    which, starts = draw_clip_first([20] * 3, 5, 32, torch.Generator().manual_seed(0))
    on_gpu, on_cpu = FrameBank(clips, "cuda"), FrameBank(clips)
    torch.testing.assert_close(on_gpu.windows(on_gpu.rows(which, starts, 5)).cpu(),
                               on_cpu.windows(on_cpu.rows(which, starts, 5)), rtol=0, atol=0)


def test_graphs_and_compile_train_as_the_eager_step():
    found = checks.self_check(torch.device("cuda"))
    assert set(found) == {"cuda_graphs", "compile"}
    assert all(entry["ok"] for entry in found.values()), found


@pytest.mark.parametrize("config", [  # made at collection on any machine: bfloat16 asks for device="cuda"
    prediction.Config(size=(64, 64), width=16, discriminator=(16, 32, 64, 64), iterations=8, decay_at=5,
                      attention="learned", precision="bf16", compile=True, cuda_graphs=True, deterministic=False,
                      device="cuda"),
    reconstruction.Config(size=(64, 64), model="convlstm_ae", width=0.25, iterations=8, cuda_graphs=True, device="cuda"),
    dissociation.Config(size=(64, 64), width=8, clusters=8, iterations=8, pretrain=4, kmeans_windows=16,
                        precision="bf16", cuda_graphs=True, device="cuda"),
], ids=["prediction", "reconstruction", "dissociation"])
def test_every_family_trains_and_scores_on_the_gpu(config, tmp_path):
    rgb = config.family == "dissociation"
    data = VideoSet(config.dataset, tmp_path, videos(3, 30, config.size, rgb), videos(2, 30, config.size, rgb, True), not rgb)
    result = cached_run(config, data, RunCache(tmp_path / "runs"))
    assert result.timings["engine"]["device"] != "cpu" and not result.timings["engine"]["notes"]
    assert 0 <= result.metrics["micro_auc"] <= 1
    assert engine.Engine.of(config).cuda_graphs
