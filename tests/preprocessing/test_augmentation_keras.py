"""Augmentation layers against real Keras: the same seeds give the same images
(training), identity at inference, configs, dict inputs, errors."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import kerax

RNG = np.random.default_rng(0)
IMAGES = (RNG.random((3, 7, 9, 2)) * 255).astype("float32")
MASKS = RNG.integers(0, 4, (3, 7, 9, 1)).astype("float32")

GEOMETRIC = [
    ("RandomFlip", {"seed": 3}),
    ("RandomFlip", {"mode": "vertical", "seed": 3}),
    ("RandomRotation", {"factor": 0.3, "seed": 4}),
    (
        "RandomRotation",
        {"factor": (-0.1, 0.4), "fill_mode": "constant", "fill_value": 3.0, "seed": 4},
    ),
    ("RandomZoom", {"height_factor": 0.3, "seed": 5}),
    (
        "RandomZoom",
        {
            "height_factor": (-0.3, 0.2),
            "width_factor": 0.4,
            "fill_mode": "wrap",
            "interpolation": "nearest",
            "seed": 5,
        },
    ),
    ("RandomTranslation", {"height_factor": 0.3, "width_factor": 0.2, "seed": 6}),
    (
        "RandomTranslation",
        {"height_factor": (-0.2, 0.1), "width_factor": 0.2, "fill_mode": "nearest"},
    ),
    ("RandomShear", {"x_factor": 0.3, "y_factor": 0.2, "seed": 10}),
    ("RandomCrop", {"height": 4, "width": 5, "seed": 9}),
]
COLOR = [
    ("RandomContrast", {"factor": (0.3, 0.5), "seed": 7}),
    ("RandomContrast", {"factor": (0.2, 0.2), "value_range": (0, 1), "seed": 7}),
    ("RandomBrightness", {"factor": 0.3, "seed": 8}),
    ("RandomBrightness", {"factor": (-0.5, 0.1), "value_range": (0, 1), "seed": 8}),
]


def _pair(name, kwargs):
    kwargs = dict(kwargs)
    kwargs.setdefault("seed", 11)
    return getattr(kerax.layers, name)(**kwargs), getattr(keras.layers, name)(**kwargs)


def _config(layer):
    return {k: v for k, v in layer.get_config().items() if k != "name"}


def _close(a, b):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("name, kwargs", GEOMETRIC + COLOR)
def test_training_matches_keras_call_after_call(name, kwargs):
    ours, theirs = _pair(name, kwargs)
    first = ours(IMAGES, training=True)
    _close(first, theirs(IMAGES, training=True))
    second = ours(IMAGES, training=True)
    _close(second, theirs(IMAGES, training=True))
    if name != "RandomFlip":  # a flip may repeat by chance
        assert not np.allclose(first, second)
    _close(ours(IMAGES[0], training=True), theirs(IMAGES[0], training=True))
    assert _config(ours) == _config(theirs)


@pytest.mark.parametrize("name, kwargs", GEOMETRIC)
def test_channels_first_matches_keras(name, kwargs):
    kwargs = {**kwargs, "data_format": "channels_first"}
    ours, theirs = _pair(name, kwargs)
    x = IMAGES.transpose(0, 3, 1, 2)
    _close(ours(x, training=True), theirs(x, training=True))


@pytest.mark.parametrize(
    "name, kwargs", [case for case in GEOMETRIC + COLOR if case[0] != "RandomCrop"]
)
def test_identity_at_inference(name, kwargs):
    ours, theirs = _pair(name, kwargs)
    np.testing.assert_array_equal(ours(IMAGES, training=False), IMAGES)
    np.testing.assert_array_equal(theirs(IMAGES, training=False), IMAGES)
    model = kerax.Sequential([kerax.Input(IMAGES.shape[1:]), ours])
    np.testing.assert_array_equal(model.predict(IMAGES, verbose=0), IMAGES)


def test_random_crop_inference_is_keras_smart_resize():
    layer = kerax.layers.RandomCrop(4, 5, seed=1)
    expected = keras.preprocessing.image.smart_resize(IMAGES, (4, 5))
    _close(layer(IMAGES, training=False), expected)
    # a batch smaller than the target is resized while training as well
    small = kerax.layers.RandomCrop(10, 12, seed=1)(IMAGES, training=True)
    _close(small, keras.preprocessing.image.smart_resize(IMAGES, (10, 12)))


@pytest.mark.parametrize(
    "name, kwargs",
    [GEOMETRIC[0], GEOMETRIC[2], GEOMETRIC[6], GEOMETRIC[9], COLOR[0]],
)
def test_dict_inputs_move_masks_like_keras(name, kwargs):
    ours, theirs = _pair(name, kwargs)
    labels = np.arange(3, dtype="float32")
    data = {"images": IMAGES, "labels": labels, "segmentation_masks": MASKS}
    out = ours(data, training=True)
    expected = theirs(dict(data), training=True)
    _close(out["images"], expected["images"])
    _close(out["segmentation_masks"], expected["segmentation_masks"])
    np.testing.assert_array_equal(out["labels"], labels)


@pytest.mark.parametrize("name, kwargs", GEOMETRIC + COLOR)
def test_config_round_trip(name, kwargs):
    layer = getattr(kerax.layers, name)(**{**kwargs, "seed": 5})
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    _close(clone(IMAGES, training=True), layer(IMAGES, training=True))


def test_integer_images_become_floats():
    ints = IMAGES.astype("uint8")
    for layer in (kerax.layers.RandomFlip(seed=1), kerax.layers.RandomZoom(0.2)):
        out = layer(ints, training=False)
        assert out.dtype == np.float32
        np.testing.assert_array_equal(out, ints.astype("float32"))


def test_contrast_single_number_follows_keras_documentation():
    layer = kerax.layers.RandomContrast(0.5, seed=2)
    assert layer.factor == (0.5, 0.5)
    x = np.broadcast_to(np.linspace(50, 200, 10)[None, :, None, None], (64, 10, 1, 1))
    out = np.asarray(layer(x.astype("float32"), training=True))
    mean = x.mean(axis=(1, 2), keepdims=True)
    factors = ((out - mean) / (x - mean))[:, 0, 0, 0]
    assert factors.min() < 0.9 and factors.max() > 1.1
    assert 0.5 <= factors.min() and factors.max() <= 1.5


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: kerax.layers.RandomRotation(2.0), "factor"),
        (lambda: kerax.layers.RandomRotation(0.1, fill_mode="edge"), "fill_mode"),
        (lambda: kerax.layers.RandomZoom(0.1, interpolation="cubic"), "interpolation"),
        (lambda: kerax.layers.RandomZoom(-1.0), "height_factor"),
        (lambda: kerax.layers.RandomTranslation(0.1, (0.1, 0.2, 0.3)), "width_factor"),
        (lambda: kerax.layers.RandomShear(x_factor=1.5), "x_factor"),
        (lambda: kerax.layers.RandomFlip("diagonal"), "mode"),
        (lambda: kerax.layers.RandomFlip(seed="one"), "seed"),
        (lambda: kerax.layers.RandomCrop(0, 3), "height"),
        (lambda: kerax.layers.RandomContrast(1.5), "factor"),
        (lambda: kerax.layers.RandomBrightness(0.1, value_range=5), "value_range"),
    ],
)
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_inputs():
    layer = kerax.layers.RandomFlip(seed=1)
    with pytest.raises(ValueError, match="rank 3"):
        layer(np.ones((4, 4)), training=True)
    with pytest.raises(ValueError, match="bounding"):
        layer({"images": IMAGES, "bounding_boxes": np.ones((3, 1, 4))})
