"""Few-shot scores that learn nothing (notebook 05), on the same fixed episodes as the trained
models.

- Prototypes (Table 1's reference rows): a class is the mean of its support clips' features, a
  query takes the nearest class. Two feature maps: the clip's mean frame (pixels), and a frozen,
  randomly initialised ResNet of the profile's size. A learned model means something only above
  both.
- Random key regions (Table 4's reference column): a region placed uniformly at random in the
  valid range of centres, what a key-region branch that learnt nothing would give.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from vadcore.data.actions import ActionClip
from vadcore.data.episodes import fixed_episodes
from vadcore.methods import fewshot
from vadcore.methods.fewshot.diagnostics import covered_fraction, region_boxes
from vadcore.models.resnet import ResNet


def mean_pixel_features(config: fewshot.Config, clips: list[ActionClip]) -> np.ndarray:
    """``(N, H·W·3)``: each clip's mean over its sampled frames (test-time sampling)."""
    return np.stack([fewshot.clips_tensor(config, [clip])[0].mean(0).flatten().numpy() for clip in clips])


@torch.no_grad()
def random_network_features(config: fewshot.Config, clips: list[ActionClip], seed: int = 0) -> np.ndarray:
    """``(N, D)``: frame features of a ResNet of the config's depth and width with random weights,
    averaged over the sampled frames."""
    torch.manual_seed(seed)
    network = ResNet(config.depth, config.width, maxpool=config.maxpool).eval()
    features = [network(fewshot.clips_tensor(config, clips[i : i + 16]).flatten(0, 1))
                .view(-1, config.frames, network.out_channels) for i in range(0, len(clips), 16)]
    return torch.cat(features).mean(1).numpy()


def prototype_accuracies(config: fewshot.Config, features: np.ndarray, labels: list[str], count: int,
                         seed: int) -> np.ndarray:
    """Per-episode query accuracy of the nearest class-mean prototype (Euclidean distance) on the
    fixed episodes ``(count, seed)`` of :func:`vadcore.data.episodes.fixed_episodes`."""
    accuracies = []
    for episode in fixed_episodes(labels, config.way, config.shot, config.test_queries, count, seed):
        support = features[list(episode.support)].reshape(config.way, config.shot, -1).mean(1)
        queries = features[list(episode.query)]
        nearest = ((queries[:, None] - support[None]) ** 2).sum(-1).argmin(1)
        accuracies.append(float(np.mean(nearest == np.asarray(episode.query_labels))))
    return np.asarray(accuracies)


def trivial_accuracies(config: fewshot.Config, splits: dict[str, list[ActionClip]]) -> dict[str, dict[str, np.ndarray]]:
    """``{score name: {split: per-episode accuracy %}}`` of both prototype scores (the reference
    rows of notebook 05's Table 1) on the fixed episodes of ``config`` (its shot,
    ``test_episodes`` and ``episode_seed``)."""
    out: dict[str, dict[str, np.ndarray]] = {"mean frame": {}, "random ResNet": {}}
    for split, clips in splits.items():
        labels = [c.label for c in clips]
        for name, features in (("mean frame", mean_pixel_features(config, clips)),
                               ("random ResNet", random_network_features(config, clips))):
            out[name][split] = 100 * prototype_accuracies(config, features, labels, config.test_episodes,
                                                          config.episode_seed)
    return out


def random_region_centres(shape: Sequence[int], crop: int, size: tuple[int, int],
                          rng: np.random.Generator) -> np.ndarray:
    """Centres ``(*shape, 2)`` (x, y) of ``crop``-pixel regions drawn uniformly over the valid
    range of a ``size`` ``(height, width)`` frame, ``[(crop − 1)/2, side − 1 − (crop − 1)/2]`` per
    axis — the range the key-region centre is clamped to (Eq. 7 of Xiao et al.)."""
    low = (crop - 1) / 2
    high = np.array([size[1], size[0]], float) - 1 - low
    return rng.uniform(low, high, (*shape, 2))


def random_region_coverage(actors: np.ndarray, crop: int, size: tuple[int, int],
                           rng: np.random.Generator) -> np.ndarray:
    """The fraction of each actor box ``(..., 4)`` inside a random region of
    :func:`random_region_centres` (one per box): the chance column of notebook 05's Table 4
    (share of the actor inside the key region), ``nan`` where a box is ``nan``."""
    centres = random_region_centres(actors.shape[:-1], crop, size, rng)
    return covered_fraction(region_boxes(centres, crop), actors)
