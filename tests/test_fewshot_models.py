"""Notebook 05's networks: torchvision-compatible ResNets, the TRX head and the key-region branch,
against known values."""
from __future__ import annotations

import math
from itertools import combinations

import pytest
import torch

from vadcore.models.fewshot import KeyRegionTRX, Parts, hausdorff_distance
from vadcore.models.key_region import RelationModule, anchor_points, crop_regions, key_region_centres, valid_range
from vadcore.models.resnet import ResNet, load_torchvision_weights
from vadcore.models.trx import TRX, PositionalEncoding, TemporalCrossTransformer


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
    assert ResNet(18, width=8, maxpool=False).features(x).shape == (2, 64, 4, 4)  # small frames: 1/16
    source = ResNet(18, width=8, classes=10)
    torch.save(source.state_dict(), tmp_path / "weights.pth")
    loaded = load_torchvision_weights(ResNet(18, width=8), tmp_path / "weights.pth")  # fc dropped
    assert torch.equal(loaded.conv1.weight, source.conv1.weight)
    with pytest.raises(RuntimeError):
        load_torchvision_weights(ResNet(34, width=8), tmp_path / "weights.pth")


def test_position_code_by_hand():
    """Vaswani et al.'s code as TRX uses it: 0.1 · sin(pos / 10000^(2i/d)) at dimension 2i and
    0.1 · cos(pos / 10000^(2i/d)) at 2i + 1 (values from a calculator). Swapping sin and cos,
    using 10000^(i/d), or another base gives other numbers at these entries."""
    code = PositionalEncoding(dim=6, length=4, dropout=0.0).code
    assert code.shape == (4, 6)
    torch.testing.assert_close(code[0], torch.tensor([0.0, 0.1, 0.0, 0.1, 0.0, 0.1]))  # sin 0, cos 0
    # pos 1, i = 0: angle 1
    assert code[1, 0].item() == pytest.approx(0.1 * 0.8414709848, abs=1e-7)
    assert code[1, 1].item() == pytest.approx(0.1 * 0.5403023059, abs=1e-7)
    # pos 3, i = 1: angle 3 / 10000^(2/6) = 0.1392476650
    assert code[3, 2].item() == pytest.approx(0.1 * 0.1387981011, abs=1e-7)
    assert code[3, 3].item() == pytest.approx(0.1 * 0.9903206991, abs=1e-7)
    # pos 2, i = 2: angle 2 / 10000^(4/6) = 0.0043088694
    assert code[2, 4].item() == pytest.approx(0.1 * 0.0043088560, abs=1e-8)
    assert code[2, 5].item() == pytest.approx(0.1 * 0.9999907168, abs=1e-7)
    odd = PositionalEncoding(dim=5, length=4, dropout=0.0).code  # an odd width: the last dimension is a sine
    assert odd[3, 2].item() == pytest.approx(0.1 * 0.0752852930, abs=1e-8)  # angle 3 / 10000^(2/5)
    assert odd[3, 3].item() == pytest.approx(0.1 * 0.9971620353, abs=1e-7)
    assert odd[2, 4].item() == pytest.approx(0.1 * 0.0012619144, abs=1e-8)  # angle 2 / 10000^(4/5)
    x = torch.rand(2, 3, 6)
    torch.testing.assert_close(PositionalEncoding(6, 4, dropout=0.0)(x), x + code[:3])


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


# --------------------------------------------------------------------------------------------
# Key-region branch (Eqs. 1–8)
# --------------------------------------------------------------------------------------------


def test_anchor_points_follow_eq5():
    assert valid_range(64, 32) == (15.5, 47.5)
    anchors = anchor_points((3, 5), (64, 64), 32)
    assert anchors.shape == (15, 2)
    assert anchors[0].tolist() == [15.5, 15.5] and anchors[-1].tolist() == [47.5, 47.5]
    assert anchors[1].tolist() == [15.5 + 32 / 4, 15.5]  # x_j = l + (j−1)/(N−1)·(h − l), row by row


def test_one_hot_spot_puts_the_centre_on_its_anchor_and_a_flat_map_in_the_middle():
    weights = torch.zeros(2, 4, 4)
    weights[0, 1, 3] = 60.0  # softmax ≈ one-hot
    centres = key_region_centres(weights, (64, 96), 32)
    anchors = anchor_points((4, 4), (64, 96), 32)
    assert torch.allclose(centres[0], anchors[1 * 4 + 3], atol=1e-4)
    assert torch.allclose(centres[1], torch.tensor([(15.5 + 79.5) / 2, (15.5 + 47.5) / 2]))


