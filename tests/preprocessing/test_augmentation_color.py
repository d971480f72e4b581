"""Colour and filter augmentation layers against Keras with the same seeds;
RandomGaussianBlur against a NumPy Gaussian filter (Keras 3.15's JAX
``gaussian_blur`` blurs along one axis only)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import kerax

RNG = np.random.default_rng(0)
IMAGES = (RNG.random((3, 7, 9, 3)) * 255).astype("float32")

CASES = [
    ("RandomGrayscale", {"factor": 0.6}),
    ("RandomHue", {"factor": (0.2, 0.6)}),
    ("RandomHue", {"factor": 0.5, "value_range": (0, 255)}),
    ("RandomSaturation", {"factor": (0.2, 0.8)}),
    ("RandomInvert", {"factor": 0.7}),
    ("RandomSharpness", {"factor": (0.1, 0.9)}),
    ("RandomErasing", {}),
    ("RandomErasing", {"factor": 0.8, "fill_value": 3.0, "scale": (0.1, 0.5)}),
    (
        "RandomColorJitter",
        {
            "brightness_factor": 0.2,
            "contrast_factor": (0.2, 0.5),
            "saturation_factor": (0.3, 0.7),
            "hue_factor": 0.3,
        },
    ),
]


def _config(layer):
    return {k: v for k, v in layer.get_config().items() if k != "name"}


@pytest.mark.parametrize(
    "name, kwargs, data_format",
    [(name, kwargs, "channels_last") for name, kwargs in CASES]
    + [(name, kwargs, "channels_first") for name, kwargs in CASES[6:8]],
)
def test_matches_keras_with_the_same_seed(name, kwargs, data_format):
    kwargs = {**kwargs, "seed": 5, "data_format": data_format}
    ours = getattr(kerax.layers, name)(**kwargs)
    theirs = getattr(keras.layers, name)(**kwargs)
    x = IMAGES if data_format == "channels_last" else IMAGES.transpose(0, 3, 1, 2)
    for images in (x, x, x[0]):
        np.testing.assert_allclose(
            ours(images, training=True),
            theirs(images, training=True),
            rtol=1e-5,
            atol=5e-4,
        )
    np.testing.assert_array_equal(ours(x, training=False), x)
    assert _config(ours) == _config(theirs)
    clone = type(ours).from_config(ours.get_config())
    assert _config(clone) == _config(ours)


def _blur(images, sigma, size=5):
    """Separable Gaussian blur with zero padding (numpy reference)."""
    taps = np.arange(size) - (size - 1) / 2
    rows, cols = (np.exp(-0.5 * (taps / s) ** 2) for s in sigma)
    kernel = np.outer(rows / rows.sum(), cols / cols.sum())
    pad = size // 2
    padded = np.pad(images, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    out = np.zeros_like(images)
    for i in range(size):
        for j in range(size):
            out += (
                kernel[i, j]
                * padded[:, i : i + images.shape[1], j : j + images.shape[2]]
            )
    return out


def test_gaussian_blur_blurs_the_chosen_images():
    layer = kerax.layers.RandomGaussianBlur(
        factor=(0.5, 0.5), kernel_size=5, sigma=(0.5, 1.0), seed=3
    )
    out = np.asarray(layer(IMAGES, training=True))
    reference = kerax.layers.RandomGaussianBlur(
        factor=(0.5, 0.5), kernel_size=5, sigma=(0.5, 1.0), seed=3
    )
    params = reference.get_random_transformation(IMAGES)
    blurred = _blur(IMAGES, np.asarray(params["blur_factor"]))
    chosen = np.asarray(params["should_apply_blur"])
    expected = np.where(chosen[:, None, None, None], np.clip(blurred, 0, 255), IMAGES)
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    sigma = np.asarray(params["blur_factor"])
    assert np.all((sigma >= 0.5) & (sigma <= 1.0 + 1e-5))
    np.testing.assert_array_equal(layer(IMAGES, training=False), IMAGES)


def test_saturation_number_follows_keras_documentation_and_errors():
    assert kerax.layers.RandomSaturation(0.5).factor == (0, 0.5)
    grey = kerax.layers.RandomSaturation((0.0, 0.0), seed=1)(IMAGES, training=True)
    spread = np.ptp(np.asarray(grey), axis=-1)
    assert spread.max() < 1e-2
    with pytest.raises(ValueError, match="factor"):
        kerax.layers.RandomGrayscale(factor=2.0)
    with pytest.raises(ValueError, match="kernel_size"):
        kerax.layers.RandomGaussianBlur(kernel_size=4)
    with pytest.raises(ValueError, match="fill_value"):
        kerax.layers.RandomErasing(fill_value=(1, 2))
    with pytest.raises(ValueError, match="factor"):
        kerax.layers.RandomHue(1.5)
