"""Convolution layers against Keras 3 and a numpy reference.

Outputs agree with Keras to 1e-5 (both run ``lax.conv_general_dilated`` in
float32; the transposed convolution takes a different but equivalent lowering,
the same tolerance holds).
"""

from __future__ import annotations

import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from test_core_oracle import check_layer

import kerax
from kerax.backend.keras_tensor import KerasTensor

RNG = np.random.default_rng(0)


def check_compiled_gradients(layer, x, **call_kwargs) -> None:
    """Gradients under ``jax.jit`` through ``stateless_call`` (as training runs).

    Every trainable weight and the input get a finite, non-zero gradient of
    ``sum(sin(output))``. The pooling and normalization tests use it too.
    """
    trainable = [v.value for v in layer.trainable_variables]
    non_trainable = [v.value for v in layer.non_trainable_variables]

    def loss(weights, inputs):
        out, _ = layer.stateless_call(weights, non_trainable, inputs, **call_kwargs)
        return jnp.sum(jnp.sin(out))

    grads = jax.jit(jax.grad(loss, argnums=(0, 1)))(trainable, jnp.asarray(x))
    leaves = jax.tree_util.tree_leaves(grads)
    assert len(leaves) == len(trainable) + 1
    for grad in leaves:
        assert np.all(np.isfinite(grad)) and np.any(np.asarray(grad) != 0)


BIAS = {"bias_initializer": "random_normal"}


def _x(*shape: int) -> np.ndarray:
    return RNG.normal(size=shape).astype("float32")


X1 = _x(2, 9, 4)
X1_CF = _x(2, 4, 9)
X2 = _x(2, 7, 8, 4)
X2_CF = _x(2, 4, 7, 8)
X3 = _x(1, 4, 5, 4, 2)
CF = {"data_format": "channels_first"}

CONV_CASES = [
    ("Conv1D", X1, {"filters": 3, "kernel_size": 3}),
    (
        "Conv1D",
        X1,
        {"filters": 4, "kernel_size": 3, "padding": "causal", "dilation_rate": 2},
    ),
    (
        "Conv1D",
        X1_CF,
        {"filters": 2, "kernel_size": 2, "strides": 2, "padding": "same", **CF},
    ),
    ("Conv1D", X1, {"filters": 4, "kernel_size": 3, "groups": 2, "activation": "relu"}),
    ("Conv2D", X2, {"filters": 3, "kernel_size": 3, **BIAS}),
    (
        "Conv2D",
        X2,
        {
            "filters": 4,
            "kernel_size": (3, 2),
            "strides": 2,
            "padding": "same",
            "groups": 4,
        },
    ),
    (
        "Conv2D",
        X2_CF,
        {"filters": 2, "kernel_size": 3, "dilation_rate": 2, **CF, **BIAS},
    ),
    (
        "Conv2D",
        X2_CF,
        {"filters": 6, "kernel_size": 2, "strides": (2, 1), "groups": 2, **CF},
    ),
    (
        "Conv2D",
        X2,
        {"filters": 2, "kernel_size": 1, "use_bias": False, "activation": "tanh"},
    ),
    (
        "Conv3D",
        X3,
        {"filters": 2, "kernel_size": 2, "strides": (1, 2, 1), "padding": "same"},
    ),
    (
        "Conv3D",
        X3,
        {"filters": 2, "kernel_size": (2, 3, 2), "dilation_rate": (1, 1, 2), **BIAS},
    ),
    ("Conv1DTranspose", X1, {"filters": 3, "kernel_size": 3, "strides": 2}),
    (
        "Conv1DTranspose",
        X1,
        {
            "filters": 3,
            "kernel_size": 4,
            "strides": 3,
            "padding": "same",
            "output_padding": 2,
        },
    ),
    (
        "Conv1DTranspose",
        X1_CF,
        {"filters": 2, "kernel_size": 3, "dilation_rate": 2, "padding": "same", **CF},
    ),
    (
        "Conv2DTranspose",
        X2,
        {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same", **BIAS},
    ),
    (
        "Conv2DTranspose",
        X2,
        {
            "filters": 2,
            "kernel_size": (2, 3),
            "strides": (2, 3),
            "output_padding": (1, 0),
        },
    ),
    ("Conv2DTranspose", X2_CF, {"filters": 2, "kernel_size": 4, "strides": 2, **CF}),
    (
        "Conv3DTranspose",
        X3,
        {"filters": 2, "kernel_size": 2, "strides": 2, "padding": "same"},
    ),
    ("DepthwiseConv1D", X1, {"kernel_size": 3, "depth_multiplier": 2, **BIAS}),
    (
        "DepthwiseConv1D",
        X1_CF,
        {"kernel_size": 2, "strides": 2, "padding": "same", **CF},
    ),
    (
        "DepthwiseConv2D",
        X2,
        {"kernel_size": 3, "depth_multiplier": 3, "dilation_rate": 2},
    ),
    (
        "DepthwiseConv2D",
        X2_CF,
        {"kernel_size": (2, 3), "strides": 2, "padding": "same", **CF},
    ),
    (
        "SeparableConv1D",
        X1,
        {"filters": 3, "kernel_size": 3, "depth_multiplier": 2, **BIAS},
    ),
    (
        "SeparableConv1D",
        X1_CF,
        {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same", **CF},
    ),
    (
        "SeparableConv2D",
        X2,
        {"filters": 5, "kernel_size": 3, "dilation_rate": 2, "activation": "relu"},
    ),
    (
        "SeparableConv2D",
        X2_CF,
        {"filters": 3, "kernel_size": 2, "strides": 2, "depth_multiplier": 2, **CF},
    ),
]


@pytest.mark.parametrize(
    "name, x, kwargs", CONV_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CONV_CASES)]
)
def test_conv_matches_keras(name, x, kwargs):
    ours, _, _ = check_layer(name, x, **kwargs)
    check_compiled_gradients(ours, x)


