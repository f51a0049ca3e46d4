"""``vadcore bench``: the speed of every method family per profile and device, written to
``results/bench.md`` with the machine it ran on.

For each family's headline model at a profile's size (ADL — AnoPred with the learned attention
map and every loss term —, both reconstruction autoencoders, the dissociation autoencoder in its
joint stage, the key-region TRX) it measures, in one run:

- **engine** training steps/s: the family's own ``train`` (windows drawn on the host and gathered
  on the device, losses read every few steps, the profile's precision, compilation and CUDA-graph
  replay, the notebooks' determinism settings), timed as the difference between a run of
  ``warmup + steps`` iterations and one of ``warmup`` (after an untimed one), so that set-up,
  compilation and capture cancel out;
- **bare** training steps/s: the same model, loss and optimizer on tensors already on the
  device, eagerly, nothing else — the engine's overhead is the ratio of the two (below 1 where
  the engine's speed-ups beat a plain loop);
- **inference** frames/s (clips/s for few-shot): the family's own ``score`` over test clips, and
  peak GPU memory.

On a GPU each profile is also measured with ``deterministic=True`` (what determinism costs) and
in eager float32 (what the speed-ups bring). SGSP saliency (notebook 03), which runs on the CPU,
gets one row per profile.
"""
from __future__ import annotations

import dataclasses
import platform
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from vadcore import engine as engines
from vadcore import paths, report
from vadcore.atomic import write_text
from vadcore.data.actions import ActionClip
from vadcore.data.video import Video, VideoSource
from vadcore.maps.saliency import sgsp
from vadcore.methods import dissociation, family_of, fewshot, prediction, reconstruction
from vadcore.profiles import PROFILES

# the model each row measures: (label, family, profile_config overrides)
MODELS = (
    ("ADL (AnoPred + learned attention)", prediction, {"attention": "learned"}),
    ("ConvLSTM-AE", reconstruction, {"model": "convlstm_ae"}),
    ("Conv-AE", reconstruction, {"model": "conv_ae"}),
    ("dissociation AE (joint stage)", dissociation, {"pretrain": 1}),
    ("key-region TRX", fewshot, {}),
)
SYNTHETIC = {"frames": "synthped", "actions": "synthactions"}  # the embedded data of each input kind
NOT_MEASURED = {("key-region TRX", "full")}  # ResNet-50 from ImageNet weights that must be given as a file


