"""TRX, the temporal-relational cross-transformer of Perrett et al. ("Temporal-Relational
CrossTransformers for Few-Shot Action Recognition", CVPR 2021): the few-shot head of notebook 05.

Every ordered tuple of ``cardinality`` frames of a clip (all C(T, k) of them, frame features with a
sinusoidal position code scaled by 0.1) is mapped to a key (with LayerNorm) and a value. For each
class, every query tuple attends over all tuples of all the class's support clips (one softmax),
which builds a query-specific prototype; the class distance is the squared distance between the
query's values and that prototype, summed over tuples and divided by their number. Heads of
several cardinalities (TRX uses 2 and 3) are combined as ``−‖(d₂, d₃)‖``.
"""
from __future__ import annotations

import math
from itertools import combinations

import torch
from torch import nn


class PositionalEncoding(nn.Module):
    """Sinusoidal position code (Vaswani et al. 2017) times ``scale``, then dropout."""

    def __init__(self, dim: int, length: int, dropout: float = 0.1, scale: float = 0.1):
        super().__init__()
        position = torch.arange(length).unsqueeze(1)
        frequency = torch.exp(torch.arange(0, dim, 2) * -(math.log(10000.0) / dim))
        code = torch.zeros(length, dim)
        code[:, 0::2] = torch.sin(position * frequency) * scale
        code[:, 1::2] = torch.cos(position * frequency)[:, : dim // 2] * scale
        self.register_buffer("code", code)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (N, T, D)
        return self.dropout(x + self.code[: x.shape[1]])


class TemporalCrossTransformer(nn.Module):
    """One TRX head of one tuple cardinality."""

    def __init__(self, dim: int, out_dim: int, frames: int, cardinality: int, dropout: float = 0.1):
        super().__init__()
        self.position = PositionalEncoding(dim, frames, dropout)
        self.register_buffer("tuples", torch.tensor(list(combinations(range(frames), cardinality))))
        self.key = nn.Linear(dim * cardinality, out_dim)
        self.value = nn.Linear(dim * cardinality, out_dim)
        self.norm = nn.LayerNorm(out_dim)

    def keys_values(self, features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Keys and values ``(N, tuples, out_dim)`` of clips' frame features ``(N, T, D)``."""
        tuples = self.position(features)[:, self.tuples].flatten(2)  # (N, tuples, k·D)
        return self.norm(self.key(tuples)), self.value(tuples)

    def prototypes(self, support: torch.Tensor, support_labels: torch.Tensor, queries: torch.Tensor,
                   way: int) -> tuple[torch.Tensor, torch.Tensor]:
        """``(query values (Q, tuples, E), query-specific prototypes (Q, way, tuples, E))``."""
        support_keys, support_values = self.keys_values(support)
        query_keys, query_values = self.keys_values(queries)
        scale = math.sqrt(query_keys.shape[-1])
        prototypes = []
        for label in range(way):
            members = support_labels == label
            keys = support_keys[members].flatten(0, 1)  # (shots·tuples, E)
            values = support_values[members].flatten(0, 1)
            attention = torch.softmax(query_keys @ keys.T / scale, dim=-1)  # (Q, tuples, shots·tuples)
            prototypes.append(attention @ values)
        return query_values, torch.stack(prototypes, dim=1)

    def forward(self, support: torch.Tensor, support_labels: torch.Tensor, queries: torch.Tensor,
                way: int) -> torch.Tensor:
        """Distances ``(Q, way)`` of each query to each class (mean squared distance per tuple)."""
        query_values, prototypes = self.prototypes(support, support_labels, queries, way)
        return (query_values.unsqueeze(1) - prototypes).pow(2).sum(dim=(-2, -1)) / self.tuples.shape[0]


class TRX(nn.Module):
    """Heads of several cardinalities over frame features ``(N, T, D)``; ``forward`` returns
    logits ``(Q, way)`` = −‖(d_k)_k‖ over the heads' distances."""

    def __init__(self, dim: int, out_dim: int = 1152, frames: int = 8, cardinalities: tuple[int, ...] = (2, 3),
                 dropout: float = 0.1):
        super().__init__()
        self.heads = nn.ModuleList(TemporalCrossTransformer(dim, out_dim, frames, k, dropout) for k in cardinalities)

    def distances(self, support: torch.Tensor, support_labels: torch.Tensor, queries: torch.Tensor,
                  way: int) -> torch.Tensor:
        """``(Q, way, heads)``: each head's distances."""
        return torch.stack([head(support, support_labels, queries, way) for head in self.heads], dim=-1)

    def forward(self, support: torch.Tensor, support_labels: torch.Tensor, queries: torch.Tensor,
                way: int) -> torch.Tensor:
        return -self.distances(support, support_labels, queries, way).norm(dim=-1)
