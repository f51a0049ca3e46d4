"""A borrowed GPU slot, used fully: ``tools/gpu-run.sh`` (which calls :func:`main`) turns a bare
GPU machine — PyTorch and the scientific stack, no network, no Jupyter, no PyAV — into
``results/gpu/<NN_slug>/`` within a wall-time budget, and packs what it made into one archive.

In order, each step only while the budget lasts:

1. **the machine**: torch, CUDA, the GPU, written to ``slot.log``;
2. **self-check** (in a child process): small models of three families trained with CUDA graphs
   and the compiled flow term against the same training run eagerly; unless they agree the slot
   switches both speed-ups off (``VADCORE_CUDA_GRAPHS=0``, ``VADCORE_COMPILE=0``) rather than lose
   its results;
3. **bench**: ``vadcore bench`` of every family at the profile's size (``results/bench.md``);
4. **notebooks**: each run as a script (:mod:`vadcore.script`) on the packed data
   (``vadcore data pack``), with ``VADCORE_DEADLINE`` set so that training stops cleanly, with a
   checkpoint, before the slot ends;
5. **archive**: ``<out>/gpu-slot.tar.gz`` with ``results/<profile>/<NN_slug>/`` (tables, figures,
   provenance, ``run.log``), ``results/bench.md``, ``slot.log`` and the finished runs' records
   (scores, metrics, curves, timings — not their weights). Given back with ``--runs`` to a later
   slot, they are not trained again.

Tested on the CPU at ``smoke`` sizes (``tests/test_gpu_slot.py``).
"""
from __future__ import annotations

import argparse
import io
import os
import platform
import sys
import tarfile
import time
from pathlib import Path

ARCHIVE = "gpu-slot.tar.gz"
RESERVE_S = 45.0  # kept at the end of the budget for the archive
MIN_NOTEBOOK_S = 60.0  # a notebook is not started with less time left


class Slot:
    """The budget and the log of one slot."""

    def __init__(self, budget_s: float, work: Path):
        self.start, self.budget_s, self.work = time.time(), budget_s, work
        self.log_lines: list[str] = []

    @property
    def deadline(self) -> float:
        return self.start + self.budget_s - RESERVE_S

    def left(self) -> float:
        return self.deadline - time.time()

    def log(self, line: str) -> None:
        stamped = f"[{time.time() - self.start:7.1f} s] {line}"
        print(stamped, flush=True)
        self.log_lines.append(stamped)


def describe_machine() -> list[str]:
    import torch

    lines = [f"python {platform.python_version()}, torch {torch.__version__}, CUDA available: {torch.cuda.is_available()}"]
    if torch.cuda.is_available():
        properties = torch.cuda.get_device_properties(0)
        lines.append(f"GPU: {properties.name}, {properties.total_memory / 2**30:.0f} GiB, "
                     f"{properties.multi_processor_count} multiprocessors, CUDA {torch.version.cuda}")
    for name in ("av", "cv2", "papermill", "seaborn", "skimage", "sklearn", "scipy"):
        try:
            module = __import__(name)
            lines.append(f"{name} {getattr(module, '__version__', '?')}")
        except ImportError:
            lines.append(f"{name}: not installed")
    return lines


def self_check(device, steps: int = 16, tolerance: float = 2e-2) -> str | None:
    """Train small models of the prediction (a learning-rate decay half-way: a second graph),
    dissociation (pretraining, then k-means and the joint stage: two runners) and reconstruction
    families twice from one initialisation on the same frames — eagerly, and with the engine's
    speed-ups (CUDA graphs, compiled flow term) — at the profiles' execution settings. Returns why
    they disagree (a logged loss beyond ``tolerance``, relative; or final weights further apart
    than ``tolerance`` of the distance training moved them; or a fallback the engine noted), or
    ``None``."""
    import dataclasses

    import torch

    from vadcore.bench import noise_videos
    from vadcore.methods import dissociation, prediction, reconstruction

    from vadcore.engine import precision_on

    common = {"device": device.type, "iterations": steps, "deterministic": False}
    bf16 = precision_on(device.type, "bf16")  # the GPU profiles' precision; float32 on the CPU
    configs = [
        (prediction, prediction.Config(size=(64, 64), width=16, discriminator=(16, 32, 64, 64), decay_at=steps // 2,
                                       lr_generator=1e-3, lr_discriminator=1e-4, attention="learned",
                                       precision=bf16, **common)),
        (dissociation, dissociation.Config(size=(64, 64), width=8, clusters=8, pretrain=steps // 2, kmeans_windows=16,
                                           lr=1e-3, precision=bf16, **common)),
        (reconstruction, reconstruction.Config(size=(64, 64), model="convlstm_ae", width=0.25, lr=1e-3, **common)),
    ]

    def weights(model) -> torch.Tensor:
        return torch.cat([p.detach().float().flatten().cpu() for p in model.parameters()])

    for family, config in configs:
        data = noise_videos(config, 3, 24)
        torch.manual_seed(config.seed)  # what train() starts from: the same draws build the same network
        start = weights(family.build(config, 3 if family is dissociation else 1))
        eager = family.train(dataclasses.replace(config, compile=False, cuda_graphs=False), data)
        fast = family.train(dataclasses.replace(config, compile=True, cuda_graphs=True), data)
        problem = disagreement(eager.curves, fast.curves, start, weights(eager.model), weights(fast.model),
                               tolerance, fast.engine.get("notes"))
        if problem:
            return f"{config.family}: {problem}"
    return None


