"""Metrics fed in batches against numpy formulas over the whole set."""

from __future__ import annotations

import numpy as np
import pytest
from metric_cases import batches, make

import kerax.metrics as km

# IoU metrics compute in int32 by default: float weights warn (here and in Keras).
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*(computes in int32|passing weight as .float.|int64):UserWarning"
)

EPS = 1e-7


def _wmean(per_sample, w):
    return np.sum(per_sample * w) / np.sum(w)


def _rowmean(fn):
    return lambda t, p, w: _wmean(np.mean(fn(t, p), axis=-1), w)


def _counts(t, p, w, thresholds):
    """Weighted (tp, fp, tn, fn) per threshold, predictions > threshold."""
    w = np.broadcast_to(w[:, None], t.shape).ravel()
    t, p = t.ravel().astype(bool), p.ravel()
    pos = p[None] > np.asarray(thresholds)[:, None]
    return (
        np.sum(w * (pos & t), 1),
        np.sum(w * (pos & ~t), 1),
        np.sum(w * (~pos & ~t), 1),
        np.sum(w * (~pos & t), 1),
    )


def _auc_thresholds(n):
    return [-EPS] + [(i + 1) / (n - 1) for i in range(n - 2)] + [1 + EPS]


def _roc_auc(t, p, w, n=200):
    tp, fp, tn, fn = _counts(t, p, w, _auc_thresholds(n))
    tpr, fpr = tp / (tp + fn), fp / (fp + tn)
    return np.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2)


def _pr_auc_minoring(t, p, w, n=200):
    tp, fp, tn, fn = _counts(t, p, w, _auc_thresholds(n))
    recall = tp / (tp + fn)
    precision = np.divide(tp, tp + fp, out=np.zeros_like(tp), where=tp + fp > 0)
    return np.sum(
        (recall[:-1] - recall[1:]) * np.minimum(precision[:-1], precision[1:])
    )


def _exact_roc_auc(t, p, w):
    """P(score of a positive > score of a negative), pairs weighted."""
    w = np.broadcast_to(w[:, None], t.shape).ravel()
    t, p = t.ravel().astype(bool), p.ravel()
    wp, wn = w[t], w[~t]
    greater = p[t][:, None] > p[~t][None]
    return np.sum(wp[:, None] * wn[None] * greater) / (wp.sum() * wn.sum())


def _precision(t, p, w):
    tp, fp, _, _ = _counts(t, p, w, [0.5])
    return tp[0] / (tp[0] + fp[0])


def _recall(t, p, w):
    tp, _, _, fn = _counts(t, p, w, [0.5])
    return tp[0] / (tp[0] + fn[0])


def _sensitivity_at_specificity(t, p, w, specificity=0.5, n=200):
    thresholds = [0.0] + [(i + 1) / (n - 1) for i in range(n - 2)] + [1.0]
    tp, fp, tn, fn = _counts(t, p, w, thresholds)
    sens, spec = tp / (tp + fn), tn / (tn + fp)
    return np.max(np.where(spec >= specificity, sens, 0))


def _f1_per_class(t, p, w):
    pred = (p >= p.max(-1, keepdims=True)).astype("float32")
    tp = np.sum(w[:, None] * pred * t, 0)
    fp = np.sum(w[:, None] * pred * (1 - t), 0)
    fn = np.sum(w[:, None] * (1 - pred) * t, 0)
    precision, recall = tp / (tp + fp + EPS), tp / (tp + fn + EPS)
    return 2 * precision * recall / (precision + recall + EPS)


def _mean_iou(t, p, w, num_classes=4):
    cm = np.zeros((num_classes, num_classes))
    np.add.at(cm, (t, p), np.floor(w))  # int32 state: weights truncated
    tp = np.diag(cm)
    union = cm.sum(0) + cm.sum(1) - tp
    valid = union > 0
    return np.sum(tp[valid] / union[valid]) / valid.sum()


