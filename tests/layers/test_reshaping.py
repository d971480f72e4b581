"""Reshape, Flatten, Permute, RepeatVector, Cropping, ZeroPadding, UpSampling."""

from __future__ import annotations

import numpy as np
import pytest
from test_core_oracle import check_gradients, check_layer

import kerax
from kerax.backend.keras_tensor import KerasTensor

RNG = np.random.default_rng(0)
SEQ = RNG.normal(size=(2, 4, 5)).astype("float32")
IMG = RNG.normal(size=(2, 4, 5, 3)).astype("float32")
VOL = RNG.normal(size=(2, 4, 5, 3, 2)).astype("float32")
ROW = RNG.normal(size=(2, 5)).astype("float32")


@pytest.mark.parametrize(
    "x, target", [(SEQ, (20,)), (SEQ, (5, -1)), (IMG, (-1, 3)), (ROW, (1, 5, 1))]
)
def test_reshape_matches_keras(x, target):
    ours, _, out = check_layer("Reshape", x, target)
    np.testing.assert_array_equal(out, x.reshape((2, *out.shape[1:])))
    check_gradients(ours, x)


def test_reshape_shapes_and_errors():
    layer = kerax.layers.Reshape((-1, 2))
    assert layer.compute_output_shape((None, 4, 5)) == (None, 10, 2)
    assert layer.compute_output_shape((None, None, 5)) == (None, None, 2)
    ids = layer(KerasTensor((None, 4, 5), "int32"))
    assert ids.shape == (None, 10, 2) and ids.dtype == "int32"
    with pytest.raises(ValueError, match="total size"):
        kerax.layers.Reshape((3, 3))(SEQ)
    with pytest.raises(ValueError, match="divided"):
        kerax.layers.Reshape((3, -1))(SEQ)
    for bad in [(-1, -1), (-2, 4), ("a",), 5]:
        with pytest.raises(ValueError, match="target_shape"):
            kerax.layers.Reshape(bad)


@pytest.mark.parametrize(
    "x, data_format",
    [(SEQ, "channels_last"), (IMG, "channels_first"), (VOL, None), (ROW, None)],
)
def test_flatten_matches_keras(x, data_format):
    ours, _, out = check_layer("Flatten", x, data_format=data_format)
    if data_format == "channels_first":
        x = np.moveaxis(x, 1, -1)
    np.testing.assert_array_equal(out, x.reshape(2, -1))
    check_gradients(ours, x)


def test_flatten_unknown_sizes_and_bad_format():
    assert kerax.layers.Flatten().compute_output_shape((None, None, 3)) == (None, None)
    assert kerax.layers.Flatten()(KerasTensor((None, 4, 5), "int32")).dtype == "int32"
    with pytest.raises(ValueError, match="data_format"):
        kerax.layers.Flatten(data_format="channels_middle")
    with pytest.raises(ValueError, match="min_ndim=1"):
        kerax.layers.Flatten()(np.float32(1.0))


@pytest.mark.parametrize("x, dims", [(SEQ, (2, 1)), (IMG, (3, 1, 2)), (IMG, (1, 2, 3))])
def test_permute_matches_keras(x, dims):
    ours, _, out = check_layer("Permute", x, dims)
    np.testing.assert_array_equal(out, np.transpose(x, (0, *dims)))
    check_gradients(ours, x)


def test_permute_and_repeat_vector_errors():
    for bad in [(0, 1), (1, 3), (2, 2)]:
        with pytest.raises(ValueError, match="dims"):
            kerax.layers.Permute(bad)
    with pytest.raises(ValueError, match="ndim=3"):
        kerax.layers.Permute((2, 1))(IMG)
    for bad in [0, -2, 1.5]:
        with pytest.raises(ValueError, match="`n`"):
            kerax.layers.RepeatVector(bad)
    with pytest.raises(ValueError, match="ndim=2"):
        kerax.layers.RepeatVector(2)(SEQ)


def test_repeat_vector_matches_keras():
    ours, _, out = check_layer("RepeatVector", ROW, 3)
    np.testing.assert_array_equal(out, np.repeat(ROW[:, None], 3, axis=1))
    check_gradients(ours, ROW)


# -- cropping and padding ------------------------------------------------------
def _slices(x, crops, axes):
    index = [slice(None)] * x.ndim
    for axis, (a, b) in zip(axes, crops):
        index[axis] = slice(a, x.shape[axis] - b)
    return x[tuple(index)]


@pytest.mark.parametrize(
    "name, x, kwargs, crops, axes",
    [
        ("Cropping1D", SEQ, {}, [(1, 1)], [1]),
        ("Cropping1D", SEQ, {"cropping": (0, 2)}, [(0, 2)], [1]),
        ("Cropping2D", IMG, {"cropping": 1}, [(1, 1), (1, 1)], [1, 2]),
        ("Cropping2D", IMG, {"cropping": ((0, 1), (2, 0))}, [(0, 1), (2, 0)], [1, 2]),
        (
            "Cropping2D",
            IMG,
            {"cropping": (1, 0), "data_format": "channels_first"},
            [(1, 1), (0, 0)],
            [2, 3],
        ),
        ("Cropping3D", VOL, {}, [(1, 1), (1, 1), (1, 1)], [1, 2, 3]),
        (
            "Cropping3D",
            VOL,
            {"cropping": ((0, 1), 1, (0, 0)), "data_format": "channels_first"},
            [(0, 0), (0, 1), (1, 1)],
            [1, 2, 3],
        ),
    ],
)
def test_cropping_matches_keras(name, x, kwargs, crops, axes):
    ours, _, out = check_layer(name, x, **kwargs)
    if kwargs.get("data_format") == "channels_first":
        crops, axes = ours._crops, range(2, x.ndim)
    np.testing.assert_array_equal(out, _slices(x, crops, axes))
    check_gradients(ours, x)


