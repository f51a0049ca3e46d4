"""Few-shot scores that learn nothing, on the same fixed episodes as the trained models
(notebook 05): a class is the mean of its support clips' features (a prototype), a query takes the
nearest prototype. Two feature maps: the clip's mean frame (pixels), and a frozen, randomly
initialised ResNet of the profile's size. A learned model means something only above both.
"""
from __future__ import annotations

import numpy as np
import torch

from vadcore.data.actions import ActionClip
from vadcore.data.episodes import fixed_episodes
from vadcore.methods.fewshot import Config, clips_tensor
from vadcore.models.resnet import ResNet


def mean_pixel_features(config: Config, clips: list[ActionClip]) -> np.ndarray:
    """``(N, H·W·3)``: each clip's mean over its sampled frames (test-time sampling)."""
    return np.stack([clips_tensor(config, [clip])[0].mean(0).flatten().numpy() for clip in clips])


@torch.no_grad()
def random_network_features(config: Config, clips: list[ActionClip], seed: int = 0) -> np.ndarray:
    """``(N, D)``: frame features of a ResNet of the config's depth and width with random weights,
    averaged over the sampled frames."""
    torch.manual_seed(seed)
    network = ResNet(config.depth, config.width, maxpool=config.maxpool).eval()
    features = [network(clips_tensor(config, clips[i : i + 16]).flatten(0, 1)).view(-1, config.frames, network.out_channels)
                for i in range(0, len(clips), 16)]
    return torch.cat(features).mean(1).numpy()


def prototype_accuracies(config: Config, features: np.ndarray, labels: list[str], count: int, seed: int) -> np.ndarray:
    """Per-episode query accuracy of the nearest class-mean prototype (Euclidean distance) on the
    fixed episodes ``(count, seed)`` of :func:`vadcore.data.episodes.fixed_episodes`."""
    accuracies = []
    for episode in fixed_episodes(labels, config.way, config.shot, config.test_queries, count, seed):
        support = features[list(episode.support)].reshape(config.way, config.shot, -1).mean(1)
        queries = features[list(episode.query)]
        nearest = ((queries[:, None] - support[None]) ** 2).sum(-1).argmin(1)
        accuracies.append(float(np.mean(nearest == np.asarray(episode.query_labels))))
    return np.asarray(accuracies)


def trivial_accuracies(config: Config, splits: dict[str, list[ActionClip]]) -> dict[str, dict[str, np.ndarray]]:
    """``{score name: {split: per-episode accuracy %}}`` of both trivial scores on the fixed
    episodes of ``config`` (its shot, ``test_episodes`` and ``episode_seed``)."""
    out: dict[str, dict[str, np.ndarray]] = {"mean frame": {}, "random ResNet": {}}
    for split, clips in splits.items():
        labels = [c.label for c in clips]
        for name, features in (("mean frame", mean_pixel_features(config, clips)),
                               ("random ResNet", random_network_features(config, clips))):
            out[name][split] = 100 * prototype_accuracies(config, features, labels, config.test_episodes,
                                                          config.episode_seed)
    return out