@dataclass
class Measurement:
    profile: str
    model: str
    size: tuple[int, int]
    device: str
    variant: str
    engine_steps_per_s: float
    bare_steps_per_s: float
    inference_per_s: float
    peak_memory_mib: float | None = None
    note: str = ""

    @property
    def overhead(self) -> float:
        """Engine time per step over bare time per step."""
        return self.bare_steps_per_s / self.engine_steps_per_s


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _per_second(function, device: torch.device, steps: int, warmup: int = 1) -> float:
    """Calls of ``function`` per second, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        function()
    _synchronize(device)
    tick = time.perf_counter()
    for _ in range(steps):
        function()
    _synchronize(device)
    return steps / (time.perf_counter() - tick)


def noise_videos(config, n: int, frames: int, labels: bool = False, seed: int = 0) -> list[Video]:
    """``n`` clips of random frames at the config's size (speed does not depend on content)."""
    rng = np.random.default_rng(seed)
    channels = family_of(config).CHANNELS
    shape = (frames, *config.size) + (() if channels == 1 else (channels,))
    videos = []
    for i in range(n):
        array = rng.integers(0, 256, shape, dtype=np.uint8)
        label = (np.arange(frames) >= frames // 2).astype(np.uint8) if labels else None
        videos.append(Video(f"clip{i}", "test" if labels else "train",
                            VideoSource(f"clip{i}", frames, lambda a=array: a, labels=label), tuple(config.size)))
    return videos


def noise_actions(config, split: str, clips_per_class: int, seed: int = 0) -> list[ActionClip]:
    """``config.way`` classes of ``clips_per_class`` RGB clips of random frames at the config's
    size, in ``split`` (speed does not depend on content; rendering a synthactions set would
    cost more than the measurement)."""
    rng = np.random.default_rng(seed)
    shape = (config.frames + 4, *config.size, 3)  # a few frames more than an episode samples
    return [ActionClip(f"{split}{label}_{i}", f"{split}{label}", rng.integers(0, 256, shape, dtype=np.uint8))
            for label in range(config.way) for i in range(clips_per_class)]


def _action_data(config):
    """A training split with enough clips per class for an episode of ``shot`` + ``queries``,
    and a test split of eight clips per class."""
    return ({"train": noise_actions(config, "train", config.shot + config.queries)},
            {"test": noise_actions(config, "test", 8, seed=1)})


def _engine_steps(family, config, train_data, warmup: int, steps: int):
    """Steps/s of the family's own training, from a run of ``warmup + steps`` iterations minus
    one of ``warmup``, both after an untimed run of ``warmup`` (which fills the kernel and
    allocator caches the first run of a process pays for); returns the longer run (its model, and
    its engine's notes) too."""
    family.train(dataclasses.replace(config, iterations=warmup), train_data)
    short = family.train(dataclasses.replace(config, iterations=warmup), train_data)
    long = family.train(dataclasses.replace(config, iterations=warmup + steps), train_data)
    return steps / max(long.seconds - short.seconds, 1e-9), long


def measure(profile: str, label: str, family, overrides: dict, device: str | torch.device = "cpu",
            variant: dict | None = None, warmup: int | None = None, steps: int = 5) -> Measurement:
    """One row: ``label``'s model at ``profile``'s settings (plus ``variant``'s execution or
    precision settings) on ``device``. ``warmup`` (default: 2 on a CPU; 5 on a GPU, so that the
    CUDA graph is captured within it) steps are not timed."""
    device = torch.device(device)
    warmup = warmup if warmup is not None else (5 if device.type == "cuda" else 2)
    config = family.profile_config(profile, SYNTHETIC[family.INPUTS], 0,
                                   **{**overrides, "device": device.type, "validate_every": 0, **(variant or {})})
    engine = engines.Engine.of(config)
    warmup = max(warmup, getattr(config, "pretrain", 0) + 1)  # deep k-means starts within the warm-up
    if family.INPUTS == "actions":
        train_data, test_data = _action_data(config)
        scored_items = lambda scores: len(test_data["test"])  # noqa: E731
    else:
        train_data = noise_videos(config, 4, 24)  # two of them held out where the profile validates
        test_data = noise_videos(config, 2, 24, labels=True, seed=1)
        scored_items = lambda scores: sum(len(s) for s in next(iter(scores.values())))  # noqa: E731
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    engine_rate, trained = _engine_steps(family, config, train_data, warmup, steps)
    model = trained.model
    memory = torch.cuda.max_memory_allocated(device) / 2**20 if device.type == "cuda" else None
    bare_rate = _per_second(family.bare_step(config, engine), device, steps, warmup)
    if family.INPUTS == "actions":  # one episode at the trained shot is enough to time scoring
        config = dataclasses.replace(config, test_episodes=1, test_shots=(config.shot,))
    tick = time.perf_counter()
    scores = family.score(config, model, test_data)
    inference = scored_items(scores) / (time.perf_counter() - tick)
    name = "+".join(f"{k}={v}" for k, v in (variant or {}).items()) or "profile's own"
    return Measurement(profile, label, tuple(config.size), report.device_name(device), name, engine_rate, bare_rate,
                       inference, memory, "; ".join(trained.engine.get("notes", []) + engine.notes))


def inference_fps(model: torch.nn.Module, windows: torch.Tensor, device: str | torch.device | None = None,
                  repeats: int = 5) -> float:
    """Frames per second of a model that scores one frame per window, on a batch of ``windows``
    ``(B, T, C, H, W)`` already on ``device`` (default: the session's): batched, no per-frame loop
    (notebook 04 compares the dissociation model with AnoPred's generator this way)."""
    device = torch.device(device) if device is not None else engines.resolve("auto")
    model, windows = model.to(device).eval(), windows.to(device)

    @torch.inference_mode()
    def infer():
        model(windows)

    return len(windows) * _per_second(infer, device, repeats)


def saliency_fps(profile: str) -> float:
    """SGSP saliency frames/s of an 8-frame clip at the prediction profile's size, on the CPU."""
    size = prediction.PROFILES[profile]["size"]
    frames = (np.random.default_rng(0).random((8, *size)) * 255).astype(np.uint8)
    return _per_second(lambda: sgsp(frames), torch.device("cpu"), 2, warmup=0) * len(frames)


GPU_VARIANTS = [None, {"deterministic": True}, {"precision": "fp32", "compile": False, "cuda_graphs": False}]


def run(profiles: list[str] | None = None, device: str | None = None, steps: int = 5,
        variants: list[dict | None] | None = None) -> list[Measurement]:
    """Every model of :data:`MODELS` at every profile on ``device`` (default: what ``auto``
    means here), with the profile's own settings and, on a GPU, the ``variants`` of
    :data:`GPU_VARIANTS` (determinism, eager float32)."""
    return list(measurements(profiles, device, steps, variants))


def measurements(profiles: list[str] | None = None, device: str | None = None, steps: int = 5,
                 variants: list[dict | None] | None = None) -> Iterator[Measurement]:
    """:func:`run`'s measurements one at a time, as each is made (a GPU slot keeps each)."""
    device = engines.resolve(device or "auto")
    variants = variants or (GPU_VARIANTS if device.type == "cuda" else [None])
    for profile in profiles or PROFILES:
        for label, family, overrides in MODELS:
            if (label, profile) not in NOT_MEASURED:
                for variant in variants:
                    yield measure(profile, label, family, overrides, device, variant, steps=steps)


HEADER = ["profile", "model", "size", "device", "variant", "engine train steps/s", "bare loop steps/s",
          "engine overhead (×)", "inference frames/s", "peak GPU memory (MiB)", "notes"]


def to_markdown(measurements: list[Measurement]) -> str:
    rows = [[m.profile, m.model, f"{m.size[0]}×{m.size[1]}", m.device, m.variant, f"{m.engine_steps_per_s:.2f}",
             f"{m.bare_steps_per_s:.2f}", f"{m.overhead:.2f}", f"{m.inference_per_s:.0f}",
             "—" if m.peak_memory_mib is None else f"{m.peak_memory_mib:.0f}", m.note or ""] for m in measurements]
    return report.markdown_table(HEADER, rows)


def _row_profile(row: str) -> str:
    """The profile named in the first column of a table row of :func:`to_markdown`."""
    return row.split("|")[1].strip()


INTRO = ("# Speed of every method family\n\n"
         "Written by `vadcore bench` (`vadcore/bench.py` says what each column measures). Engine: the "
         "family's own training loop (windows gathered on the device, losses read every 50 steps, the "
         "profile's precision, compilation, CUDA graphs and determinism). Bare loop: the same model, loss "
         "and optimizer on device tensors, eagerly. Overhead = bare steps/s ÷ engine steps/s (below 1: the "
         "engine's speed-ups beat a plain loop). Inference: the family's own scoring (frames/s; few-shot: "
         "test clips embedded per second). Batch sizes and widths are each profile's "
         "(`vadcore.methods.*.profiles`); frames are random (speed does not depend on content).\n\n")


def read_sections(path) -> dict[str, str]:
    """``{machine: its tables}`` of a ``bench.md`` file (none if it is not there)."""
    found = {}
    if path.is_file():
        for block in path.read_text().split("\n## ")[1:]:
            title, _, body = block.partition("\n")
            found[title] = body.strip()
    return found


def write_sections(found: dict[str, str], path) -> str:
    text = INTRO + "".join(f"## {title}\n\n{body}\n\n" for title, body in found.items())
    write_text(path, text)
    return text


def write(measurements: list[Measurement], path=None, saliency: dict[str, float] | None = None) -> str:
    """Add this machine's measurements to ``results/bench.md``: one section per machine, in which
    a new measurement replaces the rows of its profile and keeps the other profiles' rows (the
    same for the SGSP saliency table)."""
    path = path or paths.results_dir() / "bench.md"
    machine = f"{measurements[0].device} — torch {torch.__version__}, Python {platform.python_version()}"
    sections = read_sections(path)
    old_tables = sections.get(machine, "").split("\n\n")
    tables = [_merge(to_markdown(measurements), old_tables[0] if old_tables else "", {m.profile for m in measurements})]
    if saliency:
        rows = [[profile, "×".join(map(str, prediction.PROFILES[profile]["size"])), f"{fps:.1f}"]
                for profile, fps in saliency.items()]
        previous = next((table for table in old_tables if table.startswith("| profile | size | SGSP")), "")
        tables.append(_merge(report.markdown_table(SALIENCY_HEADER, rows), previous, set(saliency)))
    sections[machine] = "\n\n".join(tables)
    return write_sections(sections, path)


SALIENCY_HEADER = ["profile", "size", "SGSP saliency frames/s (SEUNet, notebook 03; on the CPU)"]


def _merge(new: str, old: str, measured: set[str]) -> str:
    """The rows of table ``new`` and those of ``old`` (same header) whose profile was not measured
    now, in profile order."""
    table, previous = new.splitlines(), old.splitlines()
    kept = [row for row in previous[2:] if previous and previous[0] == table[0] and _row_profile(row) not in measured]
    return "\n".join(table[:2] + [row for name in PROFILES for row in table[2:] + kept if _row_profile(row) == name])