def test_cropping_errors():
    with pytest.raises(ValueError, match="smaller than"):
        kerax.layers.Cropping1D((2, 2))(SEQ)
    with pytest.raises(ValueError, match="smaller than"):
        kerax.layers.Cropping2D(((2, 2), (0, 0)))(IMG)
    with pytest.raises(ValueError, match="smaller than"):
        kerax.layers.Cropping2D(2).compute_output_shape((None, 4, 5, 3))
    for bad in [-1, (1, 2, 3), ((1, 1),), "a"]:
        with pytest.raises(ValueError, match="cropping"):
            kerax.layers.Cropping2D(bad)
    with pytest.raises(ValueError, match="ndim=4"):
        kerax.layers.Cropping2D(1)(SEQ)
    assert kerax.layers.Cropping1D(1).compute_output_shape((None, None, 3)) == (
        None,
        None,
        3,
    )


@pytest.mark.parametrize(
    "name, x, kwargs",
    [
        ("ZeroPadding1D", SEQ, {}),
        ("ZeroPadding1D", SEQ, {"padding": (0, 2), "data_format": "channels_first"}),
        ("ZeroPadding2D", IMG, {}),
        ("ZeroPadding2D", IMG, {"padding": ((1, 0), (0, 2))}),
        ("ZeroPadding2D", IMG, {"padding": 2, "data_format": "channels_first"}),
        ("ZeroPadding3D", VOL, {"padding": (1, 0, 2)}),
        ("ZeroPadding3D", VOL, {"data_format": "channels_first"}),
    ],
)
def test_zero_padding_matches_keras(name, x, kwargs):
    ours, _, out = check_layer(name, x, **kwargs)
    first = 2 if kwargs.get("data_format") == "channels_first" else 1
    widths = [(0, 0)] * x.ndim
    for i, pad in enumerate(ours._pads):
        widths[first + i] = pad
    np.testing.assert_array_equal(out, np.pad(x, widths))
    check_gradients(ours, x)


def test_zero_padding_errors():
    for bad in [-1, (1, 2, 3), ((1, -1), 1)]:
        with pytest.raises(ValueError, match="padding"):
            kerax.layers.ZeroPadding2D(bad)
    with pytest.raises(ValueError, match="padding"):
        kerax.layers.ZeroPadding1D((1, 2, 3))
    with pytest.raises(ValueError, match="ndim=5"):
        kerax.layers.ZeroPadding3D()(IMG)
    assert kerax.layers.ZeroPadding2D().compute_output_shape((None, None, 5, 3)) == (
        None,
        None,
        7,
        3,
    )


# -- upsampling ----------------------------------------------------------------
@pytest.mark.parametrize(
    "name, x, kwargs",
    [
        ("UpSampling1D", SEQ, {}),
        ("UpSampling1D", SEQ, {"size": 3}),
        ("UpSampling2D", IMG, {}),
        ("UpSampling2D", IMG, {"size": (1, 3), "data_format": "channels_first"}),
        ("UpSampling2D", IMG, {"interpolation": "bilinear"}),
        ("UpSampling2D", IMG, {"size": 3, "interpolation": "bicubic"}),
        (
            "UpSampling2D",
            IMG,
            {"interpolation": "bilinear", "data_format": "channels_first"},
        ),
        ("UpSampling3D", VOL, {}),
        ("UpSampling3D", VOL, {"size": (1, 2, 1), "data_format": "channels_first"}),
    ],
)
def test_up_sampling_matches_keras(name, x, kwargs):
    ours, _, out = check_layer(name, x, **kwargs)
    if kwargs.get("interpolation", "nearest") == "nearest":
        first = 2 if kwargs.get("data_format") == "channels_first" else 1
        expected = x
        for i, factor in enumerate(ours._sizes):
            expected = np.repeat(expected, factor, axis=first + i)
        np.testing.assert_array_equal(out, expected)
    check_gradients(ours, x)


def test_up_sampling_errors():
    with pytest.raises(TypeError, match="size"):
        kerax.layers.UpSampling1D((2, 2))
    with pytest.raises(ValueError, match="size"):
        kerax.layers.UpSampling1D(0)
    with pytest.raises(ValueError, match="size"):
        kerax.layers.UpSampling2D((2, 0))
    with pytest.raises(ValueError, match="interpolation"):
        kerax.layers.UpSampling2D(interpolation="area51")
    with pytest.raises(ValueError, match="ndim=5"):
        kerax.layers.UpSampling3D()(IMG)
    assert kerax.layers.UpSampling2D().compute_output_shape((None, None, 5, 3)) == (
        None,
        None,
        10,
        3,
    )
