"""Bad input: clear errors eagerly, NaN (never a silent number) under jit."""

from __future__ import annotations

import doctest
import importlib

import jax
import numpy as np
import pytest

from kerax import losses

ELEMENTWISE = [
    "mean_squared_error",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error",
    "cosine_similarity",
    "huber",
    "log_cosh",
    "hinge",
    "squared_hinge",
    "categorical_hinge",
    "kl_divergence",
    "poisson",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "dice",
    "tversky",
]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_shape_mismatch_raises_clear_error(name):
    y_true, y_pred = np.ones((4, 3), "float32"), np.ones((4, 2), "float32")
    with pytest.raises(ValueError, match=rf"{name}.*\(4, 3\).*\(4, 2\)"):
        getattr(losses, name)(y_true, y_pred)
    # No silent broadcasting of (3,) against (4, 3) either.
    with pytest.raises(ValueError, match="same shape"):
        getattr(losses, name)(np.ones(3, "float32"), y_true)


def test_class_shape_mismatch_raises_clear_error():
    with pytest.raises(ValueError, match=r"same shape.*\(4, 3\).*\(4, 2\)"):
        losses.MeanSquaredError()(np.ones((4, 3)), np.ones((4, 2)))


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("bad", [3, -1, 7])
def test_out_of_range_sparse_labels_raise_eagerly(bad, from_logits):
    labels = np.array([0, bad, 1])
    probs = np.full((3, 3), 1 / 3, "float32")
    message = r"labels must be integers in \[0, 2\].*" + str(bad)
    with pytest.raises(ValueError, match=message):
        losses.sparse_categorical_crossentropy(labels, probs, from_logits=from_logits)
    with pytest.raises(ValueError, match=message):
        losses.SparseCategoricalCrossentropy(from_logits=from_logits)(labels, probs)
    with pytest.raises(ValueError, match=message):
        losses.categorical_generalized_cross_entropy(labels, probs, q=0.5)


def test_out_of_range_sparse_labels_give_nan_under_jit():
    labels = np.array([0, 3, 1])
    probs = np.full((3, 3), 1 / 3, "float32")
    per_sample = jax.jit(losses.sparse_categorical_crossentropy)(labels, probs)
    per_sample = np.asarray(per_sample)
    assert np.isnan(per_sample[1]) and np.isfinite(per_sample[[0, 2]]).all()
    loss = losses.SparseCategoricalCrossentropy()
    assert np.isnan(float(jax.jit(lambda t, p: loss(t, p))(labels, probs)))
    gce = jax.jit(losses.categorical_generalized_cross_entropy, static_argnums=2)
    assert np.isnan(gce(labels, probs, 0.5)[1])


def test_ignore_class_may_lie_outside_the_label_range():
    labels = np.array([0, -1, 2])
    logits = np.zeros((3, 3), "float32")
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)
    np.testing.assert_allclose(float(loss(labels, logits)), np.log(3.0), rtol=1e-6)


def test_sparse_label_shape_errors():
    with pytest.raises(ValueError, match=r"one integer label per sample.*\(4,\)"):
        losses.sparse_categorical_crossentropy(np.zeros((4, 3)), np.ones((4, 3)))
    with pytest.raises(ValueError, match="at least rank 1"):
        losses.sparse_categorical_crossentropy(np.zeros(()), np.ones(()))


def test_ctc_and_circle_shape_errors():
    with pytest.raises(ValueError, match=r"y_true.*\(batch_size, max_length\)"):
        losses.ctc(np.ones((2,)), np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match=r"y_pred.*num_classes"):
        losses.ctc(np.ones((2, 2)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="same batch size"):
        losses.ctc(np.ones((3, 2)), np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match="one label per embedding"):
        losses.circle(np.array([0, 1, 0]), np.ones((2, 4)))


def test_argument_errors():
    with pytest.raises(ValueError, match="axis.*bool"):
        losses.CategoricalCrossentropy(axis=True)
    with pytest.raises(ValueError, match="axis"):
        losses.categorical_crossentropy(np.ones((2, 2)), np.ones((2, 2)), axis=None)
    with pytest.raises(ValueError, match=r"q must be in .*\(0, 1\).*q=1.5"):
        losses.CategoricalGeneralizedCrossEntropy(q=1.5)
    with pytest.raises(TypeError, match="callable"):
        losses.LossFunctionWrapper("mse")
    with pytest.raises(NotImplementedError, match="call"):
        losses.Loss()(np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match="Could not interpret"):
        losses.get(["mse"])
    with pytest.raises(TypeError, match="serialize expects"):
        losses.serialize(3)


def test_single_class_categorical_warns_like_keras():
    with pytest.warns(SyntaxWarning, match="binary_crossentropy"):
        losses.categorical_crossentropy(np.ones((2, 1)), np.ones((2, 1)))


@pytest.mark.parametrize(
    "module",
    [
        "loss",
        "regression",
        "hinge",
        "probabilistic",
        "binary",
        "categorical",
        "sparse",
        "segmentation",
        "sequence",
        "similarity",
        "serialization",
    ],
)
def test_docstring_examples(module):
    mod = importlib.import_module(f"kerax.losses.{module}")
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
