"""What defines a few-shot key-region run (Xiao et al. 2025; notebook 05)."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import ClassVar

from vadcore.methods.base import MethodConfig, tiny
from vadcore.models.fewshot import Parts


OPTIMIZERS = ("sgd", "adam")


@dataclass(frozen=True)
class Config(MethodConfig, Parts):
    """Everything that defines a few-shot run; its hash names the run.

    Training is ``iterations`` steps of ``optimizer`` (``"sgd"`` as the paper, or ``"adam"``;
    learning rate ``lr``), each on ``tasks_per_batch``
    episodes of the ``train`` classes (``way``-way ``shot``-shot, ``queries`` queries per class;
    16 episodes per step is TRX's setting: the paper does not give one); frames are resized to
    ``size`` × 256 / 224 and cropped to ``size`` — at random, and flipped half of the time with
    ``flip`` (the paper's augmentation), in training; the centre at test time;
    scoring is ``test_episodes`` fixed episodes (seed ``episode_seed``, one query per class) of
    every evaluation split at every K of ``test_shots`` (empty: ``shot`` only; the paper trains one
    model per K). The backbones are ResNets of ``depth`` and ``width`` (the paper:
    ResNet-50, width 64, from ImageNet weights in the file ``weights``; ``None`` trains from
    scratch). ``crop`` is the key region's side in pixels. The flags are the fields of
    :class:`~vadcore.models.fewshot.Parts`, inherited: all on is the paper's method,
    ``key_region=False`` (and the rest off) its TRX baseline.
    """

    family: ClassVar[str] = "fewshot"
    dataset: str = "synthactions"
    size: tuple[int, int] = (224, 224)
    frames: int = 8
    way: int = 5
    shot: int = 1
    test_shots: tuple[int, ...] = ()
    queries: int = 3
    test_queries: int = 1
    test_episodes: int = 10_000
    episode_seed: int = 0
    iterations: int = 30_000
    tasks_per_batch: int = 16
    lr: float = 1e-3
    optimizer: str = "sgd"
    depth: int = 50
    width: int = field(default=64, metadata=tiny(4, unless="weights"))
    maxpool: bool = True  # False: feature maps at 1/16 of the frame (more anchor points on small frames)
    weights: str | None = None
    crop: int = 128
    flip: bool = True
    out_dim: int = field(default=1152, metadata=tiny(32))
    cardinalities: tuple[int, ...] = (2, 3)
    dropout: float = 0.1
    validation_episodes: int = 0  # episodes of the val classes measured every validate_every steps
    validate_every: int = 0

    @property
    def evaluated_shots(self) -> tuple[int, ...]:
        """The K of each score list, in order."""
        return self.test_shots or (self.shot,)

    @property
    def parts(self) -> Parts:
        return Parts(**{f.name: getattr(self, f.name) for f in fields(Parts)})

    def __post_init__(self):
        super().__post_init__()
        if not self.key_region and (self.relation or self.refined or self.extra_losses or self.random_regions):
            raise ValueError("without the key-region branch, relation, refined, extra_losses and random_regions "
                             "must be off (that is TRX)")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer {self.optimizer!r}: choose one of {', '.join(OPTIMIZERS)}")
        if self.crop > min(self.size):
            raise ValueError(f"crop {self.crop} is larger than the frames {self.size}")
        if self.validate_every and not self.validation_episodes:
            raise ValueError("validate_every needs validation_episodes > 0")
