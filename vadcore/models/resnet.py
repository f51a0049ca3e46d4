"""ResNet backbones (He et al., "Deep Residual Learning for Image Recognition", CVPR 2016) with
torchvision's parameter names, so that a torchvision ``state_dict`` saved to a file loads as it is
(no torchvision dependency, no download): notebook 05's global and local feature extractors.

``width`` scales every stage's channels (64 is the original); the ``cpu`` and ``smoke`` profiles
use a narrow ResNet-18 trained from scratch, ``full`` the paper's ImageNet ResNet-50 from a file.
"""
from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

DEPTHS = {18: ("basic", (2, 2, 2, 2)), 34: ("basic", (3, 4, 6, 3)), 50: ("bottleneck", (3, 4, 6, 3))}


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_channels: int, channels: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = _shortcut(in_channels, channels, stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + (x if self.downsample is None else self.downsample(x)))


class Bottleneck(nn.Module):
    """1×1 → 3×3 (stride, torchvision's "ResNet v1.5") → 1×1 ×4."""

    expansion = 4

    def __init__(self, in_channels: int, channels: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, channels, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.conv3 = nn.Conv2d(channels, channels * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(channels * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = _shortcut(in_channels, channels * 4, stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + (x if self.downsample is None else self.downsample(x)))


def _shortcut(in_channels: int, out_channels: int, stride: int) -> nn.Sequential | None:
    if stride == 1 and in_channels == out_channels:
        return None
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride, bias=False), nn.BatchNorm2d(out_channels))


class ResNet(nn.Module):
    """``features(x)`` gives the last stage's map ``(N, C, H/32, W/32)``, ``forward(x)`` its global
    average ``(N, C)`` (TRX drops the classifier; ``fc`` exists only when ``classes`` is given,
    to load a full torchvision checkpoint). ``maxpool=False`` skips the stem's max pooling (maps
    of H/16 × W/16, for small frames; it has no weights, so checkpoints load either way)."""

    def __init__(self, depth: int = 18, width: int = 64, classes: int | None = None, maxpool: bool = True):
        super().__init__()
        if depth not in DEPTHS:
            raise ValueError(f"depth must be one of {sorted(DEPTHS)}")
        kind, blocks = DEPTHS[depth]
        block = BasicBlock if kind == "basic" else Bottleneck
        self.conv1 = nn.Conv2d(3, width, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1) if maxpool else nn.Identity()
        channels = width
        for stage, count in enumerate(blocks):
            planes = width * 2**stage
            layers = [block(channels, planes, 1 if stage == 0 else 2)]
            channels = planes * block.expansion
            layers += [block(channels, planes) for _ in range(count - 1)]
            setattr(self, f"layer{stage + 1}", nn.Sequential(*layers))
        self.out_channels = channels
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(channels, classes) if classes else None

    def features(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        return self.layer4(self.layer3(self.layer2(self.layer1(x))))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.avgpool(self.features(x)).flatten(1)


def load_torchvision_weights(model: ResNet, path: str | Path) -> ResNet:
    """Load a torchvision ResNet ``state_dict`` (e.g. ``resnet50-*.pth``) from ``path``; the
    classifier ``fc.*`` is dropped when the model has none. Missing or unexpected keys are an error."""
    state = torch.load(Path(path), map_location="cpu", weights_only=True)
    if model.fc is None:
        state = {k: v for k, v in state.items() if not k.startswith("fc.")}
    model.load_state_dict(state, strict=True)
    return model
