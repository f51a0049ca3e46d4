"""What defines a frame-prediction run (AnoPred and its variants; notebooks 02, 03)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from vadcore.methods.base import MethodConfig, tiny

ATTENTIONS = (None, "learned", "human")
MASKS = (None, "sgsp", "motion")
TERMS = ("intensity", "gradient")


@dataclass(frozen=True)
class Config(MethodConfig):
    """Everything that defines a prediction run; its hash names the run. The defaults are AnoPred's
    Ped2 setting (Liu et al. 2018, its code's ``hyper_params.ini``): 4 input frames, batch 4,
    λ = 1, 1, 2, 0.05 (ADL Eq. 12), Adam with G 1e-4 and D 1e-5, both ÷10 after ``decay_at``
    iterations, U-Net 64–512 and patch discriminator 128–512.

    Variants: ``attention`` weights the content and gradient terms named in ``attend`` with ADL's
    learned (ADL Eq. 7) or human (ADL Eq. 1) map; ``mask`` trains SEUNet-style on saliency-masked frames,
    with the mask as the loss weight when ``mask_loss`` (SEUNet Eqs. 3–5), and adds the masked
    PSNR score (SEUNet Eqs. 9–10). ``lk_*`` are the Lucas–Kanade settings of the flow term
    (:class:`vadcore.flow.LucasKanade`), the stand-in for FlowNet.
    """

    family: ClassVar[str] = "prediction"
    size: tuple[int, int] = (256, 256)
    frames: int = 4  # t input frames
    width: int = field(default=64, metadata=tiny(8))  # U-Net channels at the top level (AnoPred: 64 … 512)
    depth: int = 4
    discriminator: tuple[int, ...] = field(default=(128, 256, 512, 512), metadata=tiny((8, 16, 32, 32)))
    iterations: int = 80_000
    decay_at: int | None = 7_000
    batch_size: int = 4
    lr_generator: float = 1e-4
    lr_discriminator: float = 1e-5
    intensity: float = 1.0  # λ_int (λ_acl, SEUNet's λ_mit)
    gradient: float = 1.0  # λ_gd (λ_agd, SEUNet's λ_mgd)
    flow: float = 2.0  # λ_of
    adversarial: float = 0.05  # λ_adv
    attention: str | None = None  # None (AnoPred), "learned" (ADL Eq. 7) or "human" (ADL Eq. 1)
    attend: tuple[str, ...] = TERMS  # the terms the attention map weights
    background: float = 0.1  # B of ADL Eqs. 1 and 7
    mask: str | None = None  # None, "sgsp" (SEUNet's saliency mask) or "motion" (its simple baseline)
    mask_loss: bool = True  # with a mask: weight the content and gradient terms by it (SEUNet Eqs. 4–5)
    lk_levels: int = 3
    lk_window: int = 7
    lk_iterations: int = 2
    lk_ridge: float = 1e-4
    validate_every: int = 0  # iterations between validation measurements (0: none)

    def __post_init__(self):
        super().__post_init__()
        if self.attention not in ATTENTIONS:
            raise ValueError(f"unknown attention {self.attention!r}; choose one of {ATTENTIONS}")
        if self.mask not in MASKS:
            raise ValueError(f"unknown mask {self.mask!r}; choose one of {MASKS}")
        if self.attention is not None and self.mask is not None:
            raise ValueError("an attention map and a saliency mask cannot weight the same loss")
        if not set(self.attend) <= set(TERMS):
            raise ValueError(f"attend must be a subset of {TERMS}, got {self.attend}")
        if self.validate_every and not self.validation_clips:
            raise ValueError("validate_every needs validation_clips > 0")
