"""Activation, Identity, Masking, Lambda, TimeDistributed and Dropout."""

from __future__ import annotations

import json

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest
from test_core_oracle import check_gradients, check_layer, keras_call

import kerax
from kerax.backend.keras_tensor import KerasTensor

RNG = np.random.default_rng(0)
X = RNG.normal(size=(2, 4, 5)).astype("float32")


# -- Activation, Identity ------------------------------------------------------
@pytest.mark.parametrize("activation", ["relu", "softmax", "tanh", "gelu", "linear"])
def test_activation_matches_keras(activation):
    ours, _, out = check_layer("Activation", X, activation)
    reference = {
        "relu": np.maximum(X, 0),
        "tanh": np.tanh(X),
        "linear": X,
        "softmax": np.exp(X) / np.exp(X).sum(-1, keepdims=True),
    }
    if activation in reference:
        np.testing.assert_allclose(out, reference[activation], atol=1e-6)
    if activation != "linear":
        check_gradients(ours, X)


def test_activation_rejects_unknown_name():
    with pytest.raises(ValueError, match="no_such"):
        kerax.layers.Activation("no_such")


def test_identity_matches_keras_and_passes_structures():
    check_layer("Identity", X)
    pair = [X, X[:, 0]]
    out = kerax.layers.Identity()(pair)
    assert len(out) == 2 and out[1].shape == (2, 5)
    assert kerax.layers.Identity().compute_output_shape((None, 3)) == (None, 3)


# -- Masking -------------------------------------------------------------------
@pytest.mark.parametrize("mask_value", [0.0, 1.5])
def test_masking_matches_keras(mask_value):
    x = X.copy()
    x[0, 1] = mask_value
    x[1, 3] = mask_value
    ours, theirs, out = check_layer("Masking", x, mask_value=mask_value)
    keep = np.any(x != mask_value, axis=-1)
    np.testing.assert_array_equal(ours.compute_mask(x), keep)
    np.testing.assert_array_equal(ours.compute_mask(x), theirs.compute_mask(x))
    np.testing.assert_allclose(out, np.where(keep[..., None], x, 0.0))
    check_gradients(ours, x)


def test_masking_rejects_non_numbers():
    with pytest.raises(TypeError, match="mask_value"):
        kerax.layers.Masking("pad")


# -- Lambda --------------------------------------------------------------------
def double(x):
    return x * 2.0


def test_lambda_with_python_lambda_runs_but_is_never_saved_as_code():
    fn = lambda x: x * 2.0 + 1.0  # noqa: E731
    ours = kerax.layers.Lambda(fn)
    theirs = keras.layers.Lambda(fn)
    np.testing.assert_allclose(ours(X), keras_call(theirs, X))
    with pytest.raises(ValueError, match="never carry code"):
        ours.get_config()
    stored = theirs.get_config()  # Keras's marshalled bytecode
    with pytest.raises(ValueError, match="even with safe_mode=False"):
        kerax.layers.Lambda.from_config(json.loads(json.dumps(stored)), safe_mode=False)
    check_gradients(ours, X)


def test_lambda_named_function_and_arguments():
    ours, _, out = check_layer(
        "Lambda", X, kerax.activations.relu, arguments={"max_value": 0.5}
    )
    np.testing.assert_allclose(out, np.clip(X, 0, 0.5))
    with pytest.raises(ValueError, match="custom_objects"):
        kerax.layers.Lambda.from_config(kerax.layers.Lambda(double).get_config())
    clone = kerax.layers.Lambda.from_config(
        kerax.layers.Lambda(double).get_config(), custom_objects={"double": double}
    )
    np.testing.assert_allclose(clone(X), X * 2.0)
    by_op_name = kerax.layers.Lambda.from_config(
        kerax.layers.Lambda(kerax.ops.square).get_config()
    )
    np.testing.assert_allclose(by_op_name(X), X**2, rtol=1e-6)


