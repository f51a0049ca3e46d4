"""The evaluation protocol against hand-computed cases."""
import math

import numpy as np
import pytest
import torch
from sklearn.metrics import auc as trapezoid_auc

from vadcore import metrics


def test_drop_first_and_minmax():
    assert metrics.drop_first([np.arange(5), np.arange(3)], 2)[0].tolist() == [2, 3, 4]
    np.testing.assert_allclose(metrics.minmax(np.array([2.0, 4.0, 6.0])), [0, 0.5, 1])
    np.testing.assert_array_equal(metrics.minmax(np.array([3.0, 3.0])), [0, 0])
    with pytest.raises(ValueError):
        metrics.drop_first([np.arange(3)], -1)


SCORES = [np.array([1.0, 2.0, 3.0, 4.0]), np.array([10.0, 20.0, 30.0])]
LABELS = [np.array([0, 0, 1, 1]), np.array([0, 1, 0])]


def test_frame_metrics_hand_computed():
    m = metrics.frame_metrics(SCORES, LABELS)
    # per-video min–max: [0, 1/3, 2/3, 1] and [0, 1/2, 1]; positives 2/3, 1, 1/2 vs negatives
    # 0, 1/3, 0, 1: 9.5 of 12 pairs ordered (one tie) → micro 0.7917
    assert m.micro_auc == pytest.approx(9.5 / 12)
    assert m.macro_auc == pytest.approx((1.0 + 0.5) / 2)
    # one global min–max keeps the raw order: positives 3, 4, 20 vs 1, 2, 10, 30 → 7/12
    assert m.global_auc == pytest.approx(7 / 12)
    # ΔS on S = 1 − normalised: normal (1, 2/3, 1, 0) − abnormal (1/3, 0, 1/2)
    assert m.score_gap == pytest.approx((1 + 2 / 3 + 1 + 0) / 4 - (1 / 3 + 0 + 1 / 2) / 3)
    assert (m.n_frames, m.n_anomalous, m.macro_skipped) == (7, 3, [])


def test_regularity_scores_give_the_same_metrics():
    flipped = metrics.frame_metrics([-s for s in SCORES], LABELS, higher_is_normal=True).as_dict()
    direct = metrics.frame_metrics(SCORES, LABELS).as_dict()
    assert flipped.pop("macro_skipped") == direct.pop("macro_skipped") == []
    assert flipped == pytest.approx(direct, nan_ok=True)
    np.testing.assert_allclose(metrics.regularity([SCORES[0]])[0], [1, 2 / 3, 1 / 3, 0])


def test_macro_skips_single_class_videos():
    m = metrics.frame_metrics(SCORES + [np.array([0.2, 0.1])], LABELS + [np.array([1, 1])])
    assert m.macro_skipped == [2] and m.macro_auc == pytest.approx(0.75)


def test_misaligned_or_single_class_inputs_are_errors():
    with pytest.raises(ValueError, match="video 1: 3 scores but 2 labels"):
        metrics.frame_metrics(SCORES, [LABELS[0], np.array([0, 1])])
    with pytest.raises(ValueError, match="single class"):
        metrics.frame_metrics([np.arange(3.0)], [np.zeros(3)])


def test_eer_hand_computed():
    # ROC corners (0,.5), (.5,.5), (.5,1): FPR = FNR = 0.5 exactly
    assert metrics.eer(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])) == pytest.approx(0.5)
    # the crossing lies between two ROC points: scores P .9, N .8, N .7, P .6, N .5 give the ROC
    # (0, 0) (0, ½) (⅔, ½) (⅔, 1) (1, 1); FPR − FNR goes from −½ at (0, ½) to +⅙ at (⅔, ½), so the
    # line between them meets FPR = FNR three quarters of the way: FPR = ½ (either corner: 0 or ⅔)
    assert metrics.eer(np.array([1, 0, 0, 1, 0]), np.array([0.9, 0.8, 0.7, 0.6, 0.5])) == pytest.approx(0.5)
    assert metrics.eer(np.array([0, 1]), np.array([0.3, 0.7])) == pytest.approx(0.0)
    assert metrics.eer(np.array([0, 1]), np.array([0.7, 0.3])) == pytest.approx(1.0)