def _numpy_conv2d(x, kernel, strides, dilation, groups):
    """Direct NHWC 'valid' grouped convolution by loops over the output."""
    kh, kw, cin_g, cout = kernel.shape
    sh, sw = strides
    dh, dw = dilation
    n, h, w, _ = x.shape
    oh = (h - (kh - 1) * dh - 1) // sh + 1
    ow = (w - (kw - 1) * dw - 1) // sw + 1
    out = np.zeros((n, oh, ow, cout))
    per_group = cout // groups
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * sh : i * sh + (kh - 1) * dh + 1 : dh,
                      j * sw : j * sw + (kw - 1) * dw + 1 : dw]  # fmt: skip
            for o in range(cout):
                g = o // per_group
                taps = patch[..., g * cin_g : (g + 1) * cin_g]
                out[:, i, j, o] = np.einsum("nhwc,hwc->n", taps, kernel[..., o])
    return out


@pytest.mark.parametrize(
    "strides, dilation, groups",
    [((1, 1), (1, 1), 1), ((2, 3), (1, 1), 2), ((1, 1), (2, 1), 4)],
)
def test_conv2d_matches_numpy(strides, dilation, groups):
    layer = kerax.layers.Conv2D(
        4, (3, 2), strides, dilation_rate=dilation, groups=groups
    )
    out = np.asarray(layer(X2))
    kernel, bias = layer.get_weights()
    expected = _numpy_conv2d(X2, kernel, strides, dilation, groups) + bias
    np.testing.assert_allclose(out, expected, atol=1e-5)


def test_causal_conv1d_never_looks_ahead():
    layer = kerax.layers.Conv1D(2, 3, padding="causal", dilation_rate=2)
    base = np.asarray(layer(X1))
    changed = X1.copy()
    changed[:, 6:] += 1.0
    after = np.asarray(layer(changed))
    np.testing.assert_array_equal(after[:, :6], base[:, :6])
    assert not np.allclose(after[:, 6:], base[:, 6:])


def test_gradient_tape_matches_jax_grad():
    layer = kerax.layers.SeparableConv2D(3, 3, padding="same", activation="tanh")
    layer(X2)
    with kerax.GradientTape() as tape:
        loss = kerax.ops.sum(layer(X2) ** 2)
    grads = tape.gradient(loss, layer.trainable_variables)

    def pure(weights):
        return jnp.sum(layer.stateless_call(weights, [], X2)[0] ** 2)

    expected = jax.grad(pure)([v.value for v in layer.trainable_variables])
    for grad, want in zip(grads, expected):
        np.testing.assert_allclose(np.asarray(grad), np.asarray(want), rtol=1e-5)


def test_transpose_is_the_gradient_of_conv():
    """Conv2DTranspose(x) equals the vector-Jacobian product of Conv2D."""
    conv = kerax.layers.Conv2D(4, 3, strides=2, padding="same", use_bias=False)
    up = kerax.layers.Conv2DTranspose(4, 3, strides=2, padding="same", use_bias=False)
    x = X2[:, :6]
    y = np.asarray(conv(x))
    up(y)
    up.set_weights(conv.get_weights())
    kernel = conv.kernel.value
    _, vjp = jax.vjp(lambda x: conv.stateless_call([kernel], [], x)[0], x)
    np.testing.assert_allclose(np.asarray(up(y)), vjp(y)[0], atol=1e-5)


