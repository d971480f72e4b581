"""The per-sample functions ``kerax.metrics`` exports, against Keras's."""

from __future__ import annotations

import jax
import keras
import numpy as np
import pytest
from metric_cases import make

import kerax
import kerax.metrics as km

# (function name, kwargs, data kind)
FUNCTIONS = [
    ("binary_accuracy", {}, "binary"),
    ("binary_accuracy", {"threshold": 0.7}, "binary"),
    ("categorical_accuracy", {}, "categorical"),
    ("sparse_categorical_accuracy", {}, "sparse"),
    ("top_k_categorical_accuracy", {"k": 2}, "categorical"),
    ("sparse_top_k_categorical_accuracy", {"k": 3}, "sparse"),
    ("mean_squared_error", {}, "regression"),
    ("mean_absolute_error", {}, "regression"),
    ("mean_absolute_percentage_error", {}, "regression"),
    ("mean_squared_logarithmic_error", {}, "positive"),
    ("huber", {"delta": 0.5}, "regression"),
    ("log_cosh", {}, "regression"),
    ("kl_divergence", {}, "positive"),
    ("poisson", {}, "positive"),
    ("hinge", {}, "binary"),
    ("squared_hinge", {}, "signed"),
    ("categorical_hinge", {}, "categorical"),
    ("binary_crossentropy", {"label_smoothing": 0.1}, "binary"),
    ("binary_crossentropy", {"from_logits": True}, "binary_logits"),
    ("binary_focal_crossentropy", {"apply_class_balancing": True}, "binary"),
    ("binary_focal_crossentropy", {"from_logits": True, "gamma": 1.5}, "binary_logits"),
    ("categorical_crossentropy", {"label_smoothing": 0.2}, "categorical"),
    ("categorical_crossentropy", {"from_logits": True}, "categorical_logits"),
    ("categorical_focal_crossentropy", {}, "categorical"),
    ("categorical_focal_crossentropy", {"from_logits": True}, "categorical_logits"),
    ("sparse_categorical_crossentropy", {}, "sparse"),
    (
        "sparse_categorical_crossentropy",
        {"from_logits": True, "ignore_class": 1},
        "sparse",
    ),
    ("pearson_correlation", {}, "regression"),
    ("concordance_correlation", {}, "regression"),
]


@pytest.mark.parametrize(
    "name,kwargs,kind",
    FUNCTIONS,
    ids=[f"{n}{sorted(k.items())}-{kind}" for n, k, kind in FUNCTIONS],
)
def test_function_matches_keras(name, kwargs, kind):
    y_true, y_pred, _ = make(kind)
    got = getattr(km, name)(y_true, y_pred, **kwargs)
    with jax.numpy_rank_promotion("allow"):
        want = getattr(keras.metrics, name)(y_true, y_pred, **kwargs)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_sparse_top_k_from_sorted_ids():
    y_true = np.array([2, 0, 3])
    sorted_ids = np.array([[2, 1, 0], [1, 3, 2], [0, 1, 2]])
    got = km.sparse_top_k_categorical_accuracy(
        y_true, sorted_ids, k=2, from_sorted_ids=True
    )
    np.testing.assert_array_equal(got, [1.0, 0.0, 0.0])
    want = keras.metrics.sparse_top_k_categorical_accuracy(
        y_true, sorted_ids, k=2, from_sorted_ids=True
    )
    np.testing.assert_array_equal(got, want)


def test_hinge_reads_binary_labels_as_signed():
    y_pred = np.array([[0.3, -0.8]], "float32")
    np.testing.assert_allclose(
        km.hinge(np.array([[1.0, 0.0]]), y_pred),
        km.hinge(np.array([[1.0, -1.0]]), y_pred),
    )


def test_functions_are_recorded_by_gradient_tape():
    y_true = np.array([[0.0, 1.0]], "float32")
    x = kerax.Variable(np.array([[0.5, 0.5]], "float32"))
    with kerax.GradientTape() as tape:
        loss = km.mean_squared_error(y_true, x * 2.0)
    np.testing.assert_allclose(tape.gradient(loss, x), [[2.0, 0.0]], atol=1e-6)


def test_crossentropy_shape_mismatch_is_a_clear_error():
    with pytest.raises(ValueError, match="same shape"):
        km.binary_crossentropy(np.zeros((4,)), np.zeros((4, 1)))
    with pytest.raises(ValueError, match="same shape"):
        km.categorical_crossentropy(np.zeros((4, 3)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="without its class axis"):
        km.sparse_categorical_crossentropy(np.zeros((4, 2)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="`axis` must be an int"):
        km.categorical_crossentropy(np.zeros((4, 3)), np.zeros((4, 3)), axis=True)
