"""Optical flow for AnoPred's motion constraint (the ℓ_of term of ADL Eq. 12; notebook 02).

AnoPred and ADL compute the flow loss with a frozen FlowNet, whose weights cannot be downloaded
here. :class:`LucasKanade` is a weight-free stand-in: pyramidal, iterative
Lucas–Kanade written in torch, so it is differentiable end to end and the flow loss reaches the
generator. Any module with the same call signature — ``estimator(first, second) → (B, 2, H, W)``
displacement ``(dx, dy)`` in pixels that carries ``first`` onto ``second`` — can be passed
instead, e.g. a FlowNet/RAFT loaded from a local checkpoint.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import torch
from torch.nn import functional as F

from vadcore.seeding import inductor_follows_kernels

FlowEstimator = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def warp(image: torch.Tensor, flow: torch.Tensor) -> torch.Tensor:
    """Sample ``image`` at ``x + flow(x)`` (bilinear, border-clamped): with the flow of
    ``first → second``, ``warp(second, flow) ≈ first``."""
    _, _, height, width = image.shape
    ys, xs = torch.meshgrid(torch.arange(height, dtype=image.dtype, device=image.device),
                            torch.arange(width, dtype=image.dtype, device=image.device), indexing="ij")
    x = (xs + flow[:, 0]) * (2 / max(width - 1, 1)) - 1
    y = (ys + flow[:, 1]) * (2 / max(height - 1, 1)) - 1
    return F.grid_sample(image, torch.stack([x, y], dim=-1), mode="bilinear", padding_mode="border",
                         align_corners=True)


def _spatial_gradients(image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Central differences (replicate padding), the derivative filter of Lucas–Kanade."""
    padded = F.pad(image, (1, 1, 1, 1), mode="replicate")
    gx = (padded[..., 1:-1, 2:] - padded[..., 1:-1, :-2]) / 2
    gy = (padded[..., 2:, 1:-1] - padded[..., :-2, 1:-1]) / 2
    return gx, gy


class LucasKanade(torch.nn.Module):
    """Coarse-to-fine Lucas–Kanade (Bouguet's pyramidal scheme) with no learned weights.

    At each pyramid level (coarsest first) the flow from the level above is doubled and refined
    ``iterations`` times: ``second`` is warped back by the current flow and the 2×2 normal
    equations of the brightness-constancy residual, summed over a ``window``×``window``
    neighbourhood, are solved in closed form (a small ``ridge`` keeps flat regions at zero flow).

    Args:
        levels: pyramid levels (each halves the size); motions up to ~2^levels pixels are found.
        window: side of the square neighbourhood of the local least-squares fit (odd).
        iterations: warping refinements per level.
        ridge: Tikhonov term added to the structure tensor's diagonal (intensity² units).
        max_step: bound on one refinement's update in pixels, so that textureless or garbled
            regions (an untrained generator's output) cannot produce runaway flow.
        compiled: run :func:`lucas_kanade` through ``torch.compile`` (its ~1,000 element-wise
            operations per call become a few fused kernels; the GPU engine's ``compile``).
    """

    def __init__(self, levels: int = 3, window: int = 7, iterations: int = 2, ridge: float = 1e-4,
                 max_step: float = 1.0, compiled: bool = False):
        super().__init__()
        if window % 2 == 0 or levels < 1 or iterations < 1:
            raise ValueError("window must be odd, levels and iterations positive")
        self.levels, self.window, self.iterations = levels, window, iterations
        self.ridge, self.max_step = ridge, max_step
        self.compiled = compiled

    def forward(self, first: torch.Tensor, second: torch.Tensor) -> torch.Tensor:
        """``(B, C, H, W)`` frames (any intensity scale; colour is averaged) → ``(B, 2, H, W)``."""
        if first.shape != second.shape or first.ndim != 4:
            raise ValueError(f"expected two (B, C, H, W) tensors of one shape, got {tuple(first.shape)} and {tuple(second.shape)}")
        estimate = compiled_lucas_kanade() if self.compiled else lucas_kanade
        return estimate(first, second, self.levels, self.window, self.iterations, self.ridge, self.max_step)