def disagreement(eager: dict, fast: dict, start, eager_weights, fast_weights, tolerance: float = 2e-2,
                 notes=None) -> str | None:
    """Why a fast training run differs from the eager one: a fallback the engine noted, a logged
    loss beyond ``tolerance`` (relative), or final weights further apart than ``tolerance`` of the
    distance training moved them from ``start``; ``None`` when they agree."""
    import torch

    if notes:
        return "; ".join(notes)
    for term, values in eager.items():
        a, b = torch.as_tensor(values), torch.as_tensor(fast.get(term, []))
        if a.shape != b.shape or not torch.allclose(b, a, rtol=tolerance, atol=1e-6, equal_nan=True):
            return f"{term}: eager {a.tolist()} vs graphs+compile {b.tolist()}"
    moved, apart = (eager_weights - start).norm(), (fast_weights - eager_weights).norm()
    if apart > tolerance * moved:
        return f"final weights {apart:.3g} apart after training moved them {moved:.3g}"
    return None


def checked_speed_ups(slot: Slot, device) -> None:
    """Run :func:`self_check` in a child process (a GPU fault there cannot take the slot down) and
    switch CUDA graphs and compilation off for the rest of the slot unless it passes."""
    import subprocess

    command = [sys.executable, "-m", "vadcore.gpu_slot", "--self-check", "--device", str(device)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=max(60.0, min(240.0, slot.left() / 3)))
    verdict = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    if done.returncode == 0 and verdict == "agree":
        slot.log("self-check: CUDA graphs and the compiled flow term train as eager steps do")
        return
    os.environ.update(VADCORE_CUDA_GRAPHS="0", VADCORE_COMPILE="0")
    reason = verdict or (done.stderr.strip().splitlines() or ["no output"])[-1]
    slot.log(f"self-check: switched CUDA graphs and compile off — {reason}")


def measure_speed(slot: Slot, profile: str, device, steps: int | None) -> None:
    """``vadcore bench`` of every family at ``profile`` into ``results/bench.md``, logged."""
    from vadcore import bench

    tick = time.time()
    rows = bench.run([profile], str(device), steps or (20 if device.type == "cuda" else 2),
                     variants=[None, bench.GPU_VARIANTS[-1]] if device.type == "cuda" else None)
    bench.write(rows)
    slot.log(f"bench: {len(rows)} rows in {time.time() - tick:.0f} s")
    for row in rows:
        slot.log(f"  {row.model} [{row.variant}]: engine {row.engine_steps_per_s:.1f} steps/s, bare "
                 f"{row.bare_steps_per_s:.1f}, inference {row.inference_per_s:.0f}/s"
                 + (f", {row.peak_memory_mib:.0f} MiB" if row.peak_memory_mib else "")
                 + (f" — {row.note}" if row.note else ""))


def run_notebooks(slot: Slot, numbers: list[str], profile: str, data: Path | None, device: str) -> list[str]:
    """Each notebook as a script while the budget lasts; returns the ones that finished."""
    from vadcore.reproduce import reproduce

    finished = []
    for number in numbers:
        if slot.left() < MIN_NOTEBOOK_S:
            slot.log(f"notebook {number}: not started, {slot.left():.0f} s left")
            continue
        slot.log(f"notebook {number}: start ({slot.left():.0f} s left)")
        tick = time.time()
        os.environ["VADCORE_DEADLINE"] = str(slot.deadline)
        try:
            reproduce([number], profile, data_root=str(data) if data else None, parameters={"device": device},
                      script=True)
        except (RuntimeError, ValueError) as error:
            reason = str(error).splitlines()[-1] if str(error) else type(error).__name__
            slot.log(f"notebook {number}: stopped after {time.time() - tick:.0f} s — {reason}")
            continue
        finally:
            os.environ.pop("VADCORE_DEADLINE", None)
        slot.log(f"notebook {number}: finished in {time.time() - tick:.0f} s")
        finished.append(number)
    return finished