@pytest.mark.parametrize("name", ["Conv2D", "SeparableConv2D", "Conv2DTranspose"])
def test_symbolic_shapes_with_unknown_sizes(name):
    layer = getattr(kerax.layers, name)(3, 3, strides=2, padding="same")
    out = layer(KerasTensor((None, None, 9, 4)))
    assert out.shape == (None, None, 5 if "Transpose" not in name else 18, 3)


def test_aliases_are_the_same_classes():
    layers = kerax.layers
    assert layers.Convolution1D is layers.Conv1D
    assert layers.Convolution2D is layers.Conv2D
    assert layers.Convolution3D is layers.Conv3D
    assert layers.Convolution2DTranspose is layers.Conv2DTranspose
    assert layers.SeparableConvolution2D is layers.SeparableConv2D


def test_default_data_format_follows_config():
    kerax.config.set_image_data_format("channels_first")
    try:
        layer = kerax.layers.Conv2D(2, 3)
    finally:
        kerax.config.set_image_data_format("channels_last")
    assert layer.data_format == "channels_first"
    assert layer(X2_CF).shape == (2, 2, 5, 6)


def test_config_round_trip_with_regularizers():
    layer = kerax.layers.Conv2D(
        3, 2, kernel_regularizer="l2", bias_constraint="non_neg", activation="relu"
    )
    config = json.loads(json.dumps(layer.get_config()))
    clone = kerax.layers.Conv2D.from_config(config)
    assert clone.get_config() == layer.get_config()
    clone(X2)
    assert len(clone.losses) == 1


# -- bad input -----------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, match",
    [
        (
            {"filters": 2, "kernel_size": 3, "padding": "full"},
            r"padding.*\['valid', 'same'\].*'full'",
        ),
        (
            {"filters": 2, "kernel_size": 3, "data_format": "NHWC"},
            "data_format.*'NHWC'",
        ),
        ({"filters": 0, "kernel_size": 3}, "filters.*positive.*0"),
        ({"filters": 3, "kernel_size": 3, "groups": 2}, "divisible by `groups`"),
        ({"filters": 2, "kernel_size": (3, 3, 3)}, "kernel_size.*2 ints"),
        (
            {"filters": 2, "kernel_size": 3, "strides": 2, "dilation_rate": 2},
            "dilation_rate",
        ),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match) as info:
        kerax.layers.Conv2D(**kwargs)
    assert "Conv2D" in str(info.value)


def test_causal_only_for_conv1d():
    kerax.layers.Conv1D(2, 3, padding="causal")
    with pytest.raises(ValueError, match="causal"):
        kerax.layers.Conv2D(2, 3, padding="causal")


def test_output_padding_must_be_below_stride():
    with pytest.raises(ValueError, match="output_padding.*smaller than the stride"):
        kerax.layers.Conv2DTranspose(2, 3, strides=2, output_padding=2)


def test_wrong_rank_names_layer_expected_received():
    layer = kerax.layers.Conv2D(2, 3, name="edge")
    with pytest.raises(ValueError, match=r"edge.*(rank 4|ndim=4).*\(2, 9, 4\)"):
        layer(X1)
    layer(X2)
    with pytest.raises(ValueError, match=r"edge.*ndim=4.*ndim=3"):
        layer(X1)
    with pytest.raises(ValueError, match=r"edge.*rank 4.*\(2, 9, 4\)"):
        layer.compute_output_shape(X1.shape)


def test_channel_mismatch_after_build():
    layer = kerax.layers.Conv2D(2, 3, name="edge")
    layer(X2)
    with pytest.raises(ValueError, match=r"edge.*axis -1.*value 4.*\(2, 7, 8, 3\)"):
        layer(X2[..., :3])


@pytest.mark.parametrize(
    "layer",
    [
        lambda: kerax.layers.Conv2D(2, 9, name="edge"),
        lambda: kerax.layers.Conv2D(2, 3, dilation_rate=4, name="edge"),
        lambda: kerax.layers.DepthwiseConv2D(8, name="edge"),
    ],
)
def test_kernel_larger_than_input(layer):
    with pytest.raises(
        ValueError, match=r"edge.*larger than the input.*\(2, 7, 8, 4\)"
    ):
        layer()(X2)


def test_input_channels_must_split_into_groups():
    with pytest.raises(ValueError, match=r"groups=3.*4 channels"):
        kerax.layers.Conv2D(3, 3, groups=3)(X2)


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("Conv2D", {"filters": 2, "kernel_size": 3}),
        ("Conv2DTranspose", {"filters": 2, "kernel_size": 3, "strides": 2}),
        ("DepthwiseConv2D", {"kernel_size": 2}),
    ],
)
def test_mixed_precision_matches_keras(name, kwargs):
    import keras
    from test_core_oracle import keras_call

    ours = getattr(kerax.layers, name)(dtype="mixed_bfloat16", **kwargs)
    theirs = getattr(keras.layers, name)(dtype="mixed_bfloat16", **kwargs)
    ours(X2)
    keras_call(theirs, X2)
    ours.set_weights(theirs.get_weights())
    out, expected = ours(X2), keras_call(theirs, X2)
    assert out.dtype == expected.dtype == "bfloat16"
    assert ours.kernel.dtype == "float32"
    np.testing.assert_array_equal(
        np.asarray(out, "float32"), np.asarray(expected, "float32")
    )


