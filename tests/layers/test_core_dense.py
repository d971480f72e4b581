"""Dense, EinsumDense and Embedding against Keras 3 and numpy."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from test_core_oracle import check_gradients, check_layer, keras_call

import kerax
from kerax.backend.keras_tensor import KerasTensor

RNG = np.random.default_rng(0)
X2 = RNG.normal(size=(3, 5)).astype("float32")
X3 = RNG.normal(size=(2, 4, 5)).astype("float32")


# -- Dense ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "x, kwargs",
    [
        (X2, {"units": 4}),
        (X3, {"units": 4, "activation": "relu", "use_bias": False}),
        (X2, {"units": 4, "activation": "tanh", "bias_initializer": "ones"}),
        (X3, {"units": 4, "kernel_initializer": "ones", "use_bias": False}),
    ],
)
def test_dense_matches_keras(x, kwargs):
    ours, _, out = check_layer("Dense", x, **kwargs)
    kernel = ours.get_weights()[0]
    bias = ours.get_weights()[1] if ours.use_bias else 0.0
    linear = x @ kernel + bias
    if kwargs.get("activation") == "relu":
        linear = np.maximum(linear, 0)
    elif kwargs.get("activation") == "tanh":
        linear = np.tanh(linear)
    np.testing.assert_allclose(out, linear, atol=1e-5)
    check_gradients(ours, x)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kernel_regularizer": "l2", "bias_regularizer": "l1"},
        {"activity_regularizer": "l1"},
    ],
)
def test_dense_losses_match_keras(kwargs):
    ours, theirs, _ = check_layer("Dense", X2, 4, **kwargs)
    keras_call(theirs, X2)
    ours(X2)
    assert len(ours.losses) == len(theirs.losses) >= 1
    np.testing.assert_allclose(
        sorted(float(v) for v in ours.losses),
        sorted(float(v) for v in theirs.losses),
        rtol=1e-5,
    )


def test_dense_symbolic_and_unknown_batch():
    layer = kerax.layers.Dense(4)
    out = layer(KerasTensor((None, 7, 5)))
    assert out.shape == (None, 7, 4)
    assert layer.compute_output_shape((None, 5)) == (None, 4)
    assert [w.path for w in layer.weights] == ["dense/kernel", "dense/bias"]


@pytest.mark.parametrize("units", [0, -3, 2.5, "4", None, True])
def test_dense_rejects_bad_units(units):
    with pytest.raises(ValueError, match="units"):
        kerax.layers.Dense(units)


def test_dense_rejects_lora_and_quantization():
    with pytest.raises(NotImplementedError, match="LoRA"):
        kerax.layers.Dense(3, lora_rank=2)
    with pytest.raises(NotImplementedError, match="quantization"):
        kerax.layers.Dense(3, quantization_config={"mode": "int8"})


def test_dense_rejects_bad_inputs():
    with pytest.raises(ValueError, match="min_ndim=2"):
        kerax.layers.Dense(3)(np.ones((4,), "float32"))
    layer = kerax.layers.Dense(3)
    layer(X2)
    with pytest.raises(ValueError, match="axis -1"):
        layer(np.ones((2, 6), "float32"))
    with pytest.raises(ValueError, match="activation"):
        kerax.layers.Dense(3, activation="no_such_activation")


# -- EinsumDense ---------------------------------------------------------------
EINSUM_CASES = [
    ((2, 3), {"equation": "ab,bc->ac", "output_shape": 4, "bias_axes": "c"}),
    ((2, 3, 5), {"equation": "abc,cd->abd", "output_shape": (3, 6)}),
    (
        (2, 3, 5),
        {"equation": "abc,cde->abde", "output_shape": (3, 2, 4), "bias_axes": "de"},
    ),
    ((2, 3, 5), {"equation": "...b,bc->...c", "output_shape": 4, "bias_axes": "c"}),
    ((2, 3, 5), {"equation": "ab...,bc->ac...", "output_shape": 4, "bias_axes": "c"}),
    (
        (2, 4),
        {"equation": "ab,bcd->acd", "output_shape": (2, 3), "activation": "relu"},
    ),
]


@pytest.mark.parametrize("shape, kwargs", EINSUM_CASES)
def test_einsum_dense_matches_keras(shape, kwargs):
    x = RNG.normal(size=shape).astype("float32")
    ours, _, out = check_layer("EinsumDense", x, **kwargs)
    expected = np.einsum(kwargs["equation"], x, ours.get_weights()[0])
    if "bias_axes" in kwargs:
        bias = ours.get_weights()[1]
        expected = expected + bias.reshape(
            (1,) * (expected.ndim - bias.ndim) + bias.shape
        )
    if kwargs.get("activation") == "relu":
        expected = np.maximum(expected, 0)
    np.testing.assert_allclose(out, expected, atol=1e-5)
    check_gradients(ours, x)


def test_einsum_dense_kernel_fans_follow_the_equation():
    # Glorot limit from fan_in = 64 (contracted) and fan_out = 16 * 32 (output).
    layer = kerax.layers.EinsumDense("abc,cde->abde", (3, 16, 32))
    layer(np.ones((2, 3, 64), "float32"))
    limit = np.sqrt(6 / (64 + 16 * 32))
    assert 0.98 * limit < np.abs(layer.get_weights()[0]).max() <= limit
    assert layer.get_config()["kernel_initializer"]["config"]["input_axes"] is None


@pytest.mark.parametrize(
    "equation, output_shape, bias_axes, match",
    [
        ("ab->ac", 4, None, "Invalid einsum equation"),
        ("ab,bc->ac", 4, "x", "bias dimension 'x'"),
        ("ab,bc->ad", 4, None, "dimension 'd'"),
        ("ab,be->ab", 3, None, "weight dimension 'e'"),
    ],
)
def test_einsum_dense_rejects_bad_equations(equation, output_shape, bias_axes, match):
    layer = kerax.layers.EinsumDense(equation, output_shape, bias_axes=bias_axes)
    with pytest.raises(ValueError, match=match):
        layer(np.ones((2, 3), "float32"))


def test_einsum_dense_rejects_wrong_rank_and_shapes():
    with pytest.raises(ValueError, match="rank"):
        kerax.layers.EinsumDense("ab,bc->ac", 4)(np.ones((2, 3, 4), "float32"))
    with pytest.raises(ValueError, match="shared dimension 'b'"):
        kerax.layers.EinsumDense("abc,cd->abd", (7, 2))(np.ones((2, 3, 4), "float32"))
    with pytest.raises(TypeError, match="equation"):
        kerax.layers.EinsumDense(3, 4)


# -- Embedding -----------------------------------------------------------------
IDS = np.array([[1, 0, 7], [3, 9, 0]], "int32")


@pytest.mark.parametrize(
    "ids, kwargs",
    [
        (IDS, {"input_dim": 10, "output_dim": 4}),
        (IDS, {"input_dim": 10, "output_dim": 3, "mask_zero": True}),
        (IDS[0], {"input_dim": 8, "output_dim": 2}),
        (IDS.astype("float32"), {"input_dim": 10, "output_dim": 2}),
    ],
)
def test_embedding_matches_keras(ids, kwargs):
    ours, theirs, out = check_layer("Embedding", ids, **kwargs)
    table = ours.get_weights()[0]
    np.testing.assert_allclose(out, table[ids.astype("int32")])
    ours_mask = ours.compute_mask(ids)
    theirs_mask = theirs.compute_mask(ids)
    if kwargs.get("mask_zero"):
        np.testing.assert_array_equal(ours_mask, theirs_mask)
        np.testing.assert_array_equal(ours_mask, ids != 0)
    else:
        assert ours_mask is None and theirs_mask is None
    check_gradients(ours, ids, wrt_inputs=False)


def test_embedding_initial_weights_and_old_arguments():
    table = RNG.normal(size=(5, 2)).astype("float32")
    layer = kerax.layers.Embedding(5, 2, weights=[table])
    assert layer.built
    np.testing.assert_allclose(layer(np.array([[4, 1]])), table[[[4, 1]]])
    with pytest.warns(UserWarning, match="input_length"):
        kerax.layers.Embedding(5, 2, input_length=7)
    table = kerax.layers.Embedding(10, 4).get_config()["embeddings_initializer"]
    assert table == keras.layers.Embedding(10, 4).get_config()["embeddings_initializer"]
    assert np.abs(kerax.layers.Embedding(10, 4)(np.arange(10))).max() <= 0.05


@pytest.mark.parametrize("input_dim, output_dim", [(0, 2), (-1, 2), (3, 0), ("3", 2)])
def test_embedding_rejects_bad_sizes(input_dim, output_dim):
    with pytest.raises(ValueError, match="must be a positive integer"):
        kerax.layers.Embedding(input_dim, output_dim)


# -- ReversibleEmbedding -------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs",
    [{}, {"tie_weights": False, "logit_soft_cap": 2.0}, {"mask_zero": True}],
)
def test_reversible_embedding_matches_keras(kwargs):
    ours, theirs, out = check_layer("ReversibleEmbedding", IDS, 10, 4, **kwargs)
    vectors = RNG.normal(size=(2, 3, 4)).astype("float32")
    logits = np.asarray(ours(vectors, reverse=True))
    np.testing.assert_allclose(
        logits, keras_call(theirs, vectors, reverse=True), atol=1e-5
    )
    kernel = (
        ours.get_weights()[-1] if "tie_weights" in kwargs else ours.get_weights()[0].T
    )
    expected = vectors @ kernel
    if "logit_soft_cap" in kwargs:
        expected = 2.0 * np.tanh(expected / 2.0)
    np.testing.assert_allclose(logits, expected, atol=1e-5)
    assert ours.compute_output_shape((None, 3, 4), reverse=True) == (None, 3, 10)
    symbolic = ours(KerasTensor((None, 3, 4)), reverse=True)
    assert symbolic.shape == (None, 3, 10)
    assert ours.compute_mask(vectors) is None
    if "tie_weights" not in kwargs:  # untied: the lookup table gets no gradient
        check_gradients(ours, vectors, reverse=True)


@pytest.mark.parametrize(
    "name, args, x",
    [
        ("Dense", (4,), X2),
        ("EinsumDense", ("ab,bc->ac", 4), X2),
        ("Embedding", (10, 4), IDS),
    ],
)
def test_mixed_precision_matches_keras(name, args, x):
    ours = getattr(kerax.layers, name)(*args, dtype="mixed_bfloat16")
    theirs = getattr(keras.layers, name)(*args, dtype="mixed_bfloat16")
    out = ours(x)
    keras_call(theirs, x)
    theirs.set_weights(ours.get_weights())
    expected = keras_call(theirs, x)
    assert out.dtype == expected.dtype == "bfloat16"
    assert all(w.dtype == "float32" for w in ours.weights)
    np.testing.assert_array_equal(
        np.asarray(out, "float32"), np.asarray(expected, "float32")
    )
