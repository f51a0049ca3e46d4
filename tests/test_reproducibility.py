"""Two runs of the same commit on the same machine give byte-identical tables: data generated,
trained and scored from scratch in two fresh processes (fresh data folders, other hash seeds)."""
import os
import subprocess
import sys
import textwrap

PIPELINE = textwrap.dedent('''
    import sys
    from pathlib import Path
    from vadcore import baselines, report
    from vadcore.data import SynthPedConfig, load_dataset
    from vadcore.methods import cached_run, prediction, reconstruction
    from vadcore.metrics import FrameMetrics
    from vadcore.papers import adl
    from vadcore.seeding import seed_everything

    out = Path(sys.argv[1])
    seed_everything(0)
    small = SynthPedConfig(seed=5, height=32, width=48, n_train=3, n_test=3, train_frames=24, test_frames=40)
    data = load_dataset("synthped", out / "synthped", size=(32, 48), synth=small)
    pred = prediction.Config(size=(32, 48), width=4, depth=2, discriminator=(4, 8, 8), iterations=4,
                             validation_clips=1, validate_every=2)
    rec = reconstruction.Config(model="conv_ae", size=(32, 48), width=0.02, iterations=4, batch_size=2)
    rows = {"AnoPred": cached_run(pred, data), "ADL": cached_run(prediction.Config(**{**pred.__dict__, "attention": "learned"}), data)}
    rows["Conv-AE"] = cached_run(rec, data)
    report.paper_table(out, "table", adl.TABLE_1, "synthped", {k: [100 * r.metrics["micro_auc"]] for k, r in rows.items()},
                       {k: [100 * v["metrics"]["micro_auc"]] for k, v in baselines.trivial_predictions(pred, data).items()})
    report.metrics_table(out, "metrics", {k: [FrameMetrics(**r.metrics)] for k, r in rows.items()}, "every metric")
''')


def test_two_fresh_runs_give_identical_tables(tmp_path):
    outputs = []
    for i, hash_seed in enumerate(("1", "2")):
        out = tmp_path / f"run{i}"
        out.mkdir()
        env = {**os.environ, "VADCORE_DATA": str(out / "data"), "VADCORE_RUNS": str(out / "data" / "runs"),
               "PYTHONHASHSEED": hash_seed}  # nothing shared: each process trains its runs
        subprocess.run([sys.executable, "-c", PIPELINE, str(out)], check=True, env=env, capture_output=True)
        outputs.append({name: (out / name).read_bytes() for name in ("table.md", "table.csv", "metrics.md", "metrics.csv")})
    assert outputs[0] == outputs[1]
    assert all(len(list((tmp_path / f"run{i}" / "data" / "runs").glob("*/metrics.json"))) == 3 for i in range(2))
    assert b"AnoPred" in outputs[0]["table.md"] and b"copy last frame (reference)" in outputs[0]["table.md"]


KERNELS = textwrap.dedent('''
    import sys
    import torch
    from vadcore.engine import Engine
    from vadcore.seeding import inductor_follows_kernels, seed_everything

    seed_everything(0)
    assert torch.are_deterministic_algorithms_enabled() and torch.is_deterministic_algorithms_warn_only_enabled()
    Engine("cpu").configure()
    assert "torch._inductor.config" not in sys.modules, "seeding loaded inductor"
    inductor_follows_kernels()  # what compiling does first
    import torch._inductor.config as inductor
    assert inductor.deterministic is True
    Engine("cpu", deterministic=False).configure()  # inductor loaded: its flag follows
    assert not torch.are_deterministic_algorithms_enabled() and inductor.deterministic is False
    print("kernels as asked")
''')


def test_seeding_asks_for_deterministic_kernels_without_loading_inductor():
    """What ``torch.use_deterministic_algorithms(True, warn_only=True)`` sets, without the 1.3 s
    import of ``torch._inductor`` it makes in every process; inductor's flag follows once loaded."""
    done = subprocess.run([sys.executable, "-c", KERNELS], capture_output=True, text=True)
    assert done.returncode == 0 and "kernels as asked" in done.stdout, done.stderr[-2000:]
