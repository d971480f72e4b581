"""Pooling layers against Keras 3, numpy, and the reduce_window max-pool gradient."""

from __future__ import annotations

import json

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest
from jax import lax
from test_conv import check_compiled_gradients
from test_core_oracle import check_layer, keras_call

import kerax
from kerax.backend.keras_tensor import KerasTensor
from kerax.layers.pooling import pool_ops

RNG = np.random.default_rng(0)


def _x(*shape: int) -> np.ndarray:
    return RNG.normal(size=shape).astype("float32")


X1 = _x(2, 9, 3)
X2 = _x(2, 7, 8, 3)
X2_CF = _x(2, 3, 7, 8)
X3 = _x(1, 4, 5, 6, 2)
CF = {"data_format": "channels_first"}

POOL_CASES = [
    ("MaxPooling1D", X1, {}),
    ("MaxPooling1D", X1, {"pool_size": 3, "strides": 2, "padding": "same"}),
    ("MaxPooling2D", X2, {}),
    ("MaxPooling2D", X2, {"pool_size": (2, 3), "strides": 1}),
    ("MaxPooling2D", X2_CF, {"pool_size": 3, "strides": 2, "padding": "same", **CF}),
    ("MaxPooling2D", X2_CF, {"pool_size": 2, "padding": "same", **CF}),
    ("MaxPooling3D", X3, {"padding": "same"}),
    ("AveragePooling1D", X1, {"pool_size": 2}),
    ("AveragePooling1D", X1, {"pool_size": 4, "strides": 3, "padding": "same"}),
    ("AveragePooling2D", X2, {"pool_size": 2, "strides": 1, "padding": "same"}),
    ("AveragePooling2D", X2_CF, {"pool_size": (3, 2), **CF}),
    ("AveragePooling3D", X3, {"pool_size": 2, "strides": (1, 2, 2)}),
    ("GlobalMaxPooling1D", X1, {}),
    ("GlobalMaxPooling2D", X2_CF, {"keepdims": True, **CF}),
    ("GlobalMaxPooling3D", X3, {}),
    ("GlobalAveragePooling1D", X1, {"keepdims": True}),
    ("GlobalAveragePooling2D", X2, {}),
    ("GlobalAveragePooling3D", X3, {"keepdims": True}),
]


@pytest.mark.parametrize(
    "name, x, kwargs", POOL_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(POOL_CASES)]
)
def test_pooling_matches_keras(name, x, kwargs):
    layer, _, _ = check_layer(name, x, **kwargs)
    check_compiled_gradients(layer, x)


ADAPTIVE_CASES = [
    ("AdaptiveMaxPooling1D", X1, {"output_size": 4}),
    ("AdaptiveMaxPooling2D", X2_CF, {"output_size": (3, 5), **CF}),
    ("AdaptiveMaxPooling3D", X3, {"output_size": (2, 3, 4)}),
    ("AdaptiveAveragePooling1D", X1, {"output_size": 5}),
    ("AdaptiveAveragePooling2D", X2, {"output_size": (4, 3)}),
    ("AdaptiveAveragePooling3D", X3, {"output_size": 2}),
]


@pytest.mark.parametrize(
    "name, x, kwargs",
    ADAPTIVE_CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(ADAPTIVE_CASES)],
)
def test_adaptive_pooling_matches_keras(name, x, kwargs):
    """As check_layer, but both sides compiled: eager Keras adaptive pooling is slow."""
    ours = getattr(kerax.layers, name)(**kwargs)
    theirs = getattr(keras.layers, name)(**kwargs)
    out = np.asarray(jax.jit(ours)(x))
    with jax.numpy_rank_promotion("allow"):
        expected = np.asarray(jax.jit(theirs)(x))
    np.testing.assert_allclose(out, expected, atol=1e-6, rtol=1e-6)
    assert ours.compute_output_shape(x.shape) == out.shape
    assert tuple(theirs.compute_output_shape(x.shape)) == out.shape
    config = json.loads(json.dumps(ours.get_config()))
    assert set(config) == set(theirs.get_config())
    assert type(ours).from_config(config).get_config() == ours.get_config()
    check_compiled_gradients(ours, x)


def _numpy_pool(x, size, stride, reduce):
    """Valid 2D pooling of an NHWC array by loops."""
    oh = (x.shape[1] - size[0]) // stride[0] + 1
    ow = (x.shape[2] - size[1]) // stride[1] + 1
    out = np.empty((x.shape[0], oh, ow, x.shape[3]), x.dtype)
    for i in range(oh):
        for j in range(ow):
            window = x[:, i * stride[0] : i * stride[0] + size[0],
                       j * stride[1] : j * stride[1] + size[1]]  # fmt: skip
            out[:, i, j] = reduce(window, axis=(1, 2))
    return out


@pytest.mark.parametrize(
    "size, stride", [((2, 2), (2, 2)), ((3, 2), (1, 2)), ((2, 3), (2, 3))]
)
def test_pooling_matches_numpy(size, stride):
    got = kerax.layers.MaxPooling2D(size, stride)(X2)
    np.testing.assert_array_equal(
        np.asarray(got), _numpy_pool(X2, size, stride, np.max)
    )
    got = kerax.layers.AveragePooling2D(size, stride)(X2)
    expected = _numpy_pool(X2, size, stride, np.mean)
    np.testing.assert_allclose(np.asarray(got), expected, atol=1e-6)


def test_global_average_1d_mask():

    mask = np.array([[1, 1, 0, 1, 0, 0, 0, 1, 1], [1, 0, 0, 0, 0, 0, 0, 0, 0]], bool)
    ours = kerax.layers.GlobalAveragePooling1D()(X1, mask=mask)
    theirs = keras_call(keras.layers.GlobalAveragePooling1D(), X1, mask=mask)
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), atol=1e-6)
    np.testing.assert_allclose(np.asarray(ours)[1], X1[1, 0], atol=1e-6)