def test_frame_roc_normalizations():
    fpr, tpr = metrics.frame_roc(SCORES, LABELS, normalization="global")
    assert trapezoid_auc(fpr, tpr) == pytest.approx(7 / 12)
    with pytest.raises(ValueError):
        metrics.frame_roc(SCORES, LABELS, normalization="none")


def test_pixel_rule_hand_computed():
    labels = np.array([0, 1, 1, 0, 1])
    masks = np.zeros((5, 2, 5), bool)
    maps = np.zeros((5, 2, 5))
    maps[0, 0, 0] = 0.6  # normal frame, max 0.6 → false alarm for θ ≤ 0.6
    masks[1, 0, :] = True  # 5 anomalous pixels: need ⌈0.4·5⌉ = 2 of them → the 2nd largest, 0.8
    maps[1, 0, :] = [0.9, 0.8, 0.7, 0.2, 0.1]
    masks[2, 1, :2] = True  # 2 anomalous pixels: need 1 → 0.5
    maps[2, 1, :2] = [0.3, 0.5]
    maps[2, 0, 4] = 0.95  # a high value outside the mask does not help
    maps[3, 1, 1] = 0.4  # normal frame, max 0.4
    np.testing.assert_allclose(metrics.pixel_detection_scores(maps, masks, labels)[:4], [0.6, 0.8, 0.5, 0.4])
    # frame 4 is anomalous with an empty mask: skipped. Positives 0.8, 0.5 vs 0.6, 0.4 → 3/4
    assert metrics.pixel_auc([maps], [masks], [labels]) == (pytest.approx(0.75), 1)


def test_pixel_rule_matches_a_threshold_sweep():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 40)
    masks = (rng.random((40, 6, 6)) < 0.3) & labels[:, None, None].astype(bool)
    masks[labels == 1, 0, 0] = True
    maps = rng.random((40, 6, 6)) + 0.5 * masks
    tpr, fpr = [], []
    for theta in np.concatenate([[np.inf], np.sort(np.unique(maps))[::-1], [-np.inf]]):
        detected = maps >= theta
        covered = (detected & masks).sum(axis=(1, 2)) >= 0.4 * masks.sum(axis=(1, 2))
        tpr.append(np.mean(covered[labels == 1]))
        fpr.append(np.mean(detected[labels == 0].any(axis=(1, 2))))
    assert metrics.pixel_auc([maps], [masks], [labels])[0] == pytest.approx(trapezoid_auc(fpr, tpr))


def test_mean_confidence_interval():
    mean, half = metrics.mean_confidence_interval([0.5, 0.7])
    assert mean == pytest.approx(0.6) and half == pytest.approx(1.96 * 0.1 / math.sqrt(2))
    with pytest.raises(ValueError):
        metrics.mean_confidence_interval([])


def test_thresholds_and_their_accuracy():
    normal_high = [np.array([0.9, 0.8, 0.1, 0.2, 0.7])]  # S_t, high = normal
    labels = [np.array([0, 0, 1, 1, 0])]
    assert metrics.threshold_accuracy(normal_high, labels, 0.5) == pytest.approx(1.0)
    assert metrics.threshold_accuracy(normal_high, labels, 0.75) == pytest.approx(0.8)  # 0.7 flagged
    best = metrics.best_test_threshold(normal_high, labels)
    assert best == pytest.approx(0.2) and metrics.threshold_accuracy(normal_high, labels, best) == pytest.approx(1.0)
    # 5 % false alarms on 100 normal frames 0.00 … 0.99: the 5th lowest
    assert metrics.false_alarm_threshold([np.arange(100) / 100], 0.05) == pytest.approx(0.0495)


def test_iou_and_mask_coverage():
    a = np.zeros((4, 4), bool)
    a[:2] = True  # 8 pixels
    b = np.zeros((4, 4), bool)
    b[1:3] = True  # 8 pixels, 4 shared
    assert metrics.iou(a, b) == pytest.approx(4 / 12) and metrics.iou(a & ~a, a & ~a) == 1.0
    anomalies = np.zeros((3, 4, 4), bool)
    anomalies[0, 0, :2] = True  # fully inside a
    anomalies[2, 1:3, 0] = True  # half inside
    np.testing.assert_allclose(metrics.mask_coverage(a, anomalies), [1.0, 0.5])  # frame 1 has no anomaly
