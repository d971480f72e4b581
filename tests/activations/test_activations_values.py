"""Activation values against numpy formulas and Keras, and their gradients."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

import kerax
from kerax import activations

EDGES = [0.0, 1e-7, 0.5, -0.5, 1.0, -1.0, 3.0, -3.0, 6.0, -6.0, 20.0, -20.0]
SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805
_erf = np.vectorize(math.erf)


def _inputs() -> np.ndarray:
    rng = np.random.default_rng(1)
    random = rng.normal(size=(2, len(EDGES))) * 4
    return np.concatenate([random, np.array([EDGES])]).astype("float32")


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softplus(x):
    return np.logaddexp(0, x)


def _relu6(x):
    return np.clip(x, 0, 6)


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _sparsemax(x):
    """Martins & Astudillo (2016), one row at a time."""
    out = np.empty_like(x)
    for i, row in enumerate(x):
        z = np.sort(row)[::-1]
        k = np.arange(1, len(z) + 1)
        cumulative = np.cumsum(z)
        support = k[1 + k * z > cumulative].max()
        tau = (cumulative[support - 1] - 1) / support
        out[i] = np.maximum(row - tau, 0)
    return out


REFERENCES = {
    "relu": lambda x: np.maximum(x, 0),
    "relu6": _relu6,
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
    "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "selu": lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(x)),
    "celu": lambda x: np.maximum(x, 0) + np.minimum(np.expm1(x), 0),
    "gelu": lambda x: x * 0.5 * (1 + _erf(x / np.sqrt(2))),
    "softplus": _softplus,
    "squareplus": lambda x: (x + np.sqrt(x * x + 4)) / 2,
    "sparse_plus": lambda x: np.where(
        x <= -1, 0, np.where(x >= 1, x, (x + 1) ** 2 / 4)
    ),
    "sigmoid": _sigmoid,
    "hard_sigmoid": lambda x: _relu6(x + 3) / 6,
    "sparse_sigmoid": lambda x: np.clip((x + 1) / 2, 0, 1),
    "log_sigmoid": lambda x: -_softplus(-x),
    "silu": lambda x: x * _sigmoid(x),
    "swish": lambda x: x * _sigmoid(x),
    "hard_silu": lambda x: x * _relu6(x + 3) / 6,
    "hard_swish": lambda x: x * _relu6(x + 3) / 6,
    "mish": lambda x: x * np.tanh(_softplus(x)),
    "exponential": np.exp,
    "linear": lambda x: x,
    "tanh": np.tanh,
    "hard_tanh": lambda x: np.clip(x, -1, 1),
    "tanh_shrink": lambda x: x - np.tanh(x),
    "hard_shrink": lambda x: np.where(np.abs(x) > 0.5, x, 0),
    "soft_shrink": lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0)),
    "softsign": lambda x: x / (np.abs(x) + 1),
    "softmax": _softmax,
    "log_softmax": lambda x: np.log(_softmax(x)),
    "sparsemax": _sparsemax,
    "glu": lambda x: x[:, :6] * _sigmoid(x[:, 6:]),
}


def _check(actual, expected):
    np.testing.assert_allclose(np.asarray(actual), expected, rtol=1e-6, atol=1e-6)


def test_every_keras_activation_is_here():
    import keras

    public = {n for n in dir(keras.activations) if not n.startswith("_")}
    assert public == set(activations.__all__)
    assert public - {"get", "serialize", "deserialize", "threshold"} == set(REFERENCES)


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_matches_numpy_formula_and_keras(name):
    import keras

    x = _inputs()
    actual = getattr(activations, name)(x)
    _check(actual, REFERENCES[name](x.astype("float64")))
    if name != "sparsemax":
        _check(actual, getattr(keras.activations, name)(x))


def test_sparsemax_matches_keras_when_one_entry_survives():
    # Keras 3.15's JAX sparsemax sums the cumulative sums over the support, which
    # only agrees with the paper's threshold when a single entry survives.
    import keras

    x = _inputs()
    x[:, 3] += 40.0
    _check(activations.sparsemax(x), keras.activations.sparsemax(x))


def test_sparsemax_is_a_sparse_distribution_along_axis():
    x = _inputs()
    out = np.asarray(activations.sparsemax(x, axis=0))
    np.testing.assert_allclose(out.sum(axis=0), 1.0, rtol=1e-6)
    assert (out >= 0).all() and (out == 0).any()
    _check(out, _sparsemax(x.T.astype("float64")).T)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"negative_slope": 0.1},
        {"max_value": 6.0},
        {"max_value": 2.5},
        {"threshold": 1.5},
        {"threshold": -1.0},
        {"negative_slope": 0.1, "max_value": 5.0, "threshold": 0.5},
        {"negative_slope": 0.3, "threshold": -1.0},
    ],
)
def test_relu_options(kwargs):
    import keras

    x = _inputs()
    slope = kwargs.get("negative_slope", 0.0)
    cut = kwargs.get("threshold", 0.0)
    top = kwargs.get("max_value", np.inf)
    positive = np.where(x > cut, x, 0)
    positive = np.clip(positive, 0, top) if "max_value" in kwargs else positive
    expected = positive - slope * np.maximum(cut - x, 0)
    _check(activations.relu(x, **kwargs), expected)
    _check(activations.relu(x, **kwargs), keras.activations.relu(x, **kwargs))


@pytest.mark.parametrize(
    ("name", "kwargs", "reference"),
    [
        (
            "leaky_relu",
            {"negative_slope": 0.05},
            lambda x: np.where(x > 0, x, 0.05 * x),
        ),
        ("elu", {"alpha": 0.5}, lambda x: np.where(x > 0, x, 0.5 * np.expm1(x))),
        (
            "celu",
            {"alpha": 2.0},
            lambda x: np.maximum(x, 0) + np.minimum(2 * np.expm1(x / 2), 0),
        ),
        (
            "gelu",
            {"approximate": True},
            lambda x: (
                0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))
            ),
        ),
        ("squareplus", {"b": 1.0}, lambda x: (x + np.sqrt(x * x + 1)) / 2),
        ("hard_shrink", {"threshold": 1.0}, lambda x: np.where(abs(x) > 1, x, 0)),
        (
            "soft_shrink",
            {"threshold": 1.0},
            lambda x: np.where(x > 1, x - 1, np.where(x < -1, x + 1, 0)),
        ),
        (
            "threshold",
            {"threshold": 0.5, "default_value": -2.0},
            lambda x: np.where(x > 0.5, x, -2.0),
        ),
        ("softmax", {"axis": 0}, lambda x: _softmax(x, axis=0)),
        ("log_softmax", {"axis": 0}, lambda x: np.log(_softmax(x, axis=0))),
        ("glu", {"axis": 0}, lambda x: x[:2] * _sigmoid(x[2:])),
    ],
)
def test_arguments(name, kwargs, reference):
    import keras

    x = _inputs()
    if name == "glu":
        x = np.concatenate([x, x[:1]])
    _check(getattr(activations, name)(x, **kwargs), reference(x.astype("float64")))
    _check(
        getattr(activations, name)(x, **kwargs),
        getattr(keras.activations, name)(x, **kwargs),
    )


def test_glu_rejects_odd_axis():
    with pytest.raises(ValueError, match="must be even"):
        activations.glu(np.ones((2, 3), "float32"))


def test_gradients_are_finite():
    def weighted_sum(fn, v):
        out = fn(v)
        return jnp.sum(out * jnp.arange(out.size, dtype=out.dtype).reshape(out.shape))

    @jax.jit
    def all_gradients(v):
        return {
            name: jax.grad(lambda v, f=getattr(activations, name): weighted_sum(f, v))(
                v
            )
            for name in REFERENCES
        }

    for name, grad in all_gradients(jnp.asarray(_inputs())).items():
        assert np.isfinite(np.asarray(grad)).all(), name


@pytest.mark.parametrize("name", ["gelu", "mish", "log_softmax"])
def test_gradients_match_finite_differences(name):
    fn = getattr(activations, name)
    x = jnp.asarray(_inputs()) / 4
    check_grads(jax.jit(fn), (x,), order=1, modes=["rev"], eps=1e-2, atol=1e-2)


def test_recorded_by_gradient_tape():
    x = kerax.Variable(np.array([-1.0, 0.5, 2.0], "float32"))
    with kerax.GradientTape() as tape:
        y = activations.tanh(x)
    grad = tape.gradient(y, x)
    _check(grad, 1 - np.tanh(np.array([-1.0, 0.5, 2.0])) ** 2)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
def test_keeps_dtype(dtype):
    x = jax.ShapeDtypeStruct(_inputs().shape, dtype)
    for name in sorted(REFERENCES):
        assert jax.eval_shape(getattr(activations, name), x).dtype == dtype


def test_symbolic_inputs_give_symbolic_outputs():
    inputs = kerax.layers.Input((4,))
    outputs = activations.relu(inputs, max_value=2.0)
    assert outputs.shape == (None, 4)
    assert activations.glu(inputs).shape == (None, 2)


@pytest.mark.parametrize("kwargs", [{}, {"max_value": 6.0}, {"negative_slope": 0.1}])
def test_relu_propagates_nan_like_keras(kwargs):
    import keras

    x = np.array([np.nan, -1.0, 2.0], "float32")
    assert np.isnan(np.asarray(activations.relu(x, **kwargs))[0])
    assert np.isnan(np.asarray(keras.activations.relu(x, **kwargs))[0])
