"""Notebook 05's networks: torchvision-compatible ResNets and the TRX head, against known values."""
from __future__ import annotations

import math
from itertools import combinations

import pytest
import torch

from vadcore.models.resnet import ResNet, load_torchvision_weights
from vadcore.models.trx import TRX, TemporalCrossTransformer


@pytest.mark.parametrize("depth, parameters, keys", [(18, 11_689_512, 122), (34, 21_797_672, 218),
                                                     (50, 25_557_032, 320)])
def test_resnet_matches_torchvision_sizes(depth, parameters, keys):
    """torchvision's resnet18/34/50 have these parameter counts and state_dict sizes."""
    model = ResNet(depth, classes=1000)
    assert sum(p.numel() for p in model.parameters()) == parameters
    assert len(model.state_dict()) == keys
    assert "layer4.0.downsample.1.running_var" in model.state_dict()


def test_resnet_features_and_weight_file(tmp_path):
    model = ResNet(18, width=8).eval()
    x = torch.rand(2, 3, 64, 64)
    assert model.features(x).shape == (2, 64, 2, 2) and model(x).shape == (2, 64)
    source = ResNet(18, width=8, classes=10)
    torch.save(source.state_dict(), tmp_path / "weights.pth")
    loaded = load_torchvision_weights(ResNet(18, width=8), tmp_path / "weights.pth")  # fc dropped
    assert torch.equal(loaded.conv1.weight, source.conv1.weight)
    with pytest.raises(RuntimeError):
        load_torchvision_weights(ResNet(34, width=8), tmp_path / "weights.pth")


def _hand_head(frames: int = 3) -> TemporalCrossTransformer:
    """Cardinality 2 over 2-D features; no position code; value = (x₀ of the first frame, x₀ of
    the second), key = both frames' features (LayerNorm keeps it varied)."""
    head = TemporalCrossTransformer(dim=2, out_dim=2, frames=frames, cardinality=2, dropout=0.0).eval()
    head.position.code.zero_()
    with torch.no_grad():
        head.value.weight.copy_(torch.tensor([[1.0, 0, 0, 0], [0, 0, 1.0, 0]]))
        head.value.bias.zero_()
    return head


def test_trx_distance_by_hand_with_constant_support_clips():
    """A support clip whose frames are all equal has one value for every tuple, so the prototype
    is that value whatever the attention: distance = mean over query tuples of ‖v_q − v_c‖²."""
    head = _hand_head()
    support = torch.tensor([[[1.0, 5.0]] * 3, [[-2.0, 0.0]] * 3])  # class 0: x₀ = 1, class 1: x₀ = −2
    query = torch.tensor([[[0.0, 1.0], [1.0, 1.0], [3.0, 1.0]]])  # x₀ = 0, 1, 3 → tuples (0,1) (0,3) (1,3)
    distances = head(support, torch.tensor([0, 1]), query, way=2)
    tuples = [(0, 1), (0, 3), (1, 3)]
    expected = [sum((a - c) ** 2 + (b - c) ** 2 for a, b in tuples) / 3 for c in (1.0, -2.0)]
    assert torch.allclose(distances, torch.tensor([expected]), atol=1e-5)


def test_trx_head_matches_a_loop_over_tuples_and_shots():
    """The batched head equals TRX's definition written as loops: for each query tuple, one
    softmax over every tuple of every support clip of the class."""
    torch.manual_seed(0)
    head = TemporalCrossTransformer(dim=4, out_dim=6, frames=4, cardinality=3, dropout=0.0).eval()
    support, labels, queries = torch.randn(6, 4, 4), torch.tensor([0, 1, 2, 0, 1, 2]), torch.randn(2, 4, 4)
    got = head(support, labels, queries, way=3)
    tuples = list(combinations(range(4), 3))

    def kv(clip):
        clip = clip + head.position.code[:4]
        rows = [torch.cat([clip[i] for i in t]) for t in tuples]
        return [head.norm(head.key(r)) for r in rows], [head.value(r) for r in rows]

    for q in range(2):
        query_keys, query_values = kv(queries[q])
        for c in range(3):
            members = [kv(support[i]) for i in range(6) if labels[i] == c]
            keys = [k for m in members for k in m[0]]
            values = [v for m in members for v in m[1]]
            total = 0.0
            for qk, qv in zip(query_keys, query_values):
                weights = torch.softmax(torch.stack([qk @ k / math.sqrt(6) for k in keys]), 0)
                prototype = sum(w * v for w, v in zip(weights, values))
                total += ((qv - prototype) ** 2).sum()
            assert torch.allclose(got[q, c], total / len(tuples), atol=1e-4)


def test_trx_combines_heads_by_norm_and_picks_the_matching_class():
    torch.manual_seed(1)
    model = TRX(dim=8, out_dim=16, frames=4, cardinalities=(2, 3), dropout=0.0).eval()
    support = torch.randn(3, 4, 8)
    queries = support + 0.01 * torch.randn(3, 4, 8)
    labels = torch.tensor([0, 1, 2])
    logits = model(support, labels, queries, way=3)
    distances = model.distances(support, labels, queries, way=3)
    assert torch.allclose(logits, -distances.pow(2).sum(-1).sqrt())
    assert logits.argmax(1).tolist() == [0, 1, 2]
