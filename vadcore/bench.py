"""``vadcore bench``: training steps/s and inference frames/s of the frame-prediction model
(AnoPred/ADL U-Net with its patch discriminator, notebook 02), frames/s of SEUNet's SGSP saliency
(notebook 03) and inference frames/s of the dissociation autoencoder (notebook 04), at each
profile's size, written to ``results/bench.md`` with the machine it ran on.

Training is the full ADL step (G with all four losses, then D) on random batches of 4 windows;
inference is batched prediction of frames (no per-frame loop, inputs moved to the device once per
batch). On a GPU each is measured in float32 and with bfloat16 autocast and ``channels_last``.
"""
from __future__ import annotations

import platform
import time
from dataclasses import dataclass

import torch

from vadcore import paths, report
from vadcore.atomic import write_text
from vadcore.maps.saliency import sgsp
from vadcore.methods import dissociation, prediction


@dataclass
class Measurement:
    profile: str
    size: tuple[int, int]
    width: int
    device: str
    variant: str
    train_steps_per_s: float
    inference_fps: float
    peak_memory_mib: float | None
    saliency_fps: float | None = None  # SGSP on the CPU (scikit-image and scipy), fp32 rows only
    dissociation_fps: float | None = None  # the dissociation autoencoder's inference (notebook 04), fp32 rows


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _timed(function, repeats: int, warmup: int, device: torch.device, budget_s: float = 10.0) -> float:
    """Seconds per call of ``function`` after ``warmup`` untimed calls; at most ``repeats`` timed
    calls, fewer when the first one shows they would take longer than ``budget_s`` in all."""
    for _ in range(warmup):
        function()
    _synchronize(device)
    tick = time.perf_counter()
    function()
    _synchronize(device)
    first = time.perf_counter() - tick
    repeats = max(0, min(repeats - 1, int(budget_s / max(first, 1e-9)) - 1))
    tick = time.perf_counter()
    for _ in range(repeats):
        function()
    _synchronize(device)
    return (first + time.perf_counter() - tick) / (repeats + 1)


def measure(profile: str, device: str | torch.device = "cpu", amp: bool = False, channels_last: bool = False,
            steps: int = 10, batches: int = 10, inference_batch: int = 32) -> Measurement:
    """Time ADL training steps and batched inference at ``profile``'s size on ``device``."""
    device = torch.device(device)
    config = prediction.profile_config(profile, "synthped", seed=0, attention="learned")
    height, width = config.size
    torch.manual_seed(0)
    trainer = prediction.Trainer(config, 1, torch.ones(height, width), device=device, amp=amp,
                                 channels_last=channels_last)
    clips = torch.rand(config.batch_size, config.frames + 1, 1, height, width) * 2 - 1
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    step_seconds = _timed(lambda: trainer.step(clips), steps, warmup=1, device=device)
    memory = torch.cuda.max_memory_allocated(device) / 2**20 if device.type == "cuda" else None

    windows = torch.rand(inference_batch, config.frames, 1, height, width) * 2 - 1
    prediction_fps = inference_fps(trainer.generator, windows, device, amp, batches)
    variant = "fp32" if not (amp or channels_last) else "+".join(
        name for name, on in (("bf16 autocast", amp), ("channels_last", channels_last)) if on)
    saliency_fps = dissociation_fps = None
    if variant == "fp32":
        frames = (torch.rand(8, height, width) * 255).to(torch.uint8).numpy()
        saliency_fps = len(frames) / _timed(lambda: sgsp(frames), 3, warmup=0, device=torch.device("cpu"))
        dissociation_fps = dissociation_fps_at(profile, device, inference_batch)
    return Measurement(profile, config.size, config.width, report.device_name(), variant,
                       1 / step_seconds, prediction_fps, memory, saliency_fps, dissociation_fps)