def test_crop_is_exact_at_integer_centres_and_bilinear_between_them():
    image = torch.arange(8 * 10, dtype=torch.float32).view(1, 1, 8, 10)
    whole = crop_regions(image, torch.tensor([[4.5, 3.5]]), 8)  # even crop: centre between pixels
    assert torch.allclose(whole[0, 0], image[0, 0, :, 1:9], atol=1e-4)
    odd = crop_regions(image, torch.tensor([[5.0, 4.0]]), 3)
    assert torch.allclose(odd[0, 0], image[0, 0, 3:6, 4:7], atol=1e-4)
    x, y = 5.25, 4.5  # Eq. 8 by hand for the crop's centre pixel
    value = lambda r, c: float(image[0, 0, r, c])
    expected = (value(4, 5) * (1 - 0.25) * (1 - 0.5) + value(4, 6) * 0.25 * (1 - 0.5)
                + value(5, 5) * (1 - 0.25) * 0.5 + value(5, 6) * 0.25 * 0.5)
    assert crop_regions(image, torch.tensor([[x, y]]), 3)[0, 0, 1, 1].item() == pytest.approx(expected, abs=1e-4)


def test_gradient_reaches_the_weight_map_through_the_crop():
    image = torch.linspace(0, 1, 64).expand(1, 1, 64, 64).contiguous()  # brighter to the right
    weights = torch.zeros(1, 4, 4, requires_grad=True)
    crop_regions(image, key_region_centres(weights, (64, 64), 16), 16).mean().backward()
    assert weights.grad is not None and weights.grad.abs().sum() > 0
    assert weights.grad[0, :, 3].sum() > 0 > weights.grad[0, :, 0].sum()  # right-hand anchors gain


def test_relation_module_gates_by_hand():
    """Identity 1×1 frame mixing, a 3-D convolution that keeps only its centre, mean over channels
    for the reduction and an identity 3×3: the temporal gate is the channel mean, the motion gate
    the next frame's reduced map minus this one's, zero at the last frame (Eqs. 1–3)."""
    module = RelationModule(channels=2, frames=3)
    with torch.no_grad():
        for conv in (module.mix, module.temporal, module.reduce, module.motion):
            conv.weight.zero_()
            conv.bias.zero_()
        module.mix.weight[:, :, 0, 0] = torch.eye(3)
        module.temporal.weight[0, 0, 1, 1, 1] = 1.0
        module.reduce.weight[0, :, 0, 0] = 0.5
        module.motion.weight[0, 0, 1, 1] = 1.0
    features = torch.rand(1, 3, 2, 4, 4)
    temporal, motion = module.gates(features)
    mean = features.mean(dim=2, keepdim=True)
    assert torch.allclose(temporal, mean, atol=1e-6)
    assert torch.allclose(motion[:, :2], mean[:, 1:] - mean[:, :2], atol=1e-6)
    assert torch.equal(motion[:, 2], torch.zeros_like(motion[:, 2]))
    out = module(features)
    assert torch.allclose(out, torch.sigmoid(temporal) * features + torch.sigmoid(motion) * features)


# --------------------------------------------------------------------------------------------
# The whole network (Eqs. 9–12) and its parts
# --------------------------------------------------------------------------------------------


def test_hausdorff_distance_by_hand():
    """Eq. 11 divides the two sums by d, the feature dimension (3 here): with two frames a mean
    over the frames would give 1/2 where Eq. 11 gives 1/3."""
    support = torch.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])  # one clip, two frames
    queries = torch.tensor([[[2.0, 0.0, 0.0], [1.0, 0.0, 0.0]], [[0.0, 3.0, 0.0], [1.0, 0.0, 0.0]]])
    # query 0: support frames → nearest query frame: 0 and 1 (sum 1); query frames → 0, 0
    # query 1: support frames → 0, 0; query frames → 0, 0
    assert torch.allclose(hausdorff_distance(support, queries), torch.tensor([[1 / 3], [0.0]]))


def _network(parts: Parts, frames: int = 4) -> KeyRegionTRX:
    torch.manual_seed(0)
    local = ResNet(18, width=4) if parts.key_region else None
    return KeyRegionTRX(ResNet(18, width=4), local, frames=frames, crop=32, out_dim=8, parts=parts)


def _episode(way: int = 3, frames: int = 4):
    torch.manual_seed(1)
    support, queries = torch.rand(way, frames, 3, 64, 64), torch.rand(2 * way, frames, 3, 64, 64)
    return support, torch.arange(way), queries, torch.arange(way).repeat(2)


