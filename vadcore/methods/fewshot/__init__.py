"""Few-shot anomalous action recognition with key-region enhancement on TRX (Xiao et al.,
"Anomalous Action Recognition with Spatio-Temporal Key Region Enhancement and Few-Shot Learning",
Chinese Journal of Computers 48(1), 2025; notebook 05). Where is it trained? Here: :func:`train`.

Unlike the other families this one classifies clips: training draws episodes of the ``train``
classes; scoring runs fixed episodes of the unseen ``test`` classes and of the ``anomalous``
classes and keeps each episode's query accuracy (:mod:`.evaluation` turns them into the mean and
its 95 % interval). The data is an :class:`~vadcore.data.actions.ActionSet`:
:func:`training_data` and :func:`test_data` tell :func:`vadcore.methods.cached_run` which splits
each step reads. Training and scoring run on the config's device (its kind is part of the run's
key, :mod:`vadcore.engine`): a step copies its episode's sampled frames there as uint8 and
normalises them there; frames read from files are decoded and resized once per clip
(:class:`~vadcore.data.actions.FrameCache`).
"""
from __future__ import annotations

import numpy as np
import torch

from vadcore.data.actions import ActionClip, ActionSet, FrameCache, crop_clip, resized_for_crop, sample_frames
from vadcore.data.episodes import Episode, fixed_episodes, sample_episode
from vadcore.engine import Engine, device_of
from vadcore.methods.base import Trained
from vadcore.methods.family import eager_step, register
from vadcore.methods.fewshot.config import Config
from vadcore.methods.fewshot.evaluation import evaluate, headline
from vadcore.methods.fewshot.profiles import (ANOMALOUS, PROFILES, SYNTHACTIONS, VALIDATION,
                                             profile_config, profile_inputs, validation_steps)
from vadcore.methods.loop import Session, fit
from vadcore.models.fewshot import KeyRegionTRX
from vadcore.models.resnet import ResNet, load_torchvision_weights

__all__ = ["ANOMALOUS", "CHANNELS", "Config", "INPUTS", "PROFILES", "PROFILE_KEYS", "SYNTHACTIONS", "VALIDATION",
           "bare_step", "build", "clips_tensor", "embed_clips",
           "episode_accuracies", "evaluate", "headline", "input_frames", "profile_config", "profile_inputs", "score", "test_data", "train",
           "training_data", "validation_steps"]

EVALUATION_SPLITS = ("test", "anomalous")
IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def training_data(data: ActionSet) -> dict[str, list[ActionClip]]:
    return {split: data.splits[split] for split in ("train", "val") if split in data.splits}


def test_data(data: ActionSet) -> dict[str, list[ActionClip]]:
    return {split: data.splits[split] for split in EVALUATION_SPLITS if split in data.splits}
INPUTS, CHANNELS, PROFILE_KEYS = "actions", 3, ("weights",)  # colour action clips; the profile needs the weights


def build(config: Config, channels: int = CHANNELS) -> KeyRegionTRX:
    """Global and (with the key-region branch) local ResNets, from ``config.weights`` when given."""
    if channels != 3:
        raise ValueError("the few-shot backbones read RGB frames")

    def backbone() -> ResNet:
        network = ResNet(config.depth, config.width, maxpool=config.maxpool)
        return load_torchvision_weights(network, config.weights) if config.weights else network

    return KeyRegionTRX(backbone(), backbone() if config.key_region else None, config.frames, config.crop,
                        config.out_dim, config.cardinalities, config.dropout, config.parts)


def input_frames(config: Config, clip: ActionClip, rng: np.random.Generator | None = None,
                 cache: FrameCache | None = None) -> np.ndarray:
    """The network's view of ``clip``, ``(T, H, W, 3)`` uint8 at ``config.size``: frames sampled as
    TRX does, resized to ``config.size`` × 256 / 224 (through ``cache``, made for that size, when
    given), then cropped — at random in training (``rng``; flipped half of the time with
    ``config.flip``), the centre at test time (:func:`~vadcore.data.actions.crop_clip`)."""
    frames = sample_frames(clip, config.frames, rng, resized_for_crop(config.size), cache)
    return crop_clip(frames, config.size, rng, config.flip)


