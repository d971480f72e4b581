"""Merge layers and their function forms against Keras 3 and numpy."""

from __future__ import annotations

import jax
import keras
import numpy as np
import pytest
from test_core_oracle import check_gradients, check_layer, keras_call

import kerax
from kerax.backend.keras_tensor import KerasTensor

RNG = np.random.default_rng(0)
A, B, C = (RNG.normal(size=(2, 4, 5)).astype("float32") for _ in range(3))
ROW = RNG.normal(size=(2, 5)).astype("float32")
ONE = RNG.normal(size=(2, 1, 5)).astype("float32")

ELEMENTWISE = {
    "Add": lambda xs: sum(xs[1:], xs[0]),
    "Subtract": lambda xs: xs[0] - xs[1],
    "Multiply": lambda xs: np.prod(np.broadcast_arrays(*xs), axis=0),
    "Average": lambda xs: sum(xs[1:], xs[0]) / len(xs),
    "Maximum": lambda xs: np.max(np.broadcast_arrays(*xs), axis=0),
    "Minimum": lambda xs: np.min(np.broadcast_arrays(*xs), axis=0),
}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@pytest.mark.parametrize(
    "inputs", [[A, B], [A, ONE], [A, ROW]], ids=["same", "bc", "rank"]
)
def test_elementwise_merges_match_keras(name, inputs):
    ours, _, out = check_layer(name, inputs)
    if inputs[1] is ROW:
        inputs = [A, ROW[:, None, :]]
    np.testing.assert_allclose(out, ELEMENTWISE[name](inputs), rtol=1e-6)
    check_gradients(ours, inputs)


@pytest.mark.parametrize("name", ["Add", "Multiply", "Average", "Maximum", "Minimum"])
def test_merges_of_three_inputs(name):
    _, _, out = check_layer(name, [A, B, C])
    np.testing.assert_allclose(out, ELEMENTWISE[name]([A, B, C]), rtol=1e-6)


def _with_keras_masks(arrays, masks):
    tagged = [jax.numpy.asarray(x) for x in arrays]
    for x, mask in zip(tagged, masks):
        x._keras_mask = jax.numpy.asarray(mask)
    return tagged


@pytest.mark.parametrize("name", ["Multiply", "Maximum", "Minimum", "Add"])
def test_masked_merges_match_keras(name):
    masks = [RNG.random(size=(2, 4)) > 0.4, RNG.random(size=(2, 4)) > 0.4]
    ours = getattr(kerax.layers, name)()
    theirs = getattr(keras.layers, name)()
    out = ours([A, B], mask=masks)
    expected = keras_call(theirs, _with_keras_masks([A, B], masks))
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    np.testing.assert_array_equal(
        ours.compute_mask([A, B], masks), np.logical_or(*masks)
    )
    assert ours.compute_mask([A, B], [masks[0], None]) is None


def test_merges_reject_bad_inputs():
    with pytest.raises(ValueError, match='Layer "add".*incompatible shapes'):
        kerax.layers.Add()([A, np.ones((2, 3, 5), "float32")])
    with pytest.raises(ValueError, match='"subtract".*exactly 2'):
        kerax.layers.Subtract()([A, B, C])
    with pytest.raises(ValueError, match="batch sizes"):
        kerax.layers.Maximum()([A, np.ones((3, 4, 5), "float32")])
    with pytest.raises(ValueError, match="list of inputs"):
        kerax.layers.Multiply()(A)
    with pytest.raises(ValueError, match='Layer "add_1".*incompatible'):
        kerax.layers.Add()([KerasTensor((None, 4, 5)), KerasTensor((None, 3, 5))])


# -- Concatenate ---------------------------------------------------------------
@pytest.mark.parametrize(
    "inputs, axis",
    [
        ([A, B], -1),
        ([A, B, C], 1),
        ([A, RNG.normal(size=(2, 4, 2)).astype("float32")], 2),
        ([ROW, ROW], 0),
    ],
)
def test_concatenate_matches_keras(inputs, axis):
    ours, _, out = check_layer("Concatenate", inputs, axis=axis)
    np.testing.assert_array_equal(out, np.concatenate(inputs, axis=axis))
    check_gradients(ours, inputs)


