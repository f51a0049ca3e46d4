"""The few-shot family's settings per profile, as flat literals (notebook 05).

``full`` is the paper's Kinetics setting (§4.1.2): 224×224 frames, ResNet-50 from ImageNet weights
(give the file's path as ``weights``: without it ``full`` refuses to start), 128×128 key regions,
SGD at 10⁻³ for 30,000 iterations (of 16 episodes, TRX's setting: the paper gives none), 3 queries
per class in training and 10,000 test episodes, random crops and flips in training. ``cpu`` and ``smoke`` run on synthactions with narrow ResNet-18s trained from scratch,
smaller frames and key regions (the same 4 : 7 ratio of region to frame as 128 : 224), no max
pooling in the stem, random crops without flips (a flip would turn synthactions' “right” into an
unseen “left”), one episode per step, fewer test episodes, Adam instead of SGD, and one model
per method and seed trained on 5-shot episodes and tested at 1 and 5 shots (``test_shots``).
``gpu`` trains the same way on larger synthactions frames (96×96) with a ResNet-18 of width 32,
four episodes per step and twice the steps, in float32. Why each of these settings: the
"Few-shot (notebook 05)" section of ``docs/profiles.md``.
"""
from __future__ import annotations

from pathlib import Path

from vadcore.methods.fewshot.config import Config
from vadcore.profiles import ENGINE

# episodes are drawn and cropped on the host step by step: no CUDA graph, nothing to compile
EAGER = {"compile": False, "cuda_graphs": False}
PROFILES = {
    "smoke": {"size": (32, 32), "crop": 16, "flip": False, "depth": 18, "width": 4, "maxpool": False, "out_dim": 32, "iterations": 20,
              "optimizer": "adam", "shot": 5, "test_shots": (1, 5), "tasks_per_batch": 1, "test_episodes": 50,
              "validation_episodes": 20, "validate_every": 10},
    "cpu": {"size": (64, 64), "crop": 36, "flip": False, "depth": 18, "width": 16, "maxpool": False, "out_dim": 128, "iterations": 1000,
            "optimizer": "adam", "shot": 5, "test_shots": (1, 5), "tasks_per_batch": 1, "test_episodes": 1000,
            "validation_episodes": 100, "validate_every": 100},
    "gpu": {"size": (96, 96), "crop": 54, "flip": False, "depth": 18, "width": 32, "maxpool": False, "out_dim": 256,
            "iterations": 2000, "optimizer": "adam", "shot": 5, "test_shots": (1, 5), "tasks_per_batch": 4,
            "test_episodes": 2000, "validation_episodes": 200, "validate_every": 250, **EAGER},
    "full": {**EAGER},
}
# the dataset whose test classes are the anomalous split (synthactions has its own)
ANOMALOUS = {"full": "ucfcrime_v2"}
# synthactions settings per profile (SynthActionsConfig fields): frames as large as the profile's
SYNTHACTIONS = {
    "smoke": {"size": 32, "frames": 8, "clips_per_class": 8, "anomalous_clips_per_class": 8, "distractors": 2},
    "cpu": {"size": 64, "frames": 12, "clips_per_class": 20, "anomalous_clips_per_class": 20},
    "gpu": {"size": 96, "frames": 12, "clips_per_class": 20, "anomalous_clips_per_class": 20},
}


# Validation search per profile: the learning rate, on TRX (the baseline, so that the key-region
# model gets no tuning of its own) at the largest shot, by the accuracy on episodes of the
# validation classes; both methods then train at the chosen rate.
VALIDATION = {
    "smoke": {"iterations": 10, "shot": 5, "stages": [[{"lr": 1e-3}, {"lr": 3e-3}]]},
    "cpu": {"iterations": 300, "shot": 5, "stages": [[{"lr": lr} for lr in (3e-4, 1e-3, 3e-3)]]},
    "gpu": {"iterations": 300, "shot": 5, "stages": [[{"lr": lr} for lr in (3e-4, 1e-3, 3e-3)]]},
}
# profiles whose backbone starts from ImageNet weights, which must be given as a file
NEEDS_WEIGHTS = ("full",)
TRX = {"key_region": False, "relation": False, "refined": False, "extra_losses": False, "random_regions": 0.0}


def profile_config(profile: str, dataset: str, seed: int = 0, **overrides) -> Config:
    """The config a profile trains with; ``overrides`` set an ablation row. A profile of
    :data:`NEEDS_WEIGHTS` needs ``weights``, the path of a torchvision-format ResNet state_dict."""
    if profile in NEEDS_WEIGHTS:
        check_weights(profile, overrides.get("weights"))
    return Config.from_profile({**ENGINE[profile], **PROFILES[profile]}, dataset, seed, **overrides)


def profile_inputs(profile: str, weights: str | None = None) -> dict:
    """What a profile needs beyond its settings, checked before anything runs: for a profile of
    :data:`NEEDS_WEIGHTS`, ``weights`` (the notebook parameter ``backbone_weights``) must name a
    torchvision-format ResNet state_dict file. Returns the overrides to pass to every
    :func:`profile_config`."""
    if profile in NEEDS_WEIGHTS:
        check_weights(profile, weights)
    return {} if weights is None else {"weights": str(weights)}


def check_weights(profile: str, weights) -> None:
    """A clear error when ``profile`` needs ImageNet weights and ``weights`` names no file."""
    if weights is None:
        raise ValueError(f"profile {profile!r} trains ResNet-{Config.depth} from ImageNet weights, which cannot be "
                         "downloaded here: give the file (a torchvision state_dict, e.g. resnet50-0676ba61.pth) as "
                         "the notebook parameter `backbone_weights` "
                         "(vadcore reproduce 05 --profile full -p backbone_weights=/path/to/file)")
    if not Path(weights).is_file():
        raise ValueError(f"backbone_weights {str(weights)!r}: no such file (a torchvision ResNet state_dict)")
def validation_steps(profile: str, dataset: str, seed: int = 0, lr: float | None = None, *, device: str,
                     **overrides):
    """The learning-rate search of :data:`VALIDATION` on the validation classes, as a study's steps
    (:mod:`vadcore.methods.study`), its runs with ``overrides`` (e.g. the backbone's weights);
    returns ``(settings, choice)`` (``lr`` given: no search; ``full``: the paper's 10⁻³, ``choice``
    ``None``)."""
    from vadcore.methods.validation import search

    if lr is not None or profile not in VALIDATION:
        return ({"lr": lr} if lr is not None else {}), None
    settings = VALIDATION[profile]
    base = profile_config(profile, dataset, seed, iterations=settings["iterations"], shot=settings["shot"],
                          **{**overrides, **TRX}, device=device)
    choice = yield from search(base, settings["stages"], "accuracy", prefix="validation")
    return dict(choice.chosen), choice
