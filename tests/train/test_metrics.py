"""Metrics match scikit-learn and can be recomputed from predictions alone."""

import numpy as np
import pytest
from sklearn import metrics as skm

from report.train import metrics


def test_binary_metrics_match_hand_counts():
    y = np.array([0, 0, 0, 1, 1, 1, 1, 0])
    p1 = np.array([0.1, 0.6, 0.2, 0.9, 0.4, 0.8, 0.7, 0.3])
    m = metrics.compute(y, np.stack([1 - p1, p1], axis=1), ["neg", "pos"])
    # predicted: 0 1 0 1 0 1 1 0 -> TN=3 FP=1 FN=1 TP=3
    assert m.confusion_matrix == [[3, 1], [1, 3]]
    assert m.accuracy == pytest.approx(6 / 8)
    assert m.classification_report.classes["pos"].support == 4
    assert m.classification_report.classes["neg"].precision == pytest.approx(3 / 4)
    assert m.roc_auc == pytest.approx(skm.roc_auc_score(y, p1))
    assert list(m.roc.per_class) == ["pos"] and m.roc.micro is None


def test_multiclass_curves_and_absent_class():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, size=200)  # class "d" never occurs in the test labels
    prob = rng.dirichlet(np.ones(4), size=200)
    prob[np.arange(200), y] += 1.0
    prob /= prob.sum(axis=1, keepdims=True)
    m = metrics.compute(y, prob, ["a", "b", "c", "d"])
    assert set(m.roc.per_class) == {"a", "b", "c"}
    assert m.roc.micro.auc > 0.5 and m.roc.macro.auc == pytest.approx(
        np.mean([m.roc.per_class[k].auc for k in "abc"])
    )
    assert m.classification_report.classes["d"].support == 0
    assert m.classification_report.accuracy == pytest.approx(m.accuracy)
    assert len(m.confusion_matrix) == 4


def test_roc_points_are_thinned_but_keep_the_ends():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, size=20000)
    p1 = np.clip(y * 0.3 + rng.random(20000) * 0.7, 0, 1)
    m = metrics.compute(y, np.stack([1 - p1, p1], axis=1), ["neg", "pos"])
    curve = m.roc.per_class["pos"]
    assert len(curve.fpr) <= metrics.ROC_MAX_POINTS
    assert curve.fpr[0] == 0.0 and curve.fpr[-1] == 1.0 and curve.tpr[-1] == 1.0


def test_log_loss_matches_sklearn():
    y = np.array([0, 1, 2, 1])
    prob = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4], [0.5, 0.4, 0.1]])
    assert metrics.log_loss(y, prob) == pytest.approx(skm.log_loss(y, prob))


def test_shape_mismatch_is_refused():
    with pytest.raises(ValueError, match="expected"):
        metrics.compute(np.array([0, 1]), np.ones((2, 3)) / 3, ["a", "b"])