def test_aliases():
    layers = kerax.layers
    assert layers.MaxPool2D is layers.MaxPooling2D
    assert layers.AvgPool1D is layers.AveragePooling1D
    assert layers.GlobalAvgPool2D is layers.GlobalAveragePooling2D
    assert layers.GlobalMaxPool3D is layers.GlobalMaxPooling3D


def test_symbolic_unknown_sizes():
    assert kerax.layers.MaxPooling2D()(KerasTensor((None, None, 8, 3))).shape == (
        None,
        None,
        4,
        3,
    )
    assert kerax.layers.GlobalAveragePooling2D()(
        KerasTensor((None, 5, 5, 3))
    ).shape == (
        None,
        3,
    )


# -- the block max-pool path ---------------------------------------------------
def _reduce_window_max(x, size, data_format, padding="valid"):
    window = (1, *size, 1) if data_format == "channels_last" else (1, 1, *size)
    return lax.reduce_window(x, -jnp.inf, lax.max, window, window, padding.upper())


BLOCK_CASES = [
    ((2, 7, 9, 3), (2, 2), "valid", "channels_last"),
    ((2, 3, 8, 6), (2, 3), "same", "channels_first"),
    ((2, 9, 4), (3,), "valid", "channels_last"),
    ((1, 4, 4, 5, 2), (2, 2, 2), "valid", "channels_last"),
]


@pytest.mark.parametrize("shape, size, padding, data_format", BLOCK_CASES)
@pytest.mark.parametrize("ties", [False, True])
def test_block_max_pool_matches_reduce_window(shape, size, padding, data_format, ties):
    """Same outputs and gradients as reduce_window, ties included.

    With ties (inputs drawn from {0, 1}) both give the whole window gradient to
    the first maximal element in row-major window order.
    """
    if ties:
        x = jnp.asarray(RNG.integers(0, 2, size=shape), jnp.float32)
    else:
        x = jnp.asarray(RNG.normal(size=shape), jnp.float32)

    def ours(v):
        return pool_ops.max_pool(v, size, size, padding, data_format)

    def reference(v):
        return _reduce_window_max(v, size, data_format, padding)

    np.testing.assert_array_equal(np.asarray(ours(x)), np.asarray(reference(x)))
    cotangent = jnp.asarray(RNG.normal(size=reference(x).shape), jnp.float32)
    grad = jax.grad(lambda v: jnp.sum(ours(v) * cotangent))(x)
    expected = jax.grad(lambda v: jnp.sum(reference(v) * cotangent))(x)
    np.testing.assert_array_equal(np.asarray(grad), np.asarray(expected))


def test_block_max_pool_supports_forward_mode_and_jit():
    x = jnp.asarray(X2)
    tangent = jnp.asarray(RNG.normal(size=X2.shape), jnp.float32)
    _, ours = jax.jvp(
        lambda v: pool_ops.max_pool(v, (2, 2), (2, 2), "valid", "channels_last"),
        (x,),
        (tangent,),
    )
    _, expected = jax.jvp(
        lambda v: _reduce_window_max(v, (2, 2), "channels_last"), (x,), (tangent,)
    )
    np.testing.assert_allclose(np.asarray(ours), np.asarray(expected), atol=1e-6)
    jitted = jax.jit(jax.grad(lambda v: jnp.sum(kerax.layers.MaxPooling2D()(v))))
    assert float(jnp.sum(jitted(x))) == 2 * 3 * 4 * 3


def test_block_path_taken_only_for_non_overlapping_windows(monkeypatch):
    calls = []
    original = pool_ops._block_max

    def spy(*args):
        calls.append(args[1])
        return original(*args)

    monkeypatch.setattr(pool_ops, "_block_max", spy)
    kerax.layers.MaxPooling2D()(X2)
    kerax.layers.MaxPooling2D(2, padding="same")(X2[:, :6])
    kerax.layers.MaxPooling2D(2, strides=1)(X2)
    kerax.layers.MaxPooling2D(2, padding="same")(X2)
    assert calls == [(2, 2), (2, 2)]


# -- bad input -----------------------------------------------------------------
def test_bad_arguments_name_the_layer():
    with pytest.raises(ValueError, match=r"MaxPooling2D.*padding.*'causal'"):
        kerax.layers.MaxPooling2D(padding="causal")
    with pytest.raises(ValueError, match=r"AveragePooling1D.*data_format.*'NWC'"):
        kerax.layers.AveragePooling1D(2, data_format="NWC")
    with pytest.raises(ValueError, match=r"pool_size.*2 ints"):
        kerax.layers.MaxPooling2D((2, 2, 2))
    with pytest.raises(ValueError, match=r"GlobalMaxPooling1D.*data_format"):
        kerax.layers.GlobalMaxPooling1D(data_format="last")


def test_window_larger_than_input():
    layer = kerax.layers.MaxPooling2D(8, name="edge")
    with pytest.raises(
        ValueError, match=r"edge.*larger than the input.*\(2, 7, 8, 3\)"
    ):
        layer(X2)
    kerax.layers.MaxPooling2D(8, padding="same")(X2)


def test_wrong_rank():
    with pytest.raises(ValueError, match=r"max_pooling2d.*ndim=4.*ndim=3"):
        kerax.layers.MaxPooling2D()(X1)
    with pytest.raises(ValueError, match=r"rank 4.*\(2, 9, 3\)"):
        kerax.layers.GlobalMaxPooling2D().compute_output_shape(X1.shape)
