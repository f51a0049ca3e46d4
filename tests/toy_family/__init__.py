"""A toy method family that lives outside vadcore, in one folder: it keeps the contract of
:mod:`vadcore.methods.family` and registers itself, and ``cached_run`` trains, scores, evaluates
and caches it without a line of the shared core knowing it exists.

The model is the mean frame, learnt by gradient descent on the squared error; a frame's score is
its squared distance to the mean frame.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch

from vadcore.data.clips import frames_to_tensor
from vadcore.engine import Engine
from vadcore.methods.base import MethodConfig, Trained
from vadcore.methods.evaluation import frame_evaluation
from vadcore.methods.family import eager_step, register, test_split as test_data, train_split as training_data
from vadcore.methods.loop import Session, fit


@dataclass(frozen=True)
class Config(MethodConfig):
    family: ClassVar[str] = "toy"
    iterations: int = 5
    lr: float = 0.1


INPUTS, CHANNELS, PROFILE_KEYS = "frames", 1, ()
PROFILES = {profile: {"size": (8, 8)} for profile in ("smoke", "cpu", "gpu", "full")}


def profile_config(profile: str, dataset: str, seed: int = 0, **overrides) -> Config:
    return Config.from_profile(PROFILES[profile], dataset, seed, **overrides)


class MeanFrame(torch.nn.Module):
    def __init__(self, channels: int, size: tuple[int, int]):
        super().__init__()
        self.mean = torch.nn.Parameter(torch.zeros(channels, *size))

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        return (frames - self.mean).pow(2).sum((1, 2, 3))


def build(config: Config, channels: int = 1) -> MeanFrame:
    return MeanFrame(channels, config.size)


def train(config: Config, videos, run=None) -> Trained:
    def prepare(engine: Engine, sampler: torch.Generator) -> Session:
        frames = torch.cat([frames_to_tensor(v.frames, (0.0, 1.0)) for v in videos])
        model = build(config, frames.shape[1])
        optimizer = torch.optim.SGD(model.parameters(), lr=config.lr)

        def step(_: int) -> dict[str, torch.Tensor]:
            batch = frames[torch.randint(len(frames), (4,), generator=sampler)]
            loss = model(batch).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            return {"loss": loss.detach()}

        return Session(model, step, {"model": model, "optimizer": optimizer})

    return fit(config, run, prepare)


@torch.no_grad()
def score(config: Config, model: MeanFrame, videos) -> dict[str, list[np.ndarray]]:
    return {"distance": [model(frames_to_tensor(v.frames, (0.0, 1.0))).double().numpy() for v in videos]}


def scored_frames(config: Config, n_frames: int) -> np.ndarray:
    return np.arange(n_frames)


def headline(config: Config) -> str:
    return "distance"


def bare_step(config: Config, engine: Engine):
    model = engine.module(build(config))
    frames = torch.rand(4, CHANNELS, *config.size, device=engine.device)
    return eager_step(model, lambda: model(frames).mean())


evaluate = frame_evaluation(scored_frames, headline)

register(__name__)
