"""The few-shot anomalous-action network of Xiao et al. (Chinese Journal of Computers 48(1), 2025;
notebook 05): TRX on global frame features, plus a key-region branch whose local features are
concatenated to them, matched with the spatio-temporal refined distance (§3.4) and trained with the
three tricks of §3.5. Every part can be switched off for the ablations; with all of them off it is
TRX on the global features alone, the paper's baseline.

Per frame: the global ResNet gives a feature map and its average (global feature); the relation
module (Eqs. 1–3) gates the map; the channel mean of the gated map weights the anchor points of the
key region (Eqs. 4–7); the crop (Eq. 8) of the input frame goes through the local ResNet (local
feature). Distances to each class of an episode:

- ``refined`` (Eqs. 9–11): the spatial refined distance D_MH (Eqs. 9–10) — separate TRX heads for
  the global and the local sub-space, their squared distances summed per tuple cardinality (a
  squared norm of the concatenation) — classifies (``final``); the temporal refined distance D_TR
  (Eq. 11, the bidirectional mean Hausdorff distance between frame features, divided by the
  feature dimension d as written) gives its own logits (``temporal``) and its own loss: the
  spatio-temporal refined loss STR is the sum of the two cross-entropies;
- otherwise one TRX head over the concatenated features.

Training tricks: ``stop_gradient`` detaches the global map before the branch; ``random_regions``
is the probability of cropping completely random regions instead (centres uniform over the valid
range: the paper feeds a random feature map, which through Eq. 6's softmax weights would average
to the middle); ``extra_losses`` averages STR with the losses of two extra TRM modules, on the
global and on the local features (Eq. 12) — modules of their own, not D_MH's heads.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from vadcore.models.key_region import RelationModule, crop_regions, key_region_centres, random_centres
from vadcore.models.resnet import ResNet
from vadcore.models.trx import TRX


def hausdorff_distance(support: torch.Tensor, queries: torch.Tensor) -> torch.Tensor:
    """Bidirectional mean Hausdorff distance D_TR (Eq. 11) between the frame-feature sets of every
    query ``(Q, T, D)`` and every support clip ``(S, T, D)``, with cosine distance between frames:
    the sum over support frames of the distance to the nearest query frame, plus the converse,
    each divided by d, the dimension of the frame features (D). Returns ``(Q, S)``."""
    cosine = F.normalize(queries, dim=-1)[:, None] @ F.normalize(support, dim=-1)[None].transpose(-2, -1)
    distance = 1 - cosine  # (Q, S, Tq, Ts)
    return (distance.min(dim=-2).values.sum(dim=-1) + distance.min(dim=-1).values.sum(dim=-1)) / support.shape[-1]


@dataclass(frozen=True)
class Parts:
    """Which parts of the method are on (all on: the full method; all off: TRX)."""

    relation: bool = True
    key_region: bool = True
    refined: bool = True
    stop_gradient: bool = True
    random_regions: float = 0.5
    extra_losses: bool = True


class KeyRegionTRX(nn.Module):
    def __init__(self, global_backbone: ResNet, local_backbone: ResNet | None, frames: int, crop: int,
                 out_dim: int, cardinalities: tuple[int, ...] = (2, 3), dropout: float = 0.1, parts: Parts = Parts()):
        super().__init__()
        if parts.key_region != (local_backbone is not None):
            raise ValueError("a local backbone is needed exactly when the key-region branch is on")
        self.parts, self.frames, self.crop = parts, frames, crop
        self.global_backbone, self.local_backbone = global_backbone, local_backbone
        dim_g = global_backbone.out_channels
        dim_l = local_backbone.out_channels if local_backbone is not None else 0
        self.relation = RelationModule(dim_g, frames) if parts.key_region and parts.relation else None

        def head(dim: int) -> TRX:
            return TRX(dim, out_dim, frames, cardinalities, dropout)

        self.head_global = head(dim_g)  # TRX's head; with the key-region branch, Eq. 12's extra TRM modules
        if parts.key_region:
            self.head_local = head(dim_l)
            if parts.refined:  # D_MH's heads (Eq. 9)
                self.spatial_global, self.spatial_local = head(dim_g), head(dim_l)
            else:
                self.head_final = head(dim_g + dim_l)

    def embed(self, clips: torch.Tensor) -> dict[str, torch.Tensor]:
        """Frame features of clips ``(N, T, 3, H, W)``: ``global`` ``(N, T, Dg)`` and, with the
        key-region branch, ``local`` ``(N, T, Dl)``, the ``centres`` ``(N, T, 2)`` of the key
        regions and the ``weights`` ``(N, T, h, w)`` that chose them."""
        n, t, _, height, width = clips.shape
        frames = clips.flatten(0, 1)
        maps = self.global_backbone.features(frames)
        out = {"global": maps.mean(dim=(-2, -1)).view(n, t, -1)}
        if not self.parts.key_region:
            return out
        maps = maps.view(n, t, *maps.shape[1:])
        if self.parts.stop_gradient:
            maps = maps.detach()
        weights = (self.relation(maps) if self.relation is not None else maps).mean(dim=2)
        if self.training and torch.rand(()) < self.parts.random_regions:
            centres = random_centres(n * t, (height, width), self.crop, weights)
        else:
            centres = key_region_centres(weights.flatten(0, 1), (height, width), self.crop)
        local = self.local_backbone(crop_regions(frames, centres, self.crop))
        out.update(local=local.view(n, t, -1), centres=centres.view(n, t, 2), weights=weights)
        return out

    def logits(self, support: dict[str, torch.Tensor], labels: torch.Tensor, queries: dict[str, torch.Tensor],
               way: int) -> dict[str, torch.Tensor]:
        """``final`` logits ``(Q, way)`` (what classifies) and, with the key-region branch, the
        ``global`` and ``local`` extra TRM modules' logits (Eq. 12) and, with ``refined``, the
        ``temporal`` logits −D_TR (a class's D_TR: the mean over its support clips)."""
        out = {"global": self.head_global(support["global"], labels, queries["global"], way)}
        if not self.parts.key_region:
            return {"final": out["global"], **out}
        out["local"] = self.head_local(support["local"], labels, queries["local"], way)
        out["final"] = self.classify(support, labels, queries, way)
        if self.parts.refined:
            frames_s = torch.cat([support["global"], support["local"]], dim=-1)
            frames_q = torch.cat([queries["global"], queries["local"]], dim=-1)
            hausdorff = hausdorff_distance(frames_s, frames_q)  # (Q, S)
            out["temporal"] = -torch.stack([hausdorff[:, labels == c].mean(dim=1) for c in range(way)], dim=1)
        return out

    def classify(self, support: dict[str, torch.Tensor], labels: torch.Tensor, queries: dict[str, torch.Tensor],
                 way: int) -> torch.Tensor:
        """The ``final`` logits of :meth:`logits` alone (what an episode's accuracy reads): TRX's
        head, −‖D_MH‖ (Eqs. 9–11) with ``refined``, else the head on both branches' features —
        without the extra modules' logits, which only training's loss reads."""
        if not self.parts.key_region:
            return self.head_global(support["global"], labels, queries["global"], way)
        if self.parts.refined:
            distances = (self.spatial_global.distances(support["global"], labels, queries["global"], way)
                         + self.spatial_local.distances(support["local"], labels, queries["local"], way))
            return -distances.norm(dim=-1)  # ‖D_MH‖
        both = [torch.cat([d["global"], d["local"]], dim=-1) for d in (support, queries)]
        return self.head_final(both[0], labels, both[1], way)

    def loss(self, logits: dict[str, torch.Tensor], query_labels: torch.Tensor) -> torch.Tensor:
        """The cross-entropy of the final logits — with ``refined``, STR: plus that of the temporal
        logits — averaged with the extra TRM modules' on the global and local features (Eq. 12)
        when ``extra_losses`` is on."""
        final = sum(F.cross_entropy(logits[k], query_labels) for k in ("final", "temporal") if k in logits)
        extra = ["global", "local"] if self.parts.key_region and self.parts.extra_losses else []
        return (final + sum(F.cross_entropy(logits[k], query_labels) for k in extra)) / (1 + len(extra))

    def forward(self, support: torch.Tensor, labels: torch.Tensor, queries: torch.Tensor,
                way: int) -> dict[str, torch.Tensor]:
        """Logits of query clips ``(Q, T, 3, H, W)`` given support clips and their episode labels."""
        embedded = self.embed(torch.cat([support, queries]))
        split = {k: (v[: len(support)], v[len(support):]) for k, v in embedded.items() if k in ("global", "local")}
        return self.logits({k: s for k, (s, _) in split.items()}, labels, {k: q for k, (_, q) in split.items()}, way)