@pytest.mark.parametrize("parts", [Parts(), Parts(refined=False), Parts(relation=False), Parts(extra_losses=False)])
def test_every_variant_gives_logits_and_a_finite_loss(parts):
    model = _network(parts)
    support, labels, queries, query_labels = _episode()
    logits = model(support, labels, queries, way=3)
    assert logits["final"].shape == (6, 3)
    assert set(logits) == {"final", "global", "local"} | ({"temporal"} if parts.refined else set())
    loss = model.loss(logits, query_labels)
    loss.backward()
    assert torch.isfinite(loss) and model.local_backbone.conv1.weight.grad is not None


def test_without_the_key_region_branch_it_is_trx_on_global_features():
    model = _network(Parts(relation=False, key_region=False, refined=False, extra_losses=False)).eval()
    support, labels, queries, query_labels = _episode()
    logits = model(support, labels, queries, way=3)
    assert torch.equal(logits["final"], logits["global"])
    assert model.loss(logits, query_labels) == torch.nn.functional.cross_entropy(logits["global"], query_labels)


@pytest.mark.parametrize("parts", [Parts(), Parts(refined=False), Parts(relation=False, key_region=False, refined=False,
                                                                       extra_losses=False)], ids=["refined", "head", "trx"])
def test_classify_is_what_classifies_without_the_extra_modules(parts):
    """An episode's accuracy reads :meth:`classify`: −‖D_MH‖ of the two spatial heads (Eqs. 9–11),
    the final head on both branches' features, or TRX's head — the ``final`` logits of training."""
    model = _network(parts).eval()
    support, labels, queries, _ = _episode()
    with torch.no_grad():
        s, q = model.embed(support), model.embed(queries)
        got = model.classify(s, labels, q, way=3)
        if not parts.key_region:
            expected = model.head_global(s["global"], labels, q["global"], 3)
        elif parts.refined:
            expected = -(model.spatial_global.distances(s["global"], labels, q["global"], 3)
                         + model.spatial_local.distances(s["local"], labels, q["local"], 3)).norm(dim=-1)
        else:
            expected = model.head_final(torch.cat([s["global"], s["local"]], -1), labels,
                                        torch.cat([q["global"], q["local"]], -1), 3)
        assert torch.equal(got, expected) and torch.equal(got, model.logits(s, labels, q, 3)["final"])
        assert not torch.allclose(got, model.logits(s, labels, q, 3)["global"]) or not parts.key_region


@pytest.mark.parametrize("stop", [True, False])
def test_stop_gradient_keeps_the_local_loss_out_of_the_global_backbone(stop):
    model = _network(Parts(stop_gradient=stop, random_regions=0.0))
    support, labels, queries, query_labels = _episode()
    logits = model(support, labels, queries, way=3)
    torch.nn.functional.cross_entropy(logits["local"], query_labels).backward()
    grad = model.global_backbone.conv1.weight.grad
    assert (grad is None or grad.abs().sum() == 0) == stop
    assert model.relation.mix.weight.grad.abs().sum() > 0  # the branch itself learns either way