def _box(x: torch.Tensor, window: int) -> torch.Tensor:
    return F.avg_pool2d(x, window, stride=1, padding=window // 2, count_include_pad=False)


def _refine(first: torch.Tensor, second: torch.Tensor, flow: torch.Tensor, window: int, ridge: float,
            max_step: float) -> torch.Tensor:
    warped = warp(second, flow)
    gx, gy = _spatial_gradients((first + warped) / 2)
    gt = warped - first
    sxx, syy, sxy = _box(gx * gx, window), _box(gy * gy, window), _box(gx * gy, window)
    sxt, syt = _box(gx * gt, window), _box(gy * gt, window)
    sxx, syy = sxx + ridge, syy + ridge
    det = sxx * syy - sxy * sxy
    du = (-syy * sxt + sxy * syt) / det
    dv = (sxy * sxt - sxx * syt) / det
    return flow + torch.cat([du, dv], dim=1).clamp(-max_step, max_step)


def lucas_kanade(first: torch.Tensor, second: torch.Tensor, levels: int = 3, window: int = 7, iterations: int = 2,
                 ridge: float = 1e-4, max_step: float = 1.0) -> torch.Tensor:
    """The flow of :class:`LucasKanade` as a plain function of its settings (what ``torch.compile``
    specialises once per frame size, for every run)."""
    pyramid = [(first.mean(1, keepdim=True), second.mean(1, keepdim=True))]
    for _ in range(levels - 1):
        a, b = pyramid[-1]
        if min(a.shape[-2:]) < 2 * window:
            break
        pyramid.append((F.avg_pool2d(a, 2), F.avg_pool2d(b, 2)))
    flow = torch.zeros_like(pyramid[-1][0]).repeat(1, 2, 1, 1)
    for level, (a, b) in enumerate(reversed(pyramid)):
        if level > 0:
            flow = 2 * F.interpolate(flow, size=a.shape[-2:], mode="bilinear", align_corners=False)
        for _ in range(iterations):
            flow = _refine(a, b, flow, window, ridge, max_step)
    return flow


@lru_cache(maxsize=1)
def compiled_lucas_kanade():
    """:func:`lucas_kanade` through ``torch.compile`` (made once per process)."""
    inductor_follows_kernels()
    return torch.compile(lucas_kanade, dynamic=False)


@lru_cache(maxsize=4)
def compile_problem(device: str) -> str | None:
    """Why :func:`compiled_lucas_kanade` cannot run on ``device`` (its forward and backward tried
    once on small frames), or ``None`` when it can: a machine without a working compiler
    toolchain then runs the flow term eagerly instead of failing."""
    try:
        generator = torch.Generator(device).manual_seed(0)  # leaves the global generators alone
        first = torch.rand(1, 1, 32, 32, device=device, generator=generator)
        second = torch.rand(1, 1, 32, 32, device=device, generator=generator).requires_grad_()
        compiled_lucas_kanade()(first, second).abs().mean().backward()
    except Exception as error:  # noqa: BLE001 — any failure to compile means: stay eager
        return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    return None


def flow_loss(prediction: torch.Tensor, target: torch.Tensor, previous: torch.Tensor,
              estimator: FlowEstimator | None = None) -> torch.Tensor:
    """AnoPred's motion loss ℓ_of = mean |f(I_t, Î_{t+1}) − f(I_t, I_{t+1})| (ADL Eq. 12's ℓ_of).

    The flow of the real pair is a fixed target; the flow into the prediction keeps its graph, so
    the loss's gradient reaches the generator."""
    estimator = estimator or LucasKanade()
    with torch.no_grad():
        real = estimator(previous, target)
    return (estimator(previous, prediction) - real).abs().mean()
