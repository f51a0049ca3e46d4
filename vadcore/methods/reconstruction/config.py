"""What defines a reconstruction run (notebook 01; ADL Table IV in notebook 02)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from vadcore.methods.base import MethodConfig, tiny

MODELS = ("convlstm_ae", "conv_ae")


@dataclass(frozen=True)
class Config(MethodConfig):
    """Everything that defines a reconstruction run; its hash names the run. The defaults are the
    ConvLSTM tutorial's: 10-frame windows with temporal strides 1–3, Adam with lr 1e-4 and
    eps 1e-6, full channel widths. ``attention="learned"`` weights the reconstruction loss with
    ADL's learned map (ADL Eq. 8; ADL Table IV)."""

    family: ClassVar[str] = "reconstruction"
    model: str = "convlstm_ae"  # "convlstm_ae" (Chong & Tay, tutorial) or "conv_ae" (Hasan et al.)
    window: int = 10
    strides: tuple[int, ...] = (1, 2, 3)
    width: float = field(default=1.0, metadata=tiny(0.25))  # of the models' channel counts
    iterations: int = 600
    batch_size: int = 4
    lr: float = 1e-4
    eps: float = 1e-6
    score_stride: int = 1  # windows scored every this many frames (1: every window; each frame is in one at least)
    attention: str | None = None  # None, or "learned" (ADL Eqs. 6–8)
    background: float = 0.1  # ADL's B when attention is used
    validate_every: int = 0  # iterations between validation measurements (0: none)

    def __post_init__(self):
        super().__post_init__()
        if self.model not in MODELS:
            raise ValueError(f"unknown model {self.model!r}; choose one of {', '.join(MODELS)}")
        if not 1 <= self.score_stride <= self.window:
            raise ValueError(f"score_stride must be 1 … window ({self.window}), got {self.score_stride}")
        if self.attention not in (None, "learned"):
            raise ValueError(f"unknown attention {self.attention!r}; choose None or 'learned'")
        if self.validate_every and not self.validation_clips:
            raise ValueError("validate_every needs validation_clips > 0")
