"""Shared test data: small batches of labels and predictions per input kind."""

from __future__ import annotations

import numpy as np

BATCH = 8
NUM_BATCHES = 3
CLASSES = 4


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def make(kind: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (y_true, y_pred, sample_weight) for the whole set, float32/int32."""
    rng = np.random.default_rng(seed)
    n = BATCH * NUM_BATCHES
    weight = rng.uniform(0.1, 2.0, n).astype("float32")
    if kind == "binary":
        y_true = rng.integers(0, 2, (n, 3)).astype("float32")
        y_pred = rng.uniform(0, 1, (n, 3)).astype("float32")
    elif kind == "binary_1d":
        y_true = rng.integers(0, 2, (n,)).astype("float32")
        y_pred = rng.uniform(0, 1, (n,)).astype("float32")
    elif kind == "binary_logits":
        y_true = rng.integers(0, 2, (n, 3)).astype("float32")
        y_pred = rng.normal(0, 2, (n, 3)).astype("float32")
    elif kind == "categorical":
        y_true = np.eye(CLASSES, dtype="float32")[rng.integers(0, CLASSES, n)]
        y_pred = _softmax(rng.normal(0, 1.5, (n, CLASSES))).astype("float32")
    elif kind == "categorical_logits":
        y_true = np.eye(CLASSES, dtype="float32")[rng.integers(0, CLASSES, n)]
        y_pred = rng.normal(0, 1.5, (n, CLASSES)).astype("float32")
    elif kind == "sparse":
        y_true = rng.integers(0, CLASSES, (n, 1)).astype("int32")
        y_pred = _softmax(rng.normal(0, 1.5, (n, CLASSES))).astype("float32")
    elif kind == "sparse_1d":
        y_true = rng.integers(0, CLASSES, (n,)).astype("int32")
        y_pred = _softmax(rng.normal(0, 1.5, (n, CLASSES))).astype("float32")
    elif kind == "sequence":  # (batch, time) labels, (batch, time, classes) scores
        y_true = rng.integers(0, CLASSES, (n, 2)).astype("int32")
        y_pred = _softmax(rng.normal(0, 1.5, (n, 2, CLASSES))).astype("float32")
        weight = rng.uniform(0.1, 2.0, (n, 2)).astype("float32")
    elif kind == "regression":
        y_true = rng.normal(0, 1, (n, 3)).astype("float32")
        y_pred = (y_true + rng.normal(0, 0.5, (n, 3))).astype("float32")
    elif kind == "positive":
        y_true = rng.uniform(0.05, 1, (n, 3)).astype("float32")
        y_pred = rng.uniform(0.05, 1, (n, 3)).astype("float32")
    elif kind == "signed":
        y_true = rng.choice([-1.0, 1.0], (n, 3)).astype("float32")
        y_pred = rng.normal(0, 1, (n, 3)).astype("float32")
    elif kind == "class_ids":
        y_true = rng.integers(0, CLASSES, (n,)).astype("int32")
        y_pred = rng.integers(0, CLASSES, (n,)).astype("int32")
    else:
        raise ValueError(kind)
    return y_true, y_pred, weight


def batches(*arrays: np.ndarray) -> list[tuple[np.ndarray, ...]]:
    """Split each array into NUM_BATCHES consecutive batches."""
    return [
        tuple(a[i * BATCH : (i + 1) * BATCH] for a in arrays)
        for i in range(NUM_BATCHES)
    ]


# (class name, constructor kwargs, data kind) — the same on kerax and Keras.
CASES = [
    ("Accuracy", {}, "class_ids"),
    ("BinaryAccuracy", {}, "binary"),
    ("BinaryAccuracy", {"threshold": 0.3}, "binary"),
    ("CategoricalAccuracy", {}, "categorical"),
    ("SparseCategoricalAccuracy", {}, "sparse"),
    ("TopKCategoricalAccuracy", {"k": 2}, "categorical"),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, "sparse"),
    ("AUC", {}, "binary"),
    ("AUC", {"curve": "PR"}, "binary"),
    ("AUC", {"curve": "PR", "summation_method": "majoring"}, "binary"),
    ("AUC", {"curve": "PRGAIN", "summation_method": "minoring"}, "binary"),
    ("AUC", {"num_thresholds": 7, "multi_label": True}, "binary"),
    ("AUC", {"multi_label": True, "label_weights": [1.0, 2.0, 0.5]}, "binary"),
    ("AUC", {"thresholds": [0.2, 0.5, 0.7]}, "binary"),
    ("AUC", {"from_logits": True, "label_weights": [1.0, 2.0, 0.5]}, "binary_logits"),
    ("Precision", {}, "binary"),
    ("Precision", {"thresholds": [0.2, 0.6]}, "binary"),
    ("Precision", {"top_k": 2}, "binary"),
    ("Precision", {"class_id": 1, "thresholds": [0.0, 0.5, 1.0]}, "binary"),
    ("Recall", {}, "binary"),
    ("Recall", {"top_k": 1, "class_id": 2}, "binary"),
    ("Recall", {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}, "binary"),
    ("PrecisionAtRecall", {"recall": 0.6}, "binary"),
    ("RecallAtPrecision", {"precision": 0.5, "num_thresholds": 50}, "binary"),
    ("SensitivityAtSpecificity", {"specificity": 0.5}, "binary"),
    ("SpecificityAtSensitivity", {"sensitivity": 0.7, "class_id": 0}, "binary"),
    ("SpecificityAtSensitivity", {"sensitivity": 0.7, "num_thresholds": 1}, "binary"),
    ("TruePositives", {}, "binary"),
    ("TrueNegatives", {"thresholds": [0.3, 0.8]}, "binary"),
    ("FalsePositives", {}, "binary"),
    ("FalseNegatives", {"thresholds": [0.0, 0.5, 1.0]}, "binary"),
    ("F1Score", {}, "categorical"),
    ("F1Score", {"average": "micro", "threshold": 0.4}, "binary"),
    ("FBetaScore", {"average": "macro", "beta": 2.0}, "categorical"),
    ("FBetaScore", {"average": "weighted", "beta": 0.5, "threshold": 0.5}, "binary"),
    ("MeanIoU", {"num_classes": 4}, "class_ids"),
    ("MeanIoU", {"num_classes": 4, "ignore_class": 1, "dtype": "float32"}, "class_ids"),
    ("IoU", {"num_classes": 4, "target_class_ids": [0, 2]}, "class_ids"),
    ("BinaryIoU", {}, "binary_1d"),
    ("BinaryIoU", {"target_class_ids": [1], "threshold": 0.3}, "binary_1d"),
    ("OneHotIoU", {"num_classes": 4, "target_class_ids": [1, 3]}, "categorical"),
    ("OneHotMeanIoU", {"num_classes": 4}, "categorical"),
    ("R2Score", {}, "regression"),
    ("R2Score", {"class_aggregation": "variance_weighted_average"}, "regression"),
    ("R2Score", {"class_aggregation": None, "num_regressors": 2}, "regression"),
    ("CosineSimilarity", {}, "regression"),
    ("LogCoshError", {}, "regression"),
    ("Poisson", {}, "positive"),
    ("KLDivergence", {}, "positive"),
    ("Hinge", {}, "signed"),
    ("Hinge", {}, "binary"),
    ("SquaredHinge", {}, "signed"),
    ("CategoricalHinge", {}, "categorical"),
    ("MeanSquaredError", {}, "regression"),
    ("MeanAbsoluteError", {}, "regression"),
    ("MeanAbsolutePercentageError", {}, "regression"),
    ("MeanSquaredLogarithmicError", {}, "positive"),
    ("RootMeanSquaredError", {}, "regression"),
    ("BinaryCrossentropy", {}, "binary"),
    (
        "BinaryCrossentropy",
        {"from_logits": True, "label_smoothing": 0.1},
        "binary_logits",
    ),
    ("CategoricalCrossentropy", {}, "categorical"),
    (
        "CategoricalCrossentropy",
        {"from_logits": True, "label_smoothing": 0.2},
        "categorical_logits",
    ),
    ("SparseCategoricalCrossentropy", {}, "sparse"),
    ("SparseCategoricalCrossentropy", {"ignore_class": 2}, "sparse"),
    ("SparseCategoricalAccuracy", {}, "sparse_1d"),
    ("SparseCategoricalAccuracy", {}, "sequence"),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, "sequence"),
    ("SparseCategoricalCrossentropy", {"ignore_class": 0}, "sequence"),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "sparse_1d"),
    ("PearsonCorrelation", {}, "regression"),
    ("ConcordanceCorrelation", {}, "regression"),
]


def case_id(case: tuple) -> str:
    name, kwargs, kind = case
    args = ",".join(f"{k}={v}" for k, v in kwargs.items())
    return f"{name}({args})-{kind}"