def test_concatenate_masks_and_symbolic_shapes():
    layer = kerax.layers.Concatenate(axis=1)
    mask = RNG.random(size=(2, 4)) > 0.5
    combined = layer.compute_mask([A, B], [mask, None])
    theirs = keras.layers.Concatenate(axis=1).compute_mask([A, B], [mask, None])
    np.testing.assert_array_equal(combined, theirs)
    assert layer.compute_mask([A, B], [None, None]) is None
    out = layer([KerasTensor((None, 4, 5)), KerasTensor((None, None, 5))])
    assert out.shape == (None, None, 5)


def test_concatenate_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match='Layer "concatenate".*matching shapes'):
        kerax.layers.Concatenate()([A, np.ones((2, 3, 5), "float32")])
    with pytest.raises(ValueError, match="matching shapes"):
        kerax.layers.Concatenate()([A, ROW])
    with pytest.raises(ValueError, match="list of inputs"):
        kerax.layers.Concatenate()(A)


# -- Dot -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "inputs, kwargs",
    [
        ([ROW, ROW[::-1]], {"axes": 1}),
        ([ROW, ROW[::-1]], {"axes": -1, "normalize": True}),
        ([A, B], {"axes": 2}),
        ([A, B], {"axes": (1, 1)}),
        ([A, ROW], {"axes": (2, 1)}),
        ([A, np.swapaxes(B, 1, 2)], {"axes": [2, 1], "normalize": True}),
    ],
)
def test_dot_matches_keras(inputs, kwargs):
    ours, _, out = check_layer("Dot", inputs, **kwargs)
    check_gradients(ours, inputs)
    x, y = inputs
    axes = kwargs["axes"]
    a0, a1 = (axes, axes) if isinstance(axes, int) else axes
    a0, a1 = a0 % x.ndim, a1 % y.ndim
    if kwargs.get("normalize"):
        x = x / np.linalg.norm(x, axis=a0, keepdims=True)
        y = y / np.linalg.norm(y, axis=a1, keepdims=True)
    expected = np.stack([np.tensordot(x[i], y[i], (a0 - 1, a1 - 1)) for i in range(2)])
    np.testing.assert_allclose(out, expected.reshape(out.shape), rtol=1e-5, atol=1e-6)


def test_dot_rejects_bad_arguments():
    with pytest.raises(TypeError, match="axes"):
        kerax.layers.Dot("1")
    with pytest.raises(ValueError, match="axes"):
        kerax.layers.Dot((1, 2, 3))
    with pytest.raises(ValueError, match='"dot".*incompatible input shapes'):
        kerax.layers.Dot(axes=1)([A, ROW])
    with pytest.raises(ValueError, match="list of 2 inputs"):
        kerax.layers.Dot(axes=1)([A, B, C])
    with pytest.raises(ValueError, match="non-batch axes"):
        kerax.layers.Dot(axes=0)([ROW, ROW])


# -- function forms ------------------------------------------------------------
@pytest.mark.parametrize(
    "fn, kwargs",
    [
        ("add", {}),
        ("subtract", {}),
        ("multiply", {}),
        ("average", {}),
        ("maximum", {}),
        ("minimum", {}),
        ("concatenate", {"axis": 1}),
        ("dot", {"axes": 2}),
    ],
)
def test_function_forms_match_keras(fn, kwargs):
    out = getattr(kerax.layers, fn)([A, B], **kwargs)
    expected = keras_call(getattr(keras.layers, fn), [A, B], **kwargs)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    symbolic = getattr(kerax.layers, fn)(
        [KerasTensor((None, 4, 5)), KerasTensor((None, 4, 5))], **kwargs
    )
    assert symbolic.shape == (None, *np.asarray(out).shape[1:])
