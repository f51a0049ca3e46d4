"""What a trained few-shot model does, read from finished runs (notebook 05; not part of a run key):
where its key regions fall (Figure 6), how much of the actor they hold on synthactions (whose actor
boxes are known — no real dataset has them; Table 4), and its feature maps before and after the
relation module (Figure 7)."""
from __future__ import annotations

import numpy as np
import torch

from vadcore.data.actions import ActionClip, centre_crop_origin, frame_indices, resized_for_crop
from vadcore.methods.fewshot import Config, clips_tensor, embed_clips
from vadcore.models.fewshot import KeyRegionTRX


def region_boxes(centres: np.ndarray, crop: int) -> np.ndarray:
    """Boxes ``(..., 4)`` (top, left, bottom, right) of ``crop``-pixel key regions centred on
    ``centres`` ``(..., 2)`` (x, y)."""
    half = crop / 2
    x, y = centres[..., 0], centres[..., 1]
    return np.stack([y - half, x - half, y + half, x + half], axis=-1)


def covered_fraction(regions: np.ndarray, actors: np.ndarray) -> np.ndarray:
    """The fraction of each actor box's area inside the matching region box (both ``(..., 4)``)."""
    top, left = np.maximum(regions[..., 0], actors[..., 0]), np.maximum(regions[..., 1], actors[..., 1])
    bottom, right = np.minimum(regions[..., 2], actors[..., 2]), np.minimum(regions[..., 3], actors[..., 3])
    inside = np.clip(bottom - top, 0, None) * np.clip(right - left, 0, None)
    area = (actors[..., 2] - actors[..., 0]) * (actors[..., 3] - actors[..., 1])
    return inside / np.maximum(area, 1e-9)


@torch.no_grad()
def key_regions(config: Config, model: KeyRegionTRX, clips: list[ActionClip]) -> dict[str, np.ndarray]:
    """For each clip's sampled frames: the key ``regions`` ``(N, T, 4)`` in the working frame, the
    ``actors``' boxes scaled to it (resized, moved by the centre crop and cut to the frame the
    network sees: what lies outside cannot be covered; ``nan`` where a clip has none) and the
    ``covered`` fraction of each actor box."""
    centres = embed_clips(config, model, clips)["centres"].cpu().numpy()
    regions = region_boxes(centres, config.crop)
    actors = np.full(regions.shape, np.nan)
    for i, clip in enumerate(clips):
        if clip.boxes is not None:
            resized = resized_for_crop(config.size)
            scale = np.array(resized * 2, float) / np.array(clip.frames.shape[1:3] * 2, float)
            offset = np.array(centre_crop_origin(resized, config.size) * 2, float)
            boxes = clip.boxes[frame_indices(len(clip), config.frames)] * scale - offset
            actors[i] = np.clip(boxes, 0, np.array(config.size * 2, float))
    return {"regions": regions, "actors": actors, "covered": covered_fraction(regions, actors)}


@torch.no_grad()
def relation_maps(config: Config, model: KeyRegionTRX, clip: ActionClip) -> dict[str, np.ndarray]:
    """Figure 7 of Xiao et al.: the global backbone's feature maps of ``clip``'s sampled frames,
    averaged over channels, ``before`` and ``after`` the spatio-temporal relation module (its
    temporal and motion gates, Eqs. 1–3; the same maps for a model without one, as TRX), each
    ``(T, H, W)`` upsampled bilinearly to the working frame ``config.size``."""
    device = next(model.parameters()).device
    maps = model.global_backbone.features(clips_tensor(config, [clip], device=device).flatten(0, 1)).unsqueeze(0)
    gated = model.relation(maps) if model.relation is not None else maps

    def channel_mean(m: torch.Tensor) -> np.ndarray:  # (1, T, C, h, w) → (T, H, W)
        mean = m.mean(2)[0][:, None]
        return torch.nn.functional.interpolate(mean, size=config.size, mode="bilinear")[:, 0].cpu().numpy()

    return {"before": channel_mean(maps), "after": channel_mean(gated)}