def seed_runs(archive: Path, runs: Path) -> int:
    """Unpack the finished runs of a previous slot's archive into the run cache; returns how many."""
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith("runs/") and m.isfile()]
        for member in members:
            member.name = member.name[len("runs/"):]
        tar.extractall(runs, members=members, filter="data")
    return len({m.name.split("/")[0] for m in members})


def write_archive(slot: Slot, out: Path, profile: str, results: Path, runs: Path) -> Path:
    """``<out>/gpu-slot.tar.gz``: results, bench, the slot's log, finished runs without weights."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / ARCHIVE
    with tarfile.open(path, "w:gz") as tar:
        for folder in sorted((results / profile).glob("*")) if (results / profile).is_dir() else []:
            if folder.is_dir():
                tar.add(folder, arcname=f"results/{profile}/{folder.name}")
        if (results / "bench.md").is_file():
            tar.add(results / "bench.md", arcname="results/bench.md")
        for run in sorted(runs.glob("*")) if runs.is_dir() else []:
            if (run / "metrics.json").is_file():
                for name in ("identity.json", "metrics.json", "timings.json", "scores.npz"):
                    if (run / name).is_file():
                        tar.add(run / name, arcname=f"runs/{run.name}/{name}")
        text = "\n".join(slot.log_lines).encode() + b"\n"
        info = tarfile.TarInfo("slot.log")
        info.size, info.mtime = len(text), int(time.time())
        tar.addfile(info, io.BytesIO(text))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/gpu-run.sh", description=__doc__.split("\n\n")[0])
    parser.add_argument("--notebooks", nargs="+", default=["01", "02", "03", "04"], help="notebook numbers, in order")
    parser.add_argument("--profile", default="gpu", help="profile (default gpu; smoke to rehearse on a CPU)")
    parser.add_argument("--budget", type=float, default=9.0, help="wall-time budget in minutes, archive included")
    parser.add_argument("--data", type=Path, default=None, help="the dataset's folder: a pack of `vadcore data pack`")
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("OUT", "gpu-slot")), help="where the archive goes")
    parser.add_argument("--work", type=Path, default=None, help="data caches, runs and results (default: a folder in /tmp)")
    parser.add_argument("--runs", type=Path, default=None, help="a previous slot's archive: its finished runs are reused")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--commit", default=None, help="the commit this copy is (recorded in provenance)")
    parser.add_argument("--no-bench", action="store_true")
    parser.add_argument("--self-check", action="store_true", help="only the self-check; prints 'agree' or why not")
    parser.add_argument("--bench-steps", type=int, default=None, help="timed steps per bench row (default: 20 on a GPU, 2 on a CPU)")
    args = parser.parse_args(argv)
    if args.self_check:
        from vadcore import engine

        problem = self_check(engine.use(args.device))
        print(problem or "agree")
        return 0 if problem is None else 1

    work = args.work or Path(os.environ.get("TMPDIR", "/tmp")) / "vadcore-gpu-slot"
    results, runs = work / "results", work / "runs"
    os.environ.update(VADCORE_DATA=str(work / "data"), VADCORE_RESULTS=str(results), VADCORE_RUNS=str(runs),
                      VADCORE_PROGRESS="text", MPLBACKEND="Agg")
    if args.commit:
        os.environ["VADCORE_COMMIT"] = args.commit
    slot = Slot(args.budget * 60, work)
    from vadcore import engine

    device = engine.use(args.device)
    for line in describe_machine():
        slot.log(line)
    slot.log(f"device {device}, profile {args.profile}, notebooks {' '.join(args.notebooks)}, budget {args.budget} min")
    if args.runs is not None:
        slot.log(f"reused {seed_runs(args.runs, runs)} finished runs from {args.runs}")
    if device.type == "cuda":
        checked_speed_ups(slot, device)
    if not args.no_bench and slot.left() > MIN_NOTEBOOK_S:
        try:
            measure_speed(slot, args.profile, device, args.bench_steps)
        except Exception as error:  # noqa: BLE001 — the notebooks matter more than the bench
            slot.log(f"bench: stopped — {type(error).__name__}: {error}")
    finished = run_notebooks(slot, args.notebooks, args.profile, args.data, args.device)
    slot.log(f"finished notebooks: {' '.join(finished) or 'none'}")
    path = write_archive(slot, args.out, args.profile, results, runs)
    slot.log(f"archive {path} ({path.stat().st_size / 2**20:.1f} MiB)")
    return 0 if len(finished) == len(args.notebooks) else 1


if __name__ == "__main__":
    sys.exit(main())