def test_lambda_output_shape_mask_and_training():
    ours, _, _ = check_layer("Lambda", X, kerax.activations.tanh, output_shape=(4, 5))
    assert ours.compute_output_shape((None, 4, 5)) == (None, 4, 5)
    flat = kerax.layers.Lambda(lambda x: jnp.reshape(x, (x.shape[0], -1)))
    assert flat.compute_output_shape((None, 4, 5)) == (None, 20)
    assert flat(KerasTensor((None, 4, 5))).shape == (None, 20)
    ids = kerax.layers.Lambda(lambda x: jnp.argmax(x, -1))(KerasTensor((None, 4, 5)))
    assert ids.dtype == "int32"
    shaped = kerax.layers.Lambda(double, output_shape=lambda s: (s[0], 7))
    assert shaped.compute_output_shape((3, 4, 5)) == (3, 7)
    masked = kerax.layers.Lambda(double, mask=lambda x, m: m)
    mask = np.ones((2, 4), bool)
    assert masked.compute_mask(X, mask) is mask
    assert kerax.layers.Lambda(double).compute_mask(X, mask) is None

    def noisy(x, training=None, mask=None):
        return x + (1.0 if training else 0.0) + (0.0 if mask is None else 10.0)

    layer = kerax.layers.Lambda(noisy)
    np.testing.assert_allclose(layer(X, training=True), X + 1.0)
    np.testing.assert_allclose(layer(X, mask=mask), X + 10.0)
    with pytest.raises(TypeError, match="callable"):
        kerax.layers.Lambda(3)


# -- TimeDistributed -----------------------------------------------------------
def test_time_distributed_dense_matches_keras():
    ours = kerax.layers.TimeDistributed(kerax.layers.Dense(3, name="d"), name="td")
    theirs = keras.layers.TimeDistributed(keras.layers.Dense(3, name="d"), name="td")
    out = ours(X)
    keras_call(theirs, X)
    assert [w.path for w in ours.weights] == [w.path for w in theirs.weights]
    theirs.set_weights(ours.get_weights())
    np.testing.assert_allclose(out, keras_call(theirs, X), atol=1e-5)
    assert ours.compute_output_shape((None, 4, 5)) == (None, 4, 3)
    assert tuple(theirs.compute_output_shape((None, 4, 5))) == (None, 4, 3)
    config = ours.get_config()
    assert set(config) == set(theirs.get_config())
    assert set(config["layer"]) == set(
        keras.saving.serialize_keras_object(theirs.layer)
    )
    assert set(config["layer"]["config"]) == set(theirs.layer.get_config())
    clone = kerax.layers.TimeDistributed.from_config(json.loads(json.dumps(config)))
    assert clone.layer.built
    clone.set_weights(ours.get_weights())
    np.testing.assert_allclose(clone(X), out, atol=1e-6)
    check_gradients(ours, X)


def test_time_distributed_passes_mask_and_training():
    mask = RNG.random(size=X.shape) > 0.3
    ours = kerax.layers.TimeDistributed(kerax.layers.Softmax())
    theirs = keras.layers.TimeDistributed(keras.layers.Softmax())
    out = ours(X, mask=mask)
    np.testing.assert_allclose(out, keras_call(theirs, X, mask=mask), atol=1e-6)
    np.testing.assert_array_equal(np.asarray(out)[~mask], 0.0)
    dropout = kerax.layers.TimeDistributed(kerax.layers.Dropout(0.5, seed=1))
    np.testing.assert_array_equal(dropout(X), X)
    assert np.any(np.asarray(dropout(X, training=True)) == 0)
    with pytest.raises(ValueError, match="mask"):
        ours(X, mask=mask[:, :3])


def test_time_distributed_rejects_bad_input():
    with pytest.raises(ValueError, match="Layer instance"):
        kerax.layers.TimeDistributed("dense")
    with pytest.raises(ValueError, match="rank >= 3"):
        kerax.layers.TimeDistributed(kerax.layers.Dense(2))(X[:, 0])
    with pytest.raises(ValueError, match="Layer instance"):
        kerax.layers.Wrapper(None)


# -- Dropout -------------------------------------------------------------------
BIG = np.ones((64, 8, 32), "float32")


def test_dropout_matches_keras_outside_training():
    for kwargs in (
        {"rate": 0.5},
        {"rate": 0.3, "noise_shape": (None, 1, 5), "seed": 3},
    ):
        ours, _, out = check_layer("Dropout", X, **kwargs)
        np.testing.assert_array_equal(out, X)
        np.testing.assert_array_equal(ours(X, training=False), X)


