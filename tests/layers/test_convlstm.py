"""ConvLSTM1D/2D/3D against Keras, and the scan-friendly convolution gradients."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax
from test_rnn_oracle import RNG, build, clone_matches, compare, leaves

import kerax
from kerax.layers.recurrent.conv_ops import conv

SHAPES = {1: (2, 3, 6, 2), 2: (2, 3, 5, 4, 2), 3: (2, 2, 4, 3, 4, 2)}


@pytest.mark.parametrize(
    "rank, kwargs",
    [
        (1, {"padding": "same", "return_sequences": True, "return_state": True}),
        (2, {"strides": 2, "go_backwards": True, "unit_forget_bias": False}),
        (2, {"dilation_rate": 2, "data_format": "channels_first"}),
        (3, {"strides": (2, 1, 2), "return_state": True}),
    ],
)
def test_conv_lstm_matches_keras(rank, kwargs):
    shape = SHAPES[rank]
    if kwargs.get("data_format") == "channels_first":
        shape = (*shape[:2], shape[-1], *shape[2:-1])
    x = RNG.normal(size=shape).astype("float32")
    ours, _, output = compare(
        lambda lib: getattr(lib.layers, f"ConvLSTM{rank}D")(3, 2, **kwargs), inputs=x
    )
    clone_matches(ours, output, inputs=x)


def test_conv_lstm_initial_state_matches_keras():
    x = RNG.normal(size=SHAPES[2]).astype("float32")
    states = [RNG.normal(size=(2, 4, 3, 3)).astype("float32") for _ in range(2)]
    compare(
        lambda lib: lib.layers.ConvLSTM2D(3, 2, return_state=True),
        inputs=x,
        initial_state=states,
    )


def test_conv_lstm_masked_steps_keep_the_state():
    # Keras's own ConvLSTM fails on masks (its masking broadcasts (batch, 1)
    # against 4-D states), so the reference is the unmasked prefix.
    x = jnp.asarray(RNG.normal(size=SHAPES[2]).astype("float32"))
    layer = kerax.layers.ConvLSTM2D(3, 2, return_state=True)
    out, h, c = layer(x, mask=np.array([[1, 1, 1], [1, 1, 0]], dtype=bool))
    prefix = layer(x[:, :2])
    full = layer(x)
    for got, short, long in zip(leaves((out, h, c)), leaves(prefix), leaves(full)):
        np.testing.assert_allclose(got[1], short[1], atol=1e-6)
        np.testing.assert_allclose(got[0], long[0], atol=1e-6)


def test_conv_lstm_gradients_and_dropout():
    x = jnp.asarray(RNG.normal(size=SHAPES[2]).astype("float32"))
    layer = kerax.layers.ConvLSTM2D(3, 2, dropout=0.3, recurrent_dropout=0.3, seed=2)
    build(layer, x)
    trainable = [v.value for v in layer.trainable_variables]
    non_trainable = [v.value for v in layer.non_trainable_variables]

    def loss(weights, x):
        out, _ = layer.stateless_call(weights, non_trainable, x, training=True)
        return jnp.sum(out**2)

    grads = jax.jit(jax.grad(loss, argnums=(0, 1)))(trainable, x)
    for grad in jax.tree_util.tree_leaves(grads):
        assert np.all(np.isfinite(np.asarray(grad))) and np.any(np.asarray(grad) != 0)
    assert not np.allclose(
        np.asarray(layer(x, training=True)), np.asarray(layer(x, training=False))
    )


def test_bad_inputs_name_the_layer():
    with pytest.raises(ValueError, match='"conv".*expected ndim=5, found ndim=4'):
        kerax.layers.ConvLSTM2D(3, 2, name="conv")(np.ones((2, 3, 4, 4), "float32"))
    with pytest.raises(
        ValueError, match=r"ConvLSTM2D: the kernel is larger.*\(2, 2, 2, 1\)"
    ):
        kerax.layers.ConvLSTM2D(3, 3)(np.ones((2, 3, 2, 2, 1), "float32"))


def lax_conv(x, kernel, strides, padding, dilation, data_format):
    spatial = {1: "W", 2: "HW", 3: "DHW"}[kernel.ndim - 2]
    layout = f"N{spatial}C" if data_format == "channels_last" else f"NC{spatial}"
    return lax.conv_general_dilated(
        x,
        kernel,
        strides,
        padding.upper(),
        rhs_dilation=dilation,
        dimension_numbers=(layout, f"{spatial}IO", layout),
    )


@pytest.mark.parametrize(
    "rank, data_format, stride, dilation, padding",
    [
        (1, "channels_last", 2, 1, "same"),
        (1, "channels_first", 3, 1, "valid"),
        (2, "channels_last", 1, 2, "same"),
        (2, "channels_first", 2, 1, "valid"),
        (3, "channels_last", 2, 1, "same"),
        (3, "channels_first", 1, 2, "same"),
    ],
)
def test_conv_values_and_gradients_equal_lax(
    rank, data_format, stride, dilation, padding
):
    spatial = (7, 6, 5)[:rank]
    channels_first = data_format == "channels_first"
    shape = (2, 3, *spatial) if channels_first else (2, *spatial, 3)
    x = jnp.asarray(RNG.normal(size=shape).astype("float32"))
    kernel = jnp.asarray(RNG.normal(size=(3,) * rank + (3, 4)).astype("float32"))
    args = ((stride,) * rank, padding, (dilation,) * rank, data_format)
    ours = lambda x, k: jnp.sum(jnp.sin(conv(x, k, *args)))  # noqa: E731
    reference = lambda x, k: jnp.sum(jnp.sin(lax_conv(x, k, *args)))  # noqa: E731
    np.testing.assert_allclose(ours(x, kernel), reference(x, kernel), rtol=1e-5)
    got = jax.grad(ours, argnums=(0, 1))(x, kernel)
    want = jax.grad(reference, argnums=(0, 1))(x, kernel)
    for a, b in zip(leaves(got), leaves(want)):
        np.testing.assert_allclose(a, b, atol=1e-4, rtol=1e-5)
