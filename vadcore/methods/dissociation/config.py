"""What defines a dissociation run (Chang et al. 2022; notebook 04)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from vadcore.methods.base import MethodConfig, tiny

BRANCHES = ("both", "spatial", "motion")


@dataclass(frozen=True)
class Config(MethodConfig):
    """Everything that defines a dissociation run; its hash names the run.

    ``frames`` frames per window: the spatial autoencoder reconstructs the first (FIF), the motion
    autoencoder reads the first ``frames − 1`` and predicts the difference between the last (LIF)
    and the first. Training is ``pretrain`` iterations of the two autoencoders, then deep k-means:
    centres initialised by scikit-learn's KMeans on the codes of ``kmeans_windows`` training windows,
    and ``iterations − pretrain`` joint iterations with the compactness loss (codes to their nearest
    centre, weight ``cluster``). Ablations: ``branches`` (one autoencoder only), ``attention=False``
    (no variance attention), ``kmeans=False`` (no clustering; the score is the prediction error).
    """

    family: ClassVar[str] = "dissociation"
    size: tuple[int, int] = (256, 256)
    frames: int = 5
    width: int = field(default=32, metadata=tiny(8))
    stages: int = 3
    clusters: int = field(default=32, metadata=tiny(8))
    attention: bool = True
    kmeans: bool = True
    branches: str = "both"
    iterations: int = 20_000
    pretrain: int = 10_000
    kmeans_windows: int = 256
    batch_size: int = 4
    lr: float = 1e-4
    gradient: float = 1.0  # weight of the motion autoencoder's gradient loss
    cluster: float = 0.1  # weight of the compactness loss (the authors' code: 0.1)
    validate_every: int = 0

    def __post_init__(self):
        super().__post_init__()
        if self.branches not in BRANCHES:
            raise ValueError(f"unknown branches {self.branches!r}; choose one of {BRANCHES}")
        if self.kmeans and self.branches != "both":
            raise ValueError("deep k-means clusters the codes of both autoencoders: use kmeans=False with one branch")
        if not 0 <= self.pretrain <= self.iterations or (self.kmeans and self.pretrain == self.iterations):
            raise ValueError("pretrain must be within iterations, and leave joint iterations when kmeans is on")
        if self.validate_every and not self.validation_clips:
            raise ValueError("validate_every needs validation_clips > 0")