@pytest.mark.parametrize("rate", [0.2, 0.5])
def test_dropout_statistics_while_training(rate):
    out = np.asarray(kerax.layers.Dropout(rate, seed=7)(BIG, training=True))
    dropped = np.mean(out == 0)
    assert abs(dropped - rate) < 0.02
    np.testing.assert_allclose(out[out != 0], 1.0 / (1.0 - rate), rtol=1e-6)
    assert abs(out.mean() - 1.0) < 0.05


def test_dropout_seeds_and_noise_shape():
    a = kerax.layers.Dropout(0.5, seed=11)
    b = kerax.layers.Dropout(0.5, seed=11)
    first = np.asarray(a(BIG, training=True))
    np.testing.assert_array_equal(first, b(BIG, training=True))
    assert not np.array_equal(first, a(BIG, training=True))
    shared = np.asarray(
        kerax.layers.Dropout(0.5, noise_shape=(None, 1, 32), seed=2)(BIG, training=True)
    )
    np.testing.assert_array_equal(shared, np.broadcast_to(shared[:, :1], shared.shape))
    np.testing.assert_array_equal(kerax.layers.Dropout(0.0)(BIG, training=True), BIG)


def test_dropout_inside_jit_advances_the_seed():
    layer = kerax.layers.Dropout(0.5, seed=5)
    layer(X)
    state = [v.value for v in layer.non_trainable_variables]
    step = jax.jit(lambda s, x: layer.stateless_call([], s, x, training=True))
    out1, state = step(state, X)
    out2, _ = step(state, X)
    assert not np.array_equal(out1, out2)
    grads = jax.grad(lambda x: jnp.sum(step(state, x)[0]))(X)
    assert np.all(np.isfinite(grads)) and np.any(grads != 0)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"rate": 1.5}, "rate"),
        ({"rate": -0.1}, "rate"),
        ({"rate": "half"}, "rate"),
        ({"rate": 0.5, "noise_shape": "abc"}, "noise_shape"),
        ({"rate": 0.5, "noise_shape": (0, 2)}, "noise_shape"),
        ({"rate": 0.5, "seed": "x"}, "seed"),
    ],
)
def test_dropout_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        kerax.layers.Dropout(**kwargs)


# -- masks in symbolic graphs, as Keras propagates them --------------------------
def _mask_shapes(lib):
    ids = lib.layers.Input((3,), dtype="int32")
    h = lib.layers.Embedding(10, 4, mask_zero=True)(ids)
    outputs = {
        "dense": lib.layers.Dense(2)(h),
        "concatenate": lib.layers.Concatenate()([h, h]),
        "maximum": lib.layers.Maximum()([h, h]),
        "dot": lib.layers.Dot(axes=2)([h, h]),
        "flatten": lib.layers.Flatten()(h),
        "time_distributed": lib.layers.TimeDistributed(lib.layers.Dense(3))(h),
        "lambda": lib.layers.Lambda(lambda t: t * 2)(h),
        "dropout": lib.layers.Dropout(0.5)(h),
    }
    return {
        key: None if getattr(t, "_keras_mask", None) is None else t._keras_mask.shape
        for key, t in outputs.items()
    }


@pytest.mark.filterwarnings("ignore:Layer .* does not support masking")
def test_symbolic_masks_propagate_like_keras():
    ours = _mask_shapes(kerax)
    with jax.numpy_rank_promotion("allow"):
        theirs = _mask_shapes(keras)
    assert ours == theirs
    assert ours["dense"] == (None, 3)
    masked = kerax.layers.Masking()(KerasTensor((None, 3, 4)))
    assert masked._keras_mask.shape == (None, 3)


# -- docstring examples --------------------------------------------------------
def _family_modules():
    import importlib
    import pkgutil

    for family in ("core", "activations", "merging", "reshaping", "regularization"):
        package = importlib.import_module(f"kerax.layers.{family}")
        for info in pkgutil.iter_modules(package.__path__):
            if info.name != "input_layer":
                yield importlib.import_module(f"{package.__name__}.{info.name}")


def test_docstring_examples_run():
    import doctest

    attempted = 0
    for module in _family_modules():
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, module.__name__
        attempted += result.attempted
    assert attempted >= 10
