"""Test-set metrics from labels and probabilities, with scikit-learn.

Pure NumPy/scikit-learn (no TensorFlow), so a metric can be recomputed from
``predictions.npz`` at any time and checked against ``results.json``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn import metrics as skm
from sklearn.preprocessing import label_binarize

from report.results.experiment_results import (
    ClassificationReport,
    ReportRow,
    RocCurve,
    RocCurves,
    TestMetrics,
)

# Enough points to draw a smooth curve in a figure; the raw curve on 25,000
# reviews has thousands, which would bloat results.json for no visible gain.
ROC_MAX_POINTS = 400


def log_loss(y_true: np.ndarray, y_prob: np.ndarray) -> float:
    """Mean cross-entropy, clipped like Keras so a confident mistake stays finite."""
    eps = 1e-7
    p = np.clip(y_prob[np.arange(len(y_true)), y_true], eps, 1 - eps)
    return float(-np.mean(np.log(p)))


def compute(y_true: np.ndarray, y_prob: np.ndarray, class_names: Sequence[str]) -> TestMetrics:
    """All test metrics of the report from true class indices and an (n, C) probability matrix."""
    y_true = np.asarray(y_true, dtype=int)
    y_prob = np.asarray(y_prob, dtype=float)
    n_classes = len(class_names)
    if y_prob.shape != (len(y_true), n_classes):
        raise ValueError(f"y_prob has shape {y_prob.shape}, expected ({len(y_true)}, {n_classes})")
    labels = np.arange(n_classes)
    y_pred = y_prob.argmax(axis=1)
    return TestMetrics(
        accuracy=float(skm.accuracy_score(y_true, y_pred)),
        loss=log_loss(y_true, y_prob),
        roc_auc=_headline_auc(y_true, y_prob, labels),
        classification_report=classification_report(y_true, y_pred, class_names),
        confusion_matrix=skm.confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        roc=roc_curves(y_true, y_prob, class_names),
    )


def classification_report(y_true: np.ndarray, y_pred: np.ndarray, class_names: Sequence[str]) -> ClassificationReport:
    raw = skm.classification_report(
        y_true,
        y_pred,
        labels=np.arange(len(class_names)),
        target_names=list(class_names),
        output_dict=True,
        zero_division=0,
    )

    def row(d: dict) -> ReportRow:
        return ReportRow(
            precision=float(d["precision"]),
            recall=float(d["recall"]),
            f1_score=float(d["f1-score"]),
            support=int(d["support"]),
        )

    return ClassificationReport(
        classes={name: row(raw[name]) for name in class_names},
        # with labels= given, sklearn reports "micro avg" instead of "accuracy"
        # when some label is absent from y_pred; accuracy is the same number.
        accuracy=float(skm.accuracy_score(y_true, y_pred)),
        macro_avg=row(raw["macro avg"]),
        weighted_avg=row(raw["weighted avg"]),
    )


def _headline_auc(y_true: np.ndarray, y_prob: np.ndarray, labels: np.ndarray) -> float:
    if len(labels) == 2:
        return float(skm.roc_auc_score(y_true, y_prob[:, 1]))
    present = np.unique(y_true)
    # roc_auc_score needs every class present; on a subset, average over those that are.
    Y = label_binarize(y_true, classes=labels)[:, present]
    return float(skm.roc_auc_score(Y, y_prob[:, present], average="macro"))


def _curve(y_true_binary: np.ndarray, score: np.ndarray) -> RocCurve:
    fpr, tpr, _ = skm.roc_curve(y_true_binary, score, drop_intermediate=True)
    auc = float(skm.auc(fpr, tpr))
    fpr, tpr = _thin(fpr, tpr)
    return RocCurve(fpr=_rounded(fpr), tpr=_rounded(tpr), auc=auc)


def _thin(fpr: np.ndarray, tpr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keep at most ROC_MAX_POINTS points, always the first and last."""
    if len(fpr) <= ROC_MAX_POINTS:
        return fpr, tpr
    idx = np.unique(np.linspace(0, len(fpr) - 1, ROC_MAX_POINTS).round().astype(int))
    return fpr[idx], tpr[idx]


def _rounded(a: np.ndarray) -> list[float]:
    return [round(float(x), 5) for x in a]


def roc_curves(y_true: np.ndarray, y_prob: np.ndarray, class_names: Sequence[str]) -> RocCurves:
    """One curve for a binary task; one-vs-rest per class plus micro and macro averages otherwise.

    Classes absent from ``y_true`` have no defined curve and are left out.
    """
    if len(class_names) == 2:
        return RocCurves(per_class={class_names[1]: _curve(y_true == 1, y_prob[:, 1])})
    labels = np.arange(len(class_names))
    Y = label_binarize(y_true, classes=labels)
    present = [k for k in labels if Y[:, k].any() and not Y[:, k].all()]
    per_class = {class_names[k]: _curve(Y[:, k], y_prob[:, k]) for k in present}
    micro = _curve(Y[:, present].ravel(), y_prob[:, present].ravel())
    macro = _macro_curve(Y, y_prob, present)
    return RocCurves(per_class=per_class, micro=micro, macro=macro)


def _macro_curve(Y: np.ndarray, y_prob: np.ndarray, present: list[int]) -> RocCurve:
    """Average the per-class TPRs on a common FPR grid (the usual macro ROC)."""
    grid = np.linspace(0.0, 1.0, 201)
    tprs = []
    aucs = []
    for k in present:
        fpr, tpr, _ = skm.roc_curve(Y[:, k], y_prob[:, k])
        tprs.append(np.interp(grid, fpr, tpr))
        aucs.append(skm.auc(fpr, tpr))
    mean_tpr = np.mean(tprs, axis=0)
    mean_tpr[0] = 0.0
    # The AUC reported is the mean of per-class AUCs (sklearn's macro average),
    # not the area under the interpolated curve, which differs slightly.
    return RocCurve(fpr=_rounded(grid), tpr=_rounded(mean_tpr), auc=float(np.mean(aucs)))