def clips_tensor(config: Config, clips: list[ActionClip], rng: np.random.Generator | None = None,
                 device: str | torch.device = "cpu", cache: FrameCache | None = None) -> torch.Tensor:
    """``(N, T, 3, H, W)`` :func:`input_frames` of ``clips`` on ``device``, ImageNet-normalised:
    stacked as uint8 on the host, copied once, converted on the device."""
    device = torch.device(device)
    frames = torch.from_numpy(np.stack([input_frames(config, c, rng, cache) for c in clips]))
    if device.type == "cuda":
        frames = frames.pin_memory().to(device, non_blocking=True)
    x = frames.to(device).permute(0, 1, 4, 2, 3).float().div_(255)
    mean = torch.tensor(IMAGENET_MEAN, device=device).view(3, 1, 1)
    std = torch.tensor(IMAGENET_STD, device=device).view(3, 1, 1)
    return (x - mean) / std


def _episode_step(config: Config, model: KeyRegionTRX, clips: list[ActionClip], episode: Episode,
                  rng: np.random.Generator, engine: Engine, cache: FrameCache) -> tuple[torch.Tensor, torch.Tensor]:
    """The loss and query accuracy (0-d tensors) of one training episode."""
    on = engine.device
    support = clips_tensor(config, [clips[i] for i in episode.support], rng, on, cache)
    queries = clips_tensor(config, [clips[i] for i in episode.query], rng, on, cache)
    labels = torch.tensor(episode.query_labels, device=on)
    with engine.autocast():
        logits = model(support, torch.tensor(episode.support_labels, device=on), queries, config.way)
    logits = {name: value.float() for name, value in logits.items()}
    return model.loss(logits, labels), (logits["final"].argmax(1) == labels).float().mean()


def train(config: Config, data: dict[str, list[ActionClip]], run=None) -> Trained:
    """``config.optimizer`` on episodes of the ``train`` classes; every ``config.validate_every`` steps the mean
    accuracy on fixed episodes of the ``val`` classes (``val_accuracy``). Returns the model
    after the last step (no selection on the validation curve)."""

    def prepare(engine: Engine, sampler: torch.Generator) -> Session:
        clips = data["train"]
        labels = [c.label for c in clips]
        cache = FrameCache(resized_for_crop(config.size))
        model = engine.module(build(config))
        optimizer = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}[config.optimizer](model.parameters(), lr=config.lr)

        def step(_: int) -> dict[str, torch.Tensor]:
            seed = int(torch.randint(2**62, (1,), generator=sampler))
            torch.manual_seed(seed)  # dropout and random regions: resumable from the sampler's state
            rng = np.random.default_rng(seed)
            optimizer.zero_grad(set_to_none=True)
            losses, accuracies = [], []
            for _ in range(config.tasks_per_batch):
                episode = sample_episode(labels, config.way, config.shot, config.queries, rng)
                loss, accuracy = _episode_step(config, model, clips, episode, rng, engine, cache)
                (loss / config.tasks_per_batch).backward()
                losses.append(loss.detach())
                accuracies.append(accuracy)
            optimizer.step()
            return {"loss": torch.stack(losses).mean(), "accuracy": torch.stack(accuracies).mean()}

        def validate() -> dict[str, float]:  # in evaluation mode (fit's); frames resized once a run
            features = embed_clips(config, model, data["val"], engine=engine, cache=cache)
            return {"accuracy": float(np.mean(episode_accuracies(config, model, data["val"], config.validation_episodes,
                                                                 config.episode_seed + 1, engine=engine,
                                                                 features=features)))}

        return Session(model, step, {"model": model, "optimizer": optimizer},
                       validate if config.validate_every and "val" in data else None)

    return fit(config, run, prepare)