def _r2(t, p, w):
    w = w[:, None]
    mean = np.sum(w * t, 0) / np.sum(w, 0)
    total = np.sum(w * (t - mean) ** 2, 0)
    residual = np.sum(w * (t - p) ** 2, 0)
    return np.mean(1 - residual / total)


def _pearson(t, p):
    tc, pc = t - t.mean(-1, keepdims=True), p - p.mean(-1, keepdims=True)
    return np.sum(tc * pc, -1) / np.sqrt(np.sum(tc**2, -1) * np.sum(pc**2, -1))


def _cosine(t, p):
    return np.sum(t * p, -1) / np.linalg.norm(t, axis=-1) / np.linalg.norm(p, axis=-1)


def _topk(t, p, k=2):
    rank = np.sum(p > np.take_along_axis(p, t[:, None], -1), -1)
    return (rank < k).astype("float32")


def _bce(t, p):
    p = np.clip(p, EPS, 1 - EPS)
    return -(t * np.log(p) + (1 - t) * np.log(1 - p))


FORMULAS = {
    "Mean": (km.Mean, "regression", lambda t, p, w: _wmean(np.mean(p, -1), w)),
    "Sum": (km.Sum, "regression", lambda t, p, w: np.sum(w * np.sum(p, -1))),
    "MeanSquaredError": (
        km.MeanSquaredError,
        "regression",
        _rowmean(lambda t, p: (t - p) ** 2),
    ),
    "MeanAbsoluteError": (
        km.MeanAbsoluteError,
        "regression",
        _rowmean(lambda t, p: abs(t - p)),
    ),
    "MeanAbsolutePercentageError": (
        km.MeanAbsolutePercentageError,
        "regression",
        _rowmean(lambda t, p: 100 * abs(t - p) / np.maximum(abs(t), EPS)),
    ),
    "MeanSquaredLogarithmicError": (
        km.MeanSquaredLogarithmicError,
        "positive",
        _rowmean(lambda t, p: (np.log1p(p) - np.log1p(t)) ** 2),
    ),
    "RootMeanSquaredError": (
        km.RootMeanSquaredError,
        "regression",
        lambda t, p, w: np.sqrt(_wmean(np.mean((t - p) ** 2, -1), w)),
    ),
    "LogCoshError": (
        km.LogCoshError,
        "regression",
        _rowmean(lambda t, p: np.log(np.cosh(p - t))),
    ),
    "CosineSimilarity": (
        km.CosineSimilarity,
        "regression",
        lambda t, p, w: _wmean(_cosine(t, p), w),
    ),
    "PearsonCorrelation": (
        km.PearsonCorrelation,
        "regression",
        lambda t, p, w: _wmean(_pearson(t, p), w),
    ),
    "R2Score": (km.R2Score, "regression", _r2),
    "Poisson": (km.Poisson, "positive", _rowmean(lambda t, p: p - t * np.log(p + EPS))),
    "KLDivergence": (
        km.KLDivergence,
        "positive",
        lambda t, p, w: _wmean(
            np.sum(
                np.clip(t, EPS, 1) * np.log(np.clip(t, EPS, 1) / np.clip(p, EPS, 1)), -1
            ),
            w,
        ),
    ),
    "Hinge": (km.Hinge, "signed", _rowmean(lambda t, p: np.maximum(1 - t * p, 0))),
    "SquaredHinge": (
        km.SquaredHinge,
        "signed",
        _rowmean(lambda t, p: np.maximum(1 - t * p, 0) ** 2),
    ),
    "CategoricalHinge": (
        km.CategoricalHinge,
        "categorical",
        lambda t, p, w: _wmean(
            np.maximum(np.max((1 - t) * p, -1) - np.sum(t * p, -1) + 1, 0), w
        ),
    ),
    "BinaryCrossentropy": (km.BinaryCrossentropy, "binary", _rowmean(_bce)),
    "CategoricalCrossentropy": (
        km.CategoricalCrossentropy,
        "categorical",
        lambda t, p, w: _wmean(-np.sum(t * np.log(p), -1), w),
    ),
    "SparseCategoricalCrossentropy": (
        km.SparseCategoricalCrossentropy,
        "sparse",
        lambda t, p, w: _wmean(-np.log(np.take_along_axis(p, t, -1))[:, 0], w),
    ),
    "BinaryAccuracy": (
        km.BinaryAccuracy,
        "binary",
        _rowmean(lambda t, p: (p > 0.5) == t),
    ),
    "CategoricalAccuracy": (
        km.CategoricalAccuracy,
        "categorical",
        lambda t, p, w: _wmean(t.argmax(-1) == p.argmax(-1), w),
    ),
    "SparseCategoricalAccuracy": (
        km.SparseCategoricalAccuracy,
        "sparse",
        lambda t, p, w: _wmean(t[:, 0] == p.argmax(-1), w),
    ),
    "SparseTopKCategoricalAccuracy": (
        lambda: km.SparseTopKCategoricalAccuracy(k=2),
        "sparse",
        lambda t, p, w: _wmean(_topk(t[:, 0], p), w),
    ),
    "TopKCategoricalAccuracy": (
        lambda: km.TopKCategoricalAccuracy(k=2),
        "categorical",
        lambda t, p, w: _wmean(_topk(t.argmax(-1), p), w),
    ),
    "Precision": (km.Precision, "binary", _precision),
    "Recall": (km.Recall, "binary", _recall),
    "TruePositives": (
        km.TruePositives,
        "binary",
        lambda t, p, w: _counts(t, p, w, [0.5])[0][0],
    ),
    "FalsePositives": (
        km.FalsePositives,
        "binary",
        lambda t, p, w: _counts(t, p, w, [0.5])[1][0],
    ),
    "TrueNegatives": (
        km.TrueNegatives,
        "binary",
        lambda t, p, w: _counts(t, p, w, [0.5])[2][0],
    ),
    "FalseNegatives": (
        km.FalseNegatives,
        "binary",
        lambda t, p, w: _counts(t, p, w, [0.5])[3][0],
    ),
    "AUC": (km.AUC, "binary", _roc_auc),
    "AUC-PR-minoring": (
        lambda: km.AUC(curve="PR", summation_method="minoring"),
        "binary",
        _pr_auc_minoring,
    ),
    "SensitivityAtSpecificity": (
        lambda: km.SensitivityAtSpecificity(0.5),
        "binary",
        _sensitivity_at_specificity,
    ),
    "F1Score": (km.F1Score, "categorical", _f1_per_class),
    "MeanIoU": (lambda: km.MeanIoU(4), "class_ids", _mean_iou),
}


@pytest.mark.parametrize("weighted", [False, True], ids=["plain", "weighted"])
@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_matches_numpy_formula(name, weighted):
    factory, kind, formula = FORMULAS[name]
    y_true, y_pred, weight = make(kind)
    metric = factory()
    for yt, yp, w in batches(y_true, y_pred, weight):
        args = (yp,) if name in ("Mean", "Sum") else (yt, yp)  # values only
        metric.update_state(*args, sample_weight=w if weighted else None)
    if not weighted:
        weight = np.ones_like(weight)
    np.testing.assert_allclose(
        metric.result(), formula(y_true, y_pred, weight), rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize("weighted", [False, True], ids=["plain", "weighted"])
def test_auc_approaches_exact_roc_auc(weighted):
    y_true, y_pred, weight = make("binary", seed=1)
    if not weighted:
        weight = np.ones_like(weight)
    metric = km.AUC(num_thresholds=1000)
    for yt, yp, w in batches(y_true, y_pred, weight):
        metric.update_state(yt, yp, sample_weight=w)
    exact = _exact_roc_auc(y_true, y_pred, weight)
    assert abs(float(metric.result()) - exact) < 2e-3