def inference_fps(model: torch.nn.Module, windows: torch.Tensor, device: str | torch.device = "cpu",
                  amp: bool = False, repeats: int = 10) -> float:
    """Frames per second of a model that scores one frame per window, on a batch of ``windows``
    ``(B, T, C, H, W)`` (the same measurement for the prediction family's generator and the
    dissociation model: batched, inputs on the device, no per-frame loop)."""
    device = torch.device(device)
    model, windows = model.to(device).eval(), windows.to(device)

    @torch.inference_mode()
    def infer():
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
            model(windows)

    return len(windows) / _timed(infer, repeats, warmup=1, device=device)


def dissociation_fps_at(profile: str, device: str | torch.device = "cpu", batch: int = 32) -> float:
    """Inference frames/s of an untrained dissociation model at ``profile``'s size, three channels
    (speed does not depend on the weights)."""
    config = dissociation.profile_config(profile, "synthped")
    windows = torch.rand(batch, config.frames, 3, *config.size) * 2 - 1
    return inference_fps(dissociation.build(config, 3), windows, device)


def run(profiles: list[str] | None = None, device: str | None = None, steps: int = 10) -> list[Measurement]:
    """Every profile on the best device here; on a GPU, also with AMP and ``channels_last``."""
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    variants = [(False, False)] + ([(True, False), (False, True), (True, True)] if device.startswith("cuda") else [])
    profiles = profiles or list(prediction.PROFILES)
    return [measure(p, device, amp, cl, steps=steps) for p in profiles for amp, cl in variants]


def to_markdown(measurements: list[Measurement]) -> str:
    header = ["profile", "size", "U-Net width", "device", "variant", "train steps/s (batch 4)",
              "inference frames/s", "peak GPU memory (MiB)", "SGSP saliency frames/s",
              "dissociation AE inference frames/s"]
    rows = [[m.profile, f"{m.size[0]}×{m.size[1]}", str(m.width), m.device, m.variant,
             f"{m.train_steps_per_s:.2f}", f"{m.inference_fps:.0f}",
             "—" if m.peak_memory_mib is None else f"{m.peak_memory_mib:.0f}",
             "—" if m.saliency_fps is None else f"{m.saliency_fps:.1f}",
             "—" if m.dissociation_fps is None else f"{m.dissociation_fps:.0f}"] for m in measurements]
    return report.markdown_table(header, rows)


def _row_profile(row: str) -> str:
    """The profile named in the first column of a table row of :func:`to_markdown`."""
    return row.split("|")[1].strip()


def write(measurements: list[Measurement], path=None) -> str:
    """Add this machine's measurements to ``results/bench.md``: one section per machine, in which
    a new measurement replaces the rows of its profile and keeps the other profiles' rows."""
    path = path or paths.results_dir() / "bench.md"
    machine = f"{measurements[0].device} — torch {torch.__version__}, Python {platform.python_version()}"
    intro = ("# Speed of the frame-prediction model (AnoPred/ADL) and of SGSP saliency (SEUNet)\n\n"
             "Written by `vadcore bench`. Training: one full ADL step (U-Net G with content, gradient, "
             "Lucas–Kanade flow and adversarial losses, then the patch discriminator) on 4 windows of "
             "4+1 frames. Inference: batched prediction, 32 windows per batch. SGSP: saliency maps of an "
             "8-frame clip (superpixels, Lucas–Kanade flow, graph, propagation) on the CPU. Dissociation AE: "
             "batched inference of the two autoencoders with cluster distances (notebook 04), measured like the "
             "prediction model. Sizes and widths are each profile's (`vadcore.methods.*.profiles`).\n\n")
    sections = {}
    if path.is_file():
        for block in path.read_text().split("\n## ")[1:]:
            title, _, body = block.partition("\n")
            sections[title] = body.strip()
    table = to_markdown(measurements).splitlines()  # header, separator, one row per measurement
    measured = {m.profile for m in measurements}
    kept = [row for row in sections.get(machine, "").splitlines()[2:] if _row_profile(row) not in measured]
    rows = [row for name in prediction.PROFILES for row in table[2:] + kept if _row_profile(row) == name]
    sections[machine] = "\n".join(table[:2] + rows)
    text = intro + "".join(f"## {title}\n\n{body}\n\n" for title, body in sections.items())
    write_text(path, text)
    return text
