"""What a GPU slot checks before it trains: the machine's package versions (in seconds), and
whether each of the engine's GPU speed-ups — CUDA graphs, the compiled flow term — trains as the
eager step does.

Two eager trainings of the same model from the same initialisation already differ on a GPU
(cuDNN's autotuned kernels, atomics, bfloat16 rounding): their spread is the *noise floor*. Each
speed-up is trained alone and judged against the eager run with a tolerance of
``max(TOLERANCE, NOISE_FACTOR × noise floor)``; one that disagrees beyond it is switched off alone,
and the slot's log says by how much.
"""
from __future__ import annotations

import dataclasses
import importlib
import json
import platform

TOLERANCE = 2e-2  # relative: a logged loss or the final weights' distance
NOISE_FACTOR = 3.0
SPEED_UPS = {"cuda_graphs": "VADCORE_CUDA_GRAPHS", "compile": "VADCORE_COMPILE"}  # setting → the variable that turns it off

# what the slot's code needs: module → (minimum version, what for); None: any version
NEEDS = {
    "torch": ("2.2", "training"),
    "numpy": ("1.24", "everything"),
    "scipy": ("1.10", "saliency graphs, statistics"),
    "sklearn": ("1.3", "ROC/AUC, k-means"),
    "skimage": ("0.20", "Otsu, SLIC, small-object removal"),
    "matplotlib": ("3.7", "figures"),
    "tqdm": (None, "progress"),
    "filelock": (None, "the run cache's locks"),
}
DECODERS = ("cv2", "av")  # a pack (vadcore data pack) decodes with either


def _version(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split("+")[0].split(".")[:3]:
        digits = "".join(c for c in piece if c.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def versions() -> tuple[list[str], list[str]]:
    """``(lines, problems)``: the version of every package the slot uses (and CUDA's, the GPU's),
    and why the code cannot run here (a missing or too old package), if it cannot."""
    lines, problems = [f"python {platform.python_version()}"], []
    for name, (minimum, use) in {**NEEDS, **{d: (None, "decoding packs") for d in DECODERS}}.items():
        try:
            version = getattr(importlib.import_module(name), "__version__", "?")
        except ImportError:
            lines.append(f"{name}: not installed")
            if name not in DECODERS:
                problems.append(f"{name} is not installed ({use})")
            continue
        lines.append(f"{name} {version}")
        if minimum and version != "?" and _version(version) < _version(minimum):
            problems.append(f"{name} {version} is older than {minimum} ({use})")
    if not any(line.split()[0] in DECODERS and "not installed" not in line for line in lines):
        problems.append(f"neither of {', '.join(DECODERS)} is installed: a pack cannot be decoded")
    import torch

    lines.append(f"CUDA available: {torch.cuda.is_available()}"
                 + (f", CUDA {torch.version.cuda}, {torch.cuda.get_device_name(0)}" if torch.cuda.is_available() else ""))
    return lines, problems


def difference(eager, other, start) -> float:
    """How far a training run ``other`` is from ``eager`` (two :class:`~vadcore.methods.base.Trained`
    of one model from the weights ``start``): the largest relative difference of a logged loss, or
    the distance of the final weights relative to how far training moved them, whichever is larger;
    ``inf`` when a curve is missing or its length differs."""
    import torch

    worst = 0.0
    for term, values in eager.curves.items():
        a, b = torch.as_tensor(values, dtype=torch.float64), torch.as_tensor(other.curves.get(term, []), dtype=torch.float64)
        if a.shape != b.shape:
            return float("inf")
        both = ~(torch.isnan(a) & torch.isnan(b))
        if both.any():
            worst = max(worst, ((a - b).abs() / a.abs().clamp_min(1e-6))[both].nan_to_num(float("inf")).max().item())
    moved = (weights(eager.model) - start).norm().item()
    apart = (weights(other.model) - weights(eager.model)).norm().item()
    return max(worst, apart / max(moved, 1e-12))


def weights(model):
    import torch

    return torch.cat([p.detach().float().flatten().cpu() for p in model.parameters()])


def self_check(device, steps: int = 16) -> dict:
    """Train small models of the prediction (a learning-rate decay half-way: a second graph),
    dissociation (pretraining, then k-means and the joint stage) and reconstruction families from
    one initialisation: eagerly twice (the noise floor), and with each speed-up alone. Returns, per
    speed-up, ``{"worst": largest difference from eager, "noise": largest eager-to-eager
    difference, "ok": within the tolerance, "notes": fallbacks the engine noted}``."""
    import torch

    from vadcore.bench import noise_videos
    from vadcore.engine import precision_on
    from vadcore.methods import dissociation, prediction, reconstruction

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
    eager_only = {"compile": False, "cuda_graphs": False}
    found = {name: {"worst": 0.0, "noise": 0.0, "notes": []} for name in SPEED_UPS}
    for family, config in configs:
        data = noise_videos(config, 3, 24)
        torch.manual_seed(config.seed)  # what train() starts from: the same draws build the same network
        start = weights(family.build(config, family.CHANNELS))
        eager = family.train(dataclasses.replace(config, **eager_only), data)
        noise = difference(eager, family.train(dataclasses.replace(config, **eager_only), data), start)
        for name in SPEED_UPS:
            fast = family.train(dataclasses.replace(config, **{**eager_only, name: True}), data)
            entry = found[name]
            entry["worst"] = max(entry["worst"], difference(eager, fast, start))
            entry["noise"] = max(entry["noise"], noise)
            entry["notes"] += [f"{config.family}: {note}" for note in fast.engine.get("notes", [])]
    for entry in found.values():
        entry["ok"] = not entry["notes"] and entry["worst"] <= max(TOLERANCE, NOISE_FACTOR * entry["noise"])
    return found


def verdict_lines(found: dict) -> tuple[list[str], dict[str, str]]:
    """The log lines of a self-check's result, and the environment that switches off each speed-up
    that failed it."""
    lines, switched = [], {}
    for name, entry in found.items():
        limit = max(TOLERANCE, NOISE_FACTOR * entry["noise"])
        text = (f"self-check {name}: differs from eager by {entry['worst']:.3g} (two eager runs: {entry['noise']:.3g}; "
                f"limit {limit:.3g})" + (f"; {'; '.join(entry['notes'])}" if entry["notes"] else ""))
        if entry["ok"]:
            lines.append(text + " — kept")
        else:
            lines.append(text + " — switched off")
            switched[SPEED_UPS[name]] = "0"
    return lines, switched


def main(device: str) -> int:
    """``python -m vadcore.slot.checks DEVICE``: the self-check as JSON on the last line."""
    from vadcore import engine

    print(json.dumps(self_check(engine.use(device))))
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "auto"))