def test_class_hausdorff_term_is_the_mean_over_the_class_shots_by_hand(monkeypatch):
    """Two shots per class, interleaved in the support set: a class's temporal refined distance is
    the mean of the query's Hausdorff distances to each of its support clips (as documented in
    papers.fewshot_key_region); the temporal logits are minus that term. Taking the first shot
    only (or the first ``way`` clips), the nearest shot (min) or the farthest gives other numbers."""
    model = _network(Parts()).eval()
    way = 2
    for head in (model.head_global, model.head_local, model.spatial_global, model.spatial_local):  # 2-frame clips
        monkeypatch.setattr(head, "distances", lambda s, l, q, w: torch.zeros(len(q), w, 2))
        monkeypatch.setattr(head, "forward", lambda s, l, q, w: torch.zeros(len(q), w))
    e1, e2 = [1.0, 0.0], [0.0, 1.0]
    m1 = [-1.0, 0.0]
    support_frames = [[e1, e1], [m1, e2], [e1, e2], [e2, e2]]  # A (class 0), C (1), B (0), D (1)
    query_frames = [[e1, e2], [m1, e2]]

    def features(clips):  # the 2-D vectors in the first global dimensions, zeros elsewhere
        x = torch.tensor(clips)
        dim_g, dim_l = model.global_backbone.out_channels, model.local_backbone.out_channels
        return {"global": torch.cat([x, torch.zeros(*x.shape[:2], dim_g - 2)], dim=-1),
                "local": torch.zeros(*x.shape[:2], dim_l)}

    support, queries = features(support_frames), features(query_frames)
    labels = torch.tensor([0, 1, 0, 1])
    # cosine distances: d(e1, e1) = 0, d(e1, e2) = 1, d(e1, −e1) = 2. Per pair (support → nearest
    # query frame, mean; plus query → nearest support frame, mean):
    # query 0 = (e1, e2): A (0 + 0.5) = 0.5, C (0.5 + 0.5) = 1, B 0, D (0 + 0.5) = 0.5
    # query 1 = (−e1, e2): A (1 + 1.5) = 2.5, C 0, B (0.5 + 0.5) = 1, D (0 + 0.5) = 0.5
    # (means over the 2 frames; Eq. 11's sums over them divided by d are these × 2 / d)
    d = model.global_backbone.out_channels + model.local_backbone.out_channels
    pairs = torch.tensor([[0.5, 1.0, 0.0, 0.5], [2.5, 0.0, 1.0, 0.5]]) * 2 / d
    frames = lambda x: torch.cat([x["global"], x["local"]], dim=-1)  # noqa: E731
    torch.testing.assert_close(hausdorff_distance(frames(support), frames(queries)), pairs)
    with torch.no_grad():
        temporal = model.logits(support, labels, queries, way)["temporal"]
    # class 0 = mean(A, B), class 1 = mean(C, D); first shot: (A, C) = [[0.5, 1], [2.5, 0]];
    # min: [[0, 0.5], [1, 0]]; max: [[0.5, 1], [2.5, 0.5]]
    torch.testing.assert_close(temporal, -torch.tensor([[0.25, 0.75], [1.75, 0.25]]) * 2 / d)


def test_refined_distance_classifies_by_d_mh_and_adds_the_temporal_loss():
    """Eqs. 9–12: the final logits are −‖D_MH‖ of D_MH's own two heads; the temporal logits −D_TR;
    the loss is (CE(final) + CE(temporal) + CE(global) + CE(local)) / 3, the two extra TRM
    modules (global, local) sharing no parameter with D_MH's heads."""
    model = _network(Parts()).eval()
    support, labels, queries, query_labels = _episode()
    with torch.no_grad():
        embedded = model.embed(torch.cat([support, queries]))
        s = {k: embedded[k][:3] for k in ("global", "local")}
        q = {k: embedded[k][3:] for k in ("global", "local")}
        logits = model.logits(s, labels, q, way=3)
        heads = (model.spatial_global.distances(s["global"], labels, q["global"], 3)
                 + model.spatial_local.distances(s["local"], labels, q["local"], 3)).norm(dim=-1)
        frames = lambda d: torch.cat([d["global"], d["local"]], dim=-1)  # noqa: E731
        temporal = hausdorff_distance(frames(s), frames(q))  # one shot: columns are the classes
        ce = {k: torch.nn.functional.cross_entropy(v, query_labels) for k, v in logits.items()}
        loss = model.loss(logits, query_labels)
    torch.testing.assert_close(logits["final"], -heads)
    torch.testing.assert_close(logits["temporal"], -temporal)
    torch.testing.assert_close(loss, (ce["final"] + ce["temporal"] + ce["global"] + ce["local"]) / 3)
    extra = {id(p) for h in (model.head_global, model.head_local) for p in h.parameters()}
    assert not extra & {id(p) for h in (model.spatial_global, model.spatial_local) for p in h.parameters()}


def test_random_regions_cover_the_valid_range():
    """With ``random_regions=1`` every training crop is centred uniformly over the valid range
    (Eq. 4): over 24 frames the centres' spread is a uniform's (SD ≈ 0.29 of the range), where a
    random map through Eq. 6's softmax over a 4×4 grid of anchors stays near the middle (≈ 0.10)."""
    from vadcore.models.key_region import valid_range

    torch.manual_seed(0)
    model = KeyRegionTRX(ResNet(18, width=4, maxpool=False), ResNet(18, width=4, maxpool=False), frames=4, crop=32,
                         out_dim=8, parts=Parts(random_regions=1.0)).train()
    support, *_ = _episode(way=6)
    embedded = model.embed(support)
    assert embedded["weights"].shape[-2:] == (4, 4)
    centres = embedded["centres"].flatten(0, 1)  # 6 clips × 4 frames, 64×64, crop 32
    low, high = valid_range(64, 32)
    assert centres.min() >= low and centres.max() <= high
    assert (centres.std(0) > 0.2 * (high - low)).all()
