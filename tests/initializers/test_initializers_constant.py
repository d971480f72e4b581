"""Zeros, Ones, Constant, Identity and STFT against numpy and Keras."""

from __future__ import annotations

import numpy as np
import pytest

from kerax import initializers


@pytest.mark.parametrize("dtype", ["float32", "float16", "int32", "bool"])
def test_zeros_and_ones(dtype):
    zeros = initializers.Zeros()((2, 3), dtype=dtype)
    ones = initializers.Ones()((2, 3), dtype=dtype)
    assert zeros.dtype == dtype and ones.dtype == dtype
    np.testing.assert_array_equal(zeros, np.zeros((2, 3), dtype))
    np.testing.assert_array_equal(ones, np.ones((2, 3), dtype))


def test_default_dtype_is_floatx():
    assert initializers.Zeros()((2,)).dtype == "float32"
    assert initializers.Constant(3)((2,)).dtype == "float32"


def test_constant():
    import keras

    values = initializers.Constant(2.5)((3, 2))
    np.testing.assert_array_equal(values, np.full((3, 2), 2.5, "float32"))
    np.testing.assert_array_equal(values, keras.initializers.Constant(2.5)((3, 2)))
    np.testing.assert_array_equal(
        initializers.Constant(3)((2,), dtype="int32"), np.array([3, 3], "int32")
    )


def test_constant_broadcasts_an_array_and_keeps_it_in_its_config():
    import keras

    value = np.array([1.0, 2.0])
    init = initializers.Constant(value)
    np.testing.assert_array_equal(init((3, 2)), np.tile(value, (3, 1)))
    config = init.get_config()
    assert config == keras.initializers.Constant(value).get_config()
    np.testing.assert_array_equal(
        initializers.Constant.from_config(config)((3, 2)), init((3, 2))
    )


@pytest.mark.parametrize("shape", [(3, 3), (2, 4), (4, 2)])
def test_identity(shape):
    import keras

    values = initializers.Identity(gain=2.0)(shape)
    np.testing.assert_array_equal(values, 2.0 * np.eye(*shape))
    np.testing.assert_array_equal(values, keras.initializers.Identity(2.0)(shape))


def test_identity_keeps_dtype_and_needs_rank_two():
    assert initializers.Identity()((2, 2), dtype="int32").dtype == "int32"
    with pytest.raises(ValueError, match="2D shape"):
        initializers.Identity()((2, 2, 2))


def test_identity_config_keeps_the_gain():
    # Keras 3.15 drops `gain` from Identity's config; kerax keeps it, and a
    # Keras config (without it) still loads as gain 1.
    init = initializers.Identity.from_config(initializers.Identity(3.0).get_config())
    assert init.gain == 3.0
    assert initializers.Identity.from_config({}).gain == 1.0


def _stft_reference(shape, side, window, scaling):
    frames, _, bins = shape
    t = np.arange(frames).reshape(-1, 1, 1)
    f = np.arange(bins).reshape(1, 1, -1)
    angle = -2 * np.pi * t * f / (2 * (bins - 1))
    kernel = np.cos(angle) if side == "real" else np.sin(angle)
    if window is None:
        return kernel
    kernel = kernel * window.reshape(-1, 1, 1)
    if scaling == "density":
        return kernel / np.sqrt(np.sum(window**2))
    if scaling == "spectrum":
        return kernel / np.sum(np.abs(window))
    return kernel


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"side": "imag", "window": "hamming", "scaling": "spectrum", "periodic": True},
        {"window": None},
        {"side": "imag", "window": np.linspace(0.1, 1.0, 8), "scaling": None},
    ],
)
def test_stft(kwargs):
    import keras
    from scipy.signal import get_window

    shape = (8, 1, 5)
    values = np.asarray(initializers.STFT(**kwargs)(shape))
    window = kwargs.get("window", "hann")
    if isinstance(window, str):
        window = get_window(window, 8, fftbins=kwargs.get("periodic", False))
    expected = _stft_reference(
        shape, kwargs.get("side", "real"), window, kwargs.get("scaling", "density")
    )
    np.testing.assert_allclose(values, expected, atol=1e-6)
    # Keras computes the angles in float32: errors up to ~2e-6 where sin is 0.
    theirs = keras.initializers.STFT(**kwargs)(shape)
    np.testing.assert_allclose(values, theirs, atol=2e-6)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"side": "both"}, "side"),
        ({"window": "no_such_window"}, "window"),
        ({"scaling": "energy"}, "scaling"),
    ],
)
def test_stft_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        initializers.STFT(**kwargs)


def test_stft_window_must_match_frame_length():
    with pytest.raises(ValueError, match="window"):
        initializers.STFT(window=np.ones(3))((8, 1, 5))
