"""ReLU, LeakyReLU, PReLU, ELU and Softmax layers against Keras 3 and numpy."""

from __future__ import annotations

import numpy as np
import pytest
from test_core_oracle import check_gradients, check_layer, keras_call

import kerax

RNG = np.random.default_rng(0)
X = RNG.normal(size=(2, 4, 5)).astype("float32") * 3


def _relu_reference(x, max_value=None, negative_slope=0.0, threshold=0.0):
    out = np.where(x >= threshold, x, negative_slope * (x - threshold))
    out = np.where(x == threshold, 0.0 if threshold == 0 else x, out)
    return out if max_value is None else np.minimum(out, max_value)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"max_value": 6.0},
        {"negative_slope": 0.1},
        {"threshold": 0.5},
        {"max_value": 2.0, "negative_slope": 0.2, "threshold": 0.5},
    ],
)
def test_relu_matches_keras(kwargs):
    ours, _, out = check_layer("ReLU", X, **kwargs)
    np.testing.assert_allclose(out, _relu_reference(X, **kwargs), atol=1e-6)
    check_gradients(ours, X)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_value": -1.0},
        {"negative_slope": -0.1},
        {"threshold": -1.0},
        {"threshold": None},
    ],
)
def test_relu_rejects_negative_arguments(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        kerax.layers.ReLU(**kwargs)


@pytest.mark.parametrize("kwargs", [{}, {"negative_slope": 0.01}])
def test_leaky_relu_matches_keras(kwargs):
    ours, _, out = check_layer("LeakyReLU", X, **kwargs)
    slope = kwargs.get("negative_slope", 0.3)
    np.testing.assert_allclose(out, np.where(X > 0, X, slope * X), atol=1e-6)
    check_gradients(ours, X)


def test_leaky_relu_accepts_keras2_alpha():
    with pytest.warns(UserWarning, match="alpha"):
        layer = kerax.layers.LeakyReLU(alpha=0.2)
    assert layer.negative_slope == 0.2
    assert layer.get_config()["negative_slope"] == 0.2
    with pytest.raises(ValueError, match="negative_slope"):
        kerax.layers.LeakyReLU(-0.5)


@pytest.mark.parametrize("alpha", [1.0, 0.5])
def test_elu_matches_keras(alpha):
    ours, _, out = check_layer("ELU", X, alpha=alpha)
    np.testing.assert_allclose(
        out, np.where(X > 0, X, alpha * (np.exp(X) - 1)), rtol=1e-5, atol=1e-6
    )
    check_gradients(ours, X)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"shared_axes": [1]},
        {"shared_axes": 2},
        {"alpha_initializer": "ones", "alpha_regularizer": "l2"},
    ],
)
def test_prelu_matches_keras(kwargs):
    ours, theirs, _ = check_layer("PReLU", X, **kwargs)
    alpha = RNG.uniform(0.1, 0.9, size=ours.get_weights()[0].shape).astype("float32")
    ours.set_weights([alpha])
    theirs.set_weights([alpha])
    out = np.asarray(ours(X))
    np.testing.assert_allclose(out, keras_call(theirs, X), atol=1e-6)
    np.testing.assert_allclose(out, np.where(X > 0, X, alpha[None] * X), atol=1e-6)
    check_gradients(ours, X)


def test_prelu_weights_and_errors():
    layer = kerax.layers.PReLU(shared_axes=[1])
    layer(X)
    assert [(w.name, w.shape) for w in layer.weights] == [("alpha", (1, 5))]
    with pytest.raises(ValueError, match="axis 2"):
        layer(np.ones((2, 4, 6), "float32"))
    with pytest.raises(ValueError, match="shared_axes"):
        kerax.layers.PReLU(shared_axes=[3])(X)


@pytest.mark.parametrize("axis", [-1, 1, (1, 2)])
def test_softmax_matches_keras(axis):
    ours, _, out = check_layer("Softmax", X, axis=axis)
    exp = np.exp(X - X.max(axis=axis, keepdims=True))
    np.testing.assert_allclose(out, exp / exp.sum(axis=axis, keepdims=True), atol=1e-6)
    check_gradients(ours, X)


@pytest.mark.parametrize(
    "mask",
    [
        RNG.random(size=(2, 4, 5)) > 0.3,
        RNG.random(size=(4, 5)) > 0.3,
        (RNG.random(size=(2, 1, 5)) > 0.3).astype("float32"),
    ],
)
def test_softmax_mask_matches_keras(mask):
    ours, _, out = check_layer("Softmax", X, call_kwargs={"mask": mask})
    keep = np.broadcast_to(mask > 0.5, X.shape)
    np.testing.assert_array_equal(out[~keep], 0.0)
    sums = out.sum(-1)
    np.testing.assert_allclose(sums[keep.any(-1)], 1.0, rtol=1e-5)
    check_gradients(ours, X, mask=mask)


def test_softmax_rejects_mask_that_does_not_broadcast():
    with pytest.raises(ValueError, match="broadcast"):
        kerax.layers.Softmax()(X, mask=np.ones((3, 5), bool))
    with pytest.raises(ValueError, match="broadcast"):
        kerax.layers.Softmax()(X, mask=np.ones((1, 2, 4, 5), bool))