@torch.no_grad()
def embed_clips(config: Config, model: KeyRegionTRX, clips: list[ActionClip], batch_size: int = 16,
                engine: Engine | None = None, cache: FrameCache | None = None) -> dict[str, torch.Tensor]:
    """Every clip's frame features (and key-region centres) in evaluation mode, once, on the
    model's device: an episode then only gathers them (the features of a clip do not depend on
    the episode). Frames are read through ``cache`` when given (a run's validations resize each
    frame once)."""
    engine = engine or Engine(device_of(model))
    parts: dict[str, list[torch.Tensor]] = {}
    for start in range(0, len(clips), batch_size):
        with engine.autocast():
            embedded = model.embed(clips_tensor(config, clips[start : start + batch_size], device=engine.device,
                                                cache=cache))
        for name, value in embedded.items():
            parts.setdefault(name, []).append(value.float())
    return {name: torch.cat(values) for name, values in parts.items()}


@torch.no_grad()
def episode_accuracies(config: Config, model: KeyRegionTRX, clips: list[ActionClip], count: int,
                       seed: int, shot: int | None = None, engine: Engine | None = None,
                       features: dict[str, torch.Tensor] | None = None) -> np.ndarray:
    """Query accuracy of each of ``count`` fixed episodes (``seed``; ``shot`` examples per class,
    default ``config.shot``) over ``clips``, computed on the model's device and read once; the
    clips' ``features`` (:func:`embed_clips` of this model) when given, else embedded here."""
    engine = engine or Engine(device_of(model))
    was_training = model.training
    model.eval()
    if features is None:
        features = embed_clips(config, model, clips, engine=engine)
    labels = [c.label for c in clips]
    on = engine.device
    accuracies = []

    def gather(indices: tuple[int, ...]) -> dict[str, torch.Tensor]:
        return {k: v[list(indices)] for k, v in features.items() if k in ("global", "local")}

    for episode in fixed_episodes(labels, config.way, shot or config.shot, config.test_queries, count, seed):
        with engine.autocast():
            logits = model.classify(gather(episode.support), torch.tensor(episode.support_labels, device=on),
                                    gather(episode.query), config.way)
        accuracies.append((logits.argmax(1) == torch.tensor(episode.query_labels, device=on)).float().mean())
    model.train(was_training)
    return torch.stack(accuracies).double().cpu().numpy() if accuracies else np.zeros(0)


def score(config: Config, model: KeyRegionTRX, data: dict[str, list[ActionClip]]) -> dict[str, list[np.ndarray]]:
    """Per-episode accuracies of ``config.test_episodes`` fixed episodes of each evaluation split,
    one array per K of ``config.evaluated_shots`` (the same episodes for every run with the same
    ``episode_seed``), on the config's device."""
    engine = Engine.of(config)
    model = model.to(engine.device)
    was_training = model.training
    model.eval()
    scores = {}
    for split, clips in data.items():
        features = embed_clips(config, model, clips, engine=engine)  # once for every K
        scores[split] = [episode_accuracies(config, model, clips, config.test_episodes, config.episode_seed, shot, engine,
                                            features=features) for shot in config.evaluated_shots]
    model.train(was_training)
    return scores


def bare_step(config: Config, engine: Engine):
    """One eager update on ``tasks_per_batch`` random episodes (support and queries of random
    frames)."""
    model = engine.module(build(config)).train()
    shape, device = (config.frames, CHANNELS, *config.size), engine.device
    support = torch.randn(config.way * config.shot, *shape, device=device)
    queries = torch.randn(config.way * config.queries, *shape, device=device)
    labels = torch.arange(config.way, device=device).repeat_interleave(config.shot)
    query_labels = torch.arange(config.way, device=device).repeat_interleave(config.queries)

    def loss():
        total = 0.0
        for _ in range(config.tasks_per_batch):
            with engine.autocast():
                logits = model(support, labels, queries, config.way)
            total = total + model.loss({k: v.float() for k, v in logits.items()}, query_labels)
        return total

    return eager_step(model, loss)


register(__name__)