# -- conv_ops: the custom kernel gradient ------------------------------------------
CONV_OPS_CASES = [
    # rank, data_format, kernel_layout, strides, lhs_dilation, rhs_dilation, padding
    (1, "channels_last", "IO", 2, 1, 1, "same"),
    (1, "channels_first", "OI", 1, 3, 2, ((1, 2),)),
    (2, "channels_last", "IO", 1, 1, 2, "valid"),
    (2, "channels_last", "OI", 1, 2, 1, ((2, 1), (1, 2))),
    (2, "channels_first", "IO", 3, 1, 1, "same"),
    (3, "channels_last", "IO", 2, 1, 1, "valid"),
]


@pytest.mark.parametrize(
    "rank, data_format, layout, s, ld, rd, padding", CONV_OPS_CASES
)
def test_conv_ops_gradients_equal_lax_autodiff(
    rank, data_format, layout, s, ld, rd, padding
):
    from jax import lax

    from kerax.layers.convolutional import conv_ops, conv_utils

    sizes, taps = [7, 6, 5][:rank], [3, 2, 3][:rank]
    x_shape = (2, *sizes, 3) if data_format == "channels_last" else (2, 3, *sizes)
    k_shape = (*taps, 3, 4) if layout == "IO" else (*taps, 4, 3)
    x = jnp.asarray(RNG.normal(size=x_shape), jnp.float32)
    kernel = jnp.asarray(RNG.normal(size=k_shape), jnp.float32)
    if isinstance(padding, str):
        padding = conv_ops.explicit_padding(
            padding, sizes, taps, [s] * rank, [rd] * rank
        )
    steps, lhs, rhs = [s] * rank, [ld] * rank, [rd] * rank
    numbers = conv_utils.dimension_numbers(rank, data_format, layout)

    def ours(v, k):
        return conv_ops.convolve(v, k, steps, padding, data_format, rhs, lhs, 1, layout)

    def reference(v, k):
        return lax.conv_general_dilated(v, k, steps, padding, lhs, rhs, numbers)

    np.testing.assert_array_equal(ours(x, kernel), reference(x, kernel))
    cotangent = jnp.asarray(RNG.normal(size=reference(x, kernel).shape), jnp.float32)
    got = jax.grad(lambda v, k: jnp.sum(ours(v, k) * cotangent), (0, 1))(x, kernel)
    want = jax.grad(lambda v, k: jnp.sum(reference(v, k) * cotangent), (0, 1))(
        x, kernel
    )
    for a, b in zip(got, want):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-5)


def test_conv_gradients_inside_scan_and_second_order():
    layer = kerax.layers.Conv2D(3, 3, strides=2, padding="same", activation="tanh")
    layer(X2)
    (kernel, bias) = [v.value for v in layer.trainable_variables]

    def loss(k, x):
        return jnp.sum(layer.stateless_call([k, bias], [], x)[0] ** 2)

    def scanned(k, xs):
        return jax.lax.scan(lambda c, x: (c, jax.grad(loss)(k, x)), 0, xs)[1]

    xs = jnp.stack([X2, 2 * X2])
    grads = jax.jit(scanned)(kernel, xs)
    np.testing.assert_allclose(
        grads[1], jax.grad(loss)(kernel, 2 * X2), rtol=1e-5, atol=1e-5
    )
    second = jax.grad(lambda k: jnp.sum(jax.grad(loss)(k, X2) ** 2))(kernel)
    assert np.all(np.isfinite(second)) and np.any(np.asarray(second) != 0)


def test_forward_mode_is_not_available_for_ungrouped_conv():
    """Documented limitation of the custom VJP (see conv_ops); grouped convs keep it."""
    layer = kerax.layers.Conv2D(2, 3)
    layer(X2)
    kernel, bias = [v.value for v in layer.trainable_variables]
    with pytest.raises(TypeError, match="custom_vjp"):
        jax.jvp(lambda x: layer.stateless_call([kernel, bias], [], x)[0], (X2,), (X2,))
    grouped = kerax.layers.Conv2D(2, 3, groups=2)
    grouped(X2)
    weights = [v.value for v in grouped.trainable_variables]
    jax.jvp(lambda x: grouped.stateless_call(weights, [], x)[0], (X2,), (X2,))
