"""Rescaling, Normalization, Resizing, CenterCrop, CategoryEncoding and
Discretization against real Keras (which runs them on JAX without
TensorFlow) and numpy formulas."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from keras.src.layers.preprocessing import discretization as keras_discretization

import kerax
from kerax.utils.py_dataset import PyDataset

RNG = np.random.default_rng(0)
IMAGES = (RNG.random((3, 7, 9, 3)) * 255).astype("float32")
INTS = np.array([[0, 1, 1, 3], [2, 2, 0, 1]])

CASES = [
    ("Rescaling", IMAGES, {"scale": 1 / 255.0, "offset": 0.5}),
    ("Rescaling", IMAGES.astype("uint8"), {"scale": [1.0, 2.0, 3.0]}),
    ("Normalization", IMAGES, {"mean": [1.0, 2.0, 3.0], "variance": [2.0, 3.0, 4.0]}),
    ("Normalization", IMAGES, {"mean": 5.0, "variance": 4.0, "invert": True}),
    ("Resizing", IMAGES, {"height": 4, "width": 5}),
    ("Resizing", IMAGES, {"height": 4, "width": 5, "crop_to_aspect_ratio": True}),
    (
        "Resizing",
        IMAGES,
        {"height": 10, "width": 5, "pad_to_aspect_ratio": True, "fill_value": 2.0},
    ),
    ("Resizing", IMAGES, {"height": 4, "width": 5, "interpolation": "nearest"}),
    (
        "Resizing",
        IMAGES,
        {"height": 4, "width": 5, "interpolation": "bicubic", "antialias": True},
    ),
    ("Resizing", IMAGES.astype("uint8"), {"height": 4, "width": 5}),
    (
        "Resizing",
        IMAGES.transpose(0, 3, 1, 2),
        {"height": 4, "width": 5, "data_format": "channels_first"},
    ),
    ("CenterCrop", IMAGES, {"height": 4, "width": 5}),
    ("CenterCrop", IMAGES, {"height": 8, "width": 5}),
    ("CenterCrop", IMAGES, {"height": 9, "width": 12}),
    ("CenterCrop", IMAGES[0], {"height": 4, "width": 5}),
    ("CategoryEncoding", INTS, {"num_tokens": 5, "output_mode": "one_hot"}),
    ("CategoryEncoding", INTS[:, :1], {"num_tokens": 5, "output_mode": "one_hot"}),
    ("CategoryEncoding", INTS, {"num_tokens": 5, "output_mode": "multi_hot"}),
    ("CategoryEncoding", INTS[0], {"num_tokens": 5, "output_mode": "multi_hot"}),
    ("CategoryEncoding", INTS, {"num_tokens": 5, "output_mode": "count"}),
    ("CategoryEncoding", np.array(3), {"num_tokens": 5, "output_mode": "count"}),
    ("Discretization", RNG.normal(size=(4, 3)), {"bin_boundaries": [-1.0, 0.0, 1.0]}),
    (
        "Discretization",
        RNG.normal(size=(4, 3)),
        {"bin_boundaries": [-0.5, 0.5], "output_mode": "count"},
    ),
    (
        "Discretization",
        RNG.normal(size=(5,)),
        {"bin_boundaries": [0.0], "output_mode": "one_hot"},
    ),
]


def _config(layer):
    return {k: v for k, v in layer.get_config().items() if k != "name"}


@pytest.mark.parametrize("name, x, kwargs", CASES)
def test_matches_keras(name, x, kwargs):
    ours = getattr(kerax.layers, name)(**kwargs)
    theirs = getattr(keras.layers, name)(**kwargs)
    out, expected = np.asarray(ours(x)), np.asarray(theirs(x))
    assert out.dtype == expected.dtype and out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-5)
    assert _config(ours) == _config(theirs)
    clone = type(ours).from_config(ours.get_config())
    np.testing.assert_array_equal(clone(x), out)


def test_rescaling_numpy_formula_and_array_config():
    layer = kerax.layers.Rescaling(np.array([0.5, 2.0, 1.0]), offset=-1.0)
    expected = IMAGES * np.array([0.5, 2.0, 1.0], "float32") - 1.0
    np.testing.assert_allclose(layer(IMAGES), expected, rtol=1e-6)
    config = layer.get_config()
    assert config["scale"]["class_name"] == "__numpy__"
    keras_layer = keras.layers.Rescaling.from_config(config)
    np.testing.assert_allclose(keras_layer(IMAGES), expected, rtol=1e-6)
    clone = kerax.layers.Rescaling.from_config(config)
    np.testing.assert_allclose(clone(IMAGES), expected, rtol=1e-6)


@pytest.mark.parametrize("axis", [-1, (1, 3), None, (-2,)])
def test_normalization_adapt_matches_keras_weights(axis):
    ours = kerax.layers.Normalization(axis=axis)
    theirs = keras.layers.Normalization(axis=axis)
    ours.adapt(IMAGES)
    theirs.adapt(IMAGES)
    names = [w.path.split("/")[-1] for w in ours.weights]
    assert names == [w.path.split("/")[-1] for w in theirs.weights]
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    np.testing.assert_allclose(ours(IMAGES), theirs(IMAGES), rtol=1e-5, atol=1e-5)
    # Keras's adapted weights work in kerax (read at every call)
    fresh = kerax.layers.Normalization(axis=axis)
    fresh.build(IMAGES.shape)
    fresh.set_weights(theirs.get_weights())
    np.testing.assert_allclose(fresh(IMAGES), theirs(IMAGES), rtol=1e-5, atol=1e-5)


def test_normalization_adapt_on_batches_and_dataset():
    data = RNG.normal(3.0, 2.0, size=(50, 4)).astype("float32")
    reduced_mean, reduced_var = data.mean(axis=0), data.var(axis=0)

    def generator():
        for i in range(0, 50, 16):
            yield data[i : i + 16], np.zeros(len(data[i : i + 16]))

    class Batches(PyDataset):
        def __len__(self):
            return 5

        def __getitem__(self, index):
            return data[index * 10 : (index + 1) * 10]

    for source in ([data[:20], data[20:]], generator(), Batches()):
        layer = kerax.layers.Normalization()
        layer.adapt(source)
        mean, variance, count = layer.get_weights()
        np.testing.assert_allclose(mean, reduced_mean, rtol=1e-5)
        np.testing.assert_allclose(variance, reduced_var, rtol=1e-4)
        expected = (data - reduced_mean) / np.sqrt(reduced_var)
        np.testing.assert_allclose(layer(data), expected, rtol=1e-4, atol=1e-4)


def test_normalization_runs_in_fit_and_errors():
    data = RNG.normal(size=(8, 3)).astype("float32")
    norm = kerax.layers.Normalization()
    norm.adapt(data)
    model = kerax.Sequential([kerax.Input((3,)), norm, kerax.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(data, data[:, :1], epochs=1, verbose=0)
    np.testing.assert_allclose(norm.get_weights()[0], data.mean(axis=0), rtol=1e-5)
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        kerax.layers.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="incompatible shape"):
        norm.adapt(np.ones((4, 5)))
    with pytest.raises(ValueError, match="empty iterable"):
        kerax.layers.Normalization().adapt([])
    with pytest.raises(ValueError, match="axis"):
        kerax.layers.Normalization(axis=3).build((None, 2))


def test_discretization_adapt_matches_keras_quantiles():
    data = RNG.normal(size=(6000,)).astype("float32")
    summary = np.array([[], []], "float32")
    for chunk in np.split(data, 6):
        summary = keras_discretization.merge_summaries(
            keras_discretization.summarize(chunk, 0.01), summary, 0.01
        )
    expected = keras_discretization.get_bin_boundaries(summary, 7)
    layer = kerax.layers.Discretization(num_bins=7)
    layer.adapt(list(np.split(data, 6)))
    np.testing.assert_allclose(layer.bin_boundaries, expected, rtol=1e-6)
    one_shot = kerax.layers.Discretization(num_bins=4, epsilon=0.001)
    one_shot.adapt(data)
    np.testing.assert_allclose(
        one_shot.bin_boundaries, np.quantile(data, [0.25, 0.5, 0.75]), atol=0.05
    )
    counts = np.bincount(np.asarray(one_shot(data)), minlength=4)
    assert np.all(np.abs(counts - 1500) < 100)
    clone = kerax.layers.Discretization.from_config(one_shot.get_config())
    assert clone.bin_boundaries == one_shot.bin_boundaries
    assert keras.layers.Discretization.from_config(one_shot.get_config())


def test_discretization_and_encoding_errors():
    with pytest.raises(ValueError, match="either"):
        kerax.layers.Discretization()
    with pytest.raises(ValueError, match="only one"):
        kerax.layers.Discretization([0.0], num_bins=2)
    with pytest.raises(ValueError, match="output_mode"):
        kerax.layers.Discretization([0.0], output_mode="binaryish")
    with pytest.raises(ValueError, match="cannot adapt"):
        kerax.layers.Discretization([0.0]).adapt(np.ones(3))
    with pytest.raises(ValueError, match="num_tokens"):
        kerax.layers.CategoryEncoding()
    with pytest.raises(ValueError, match="count_weights"):
        kerax.layers.CategoryEncoding(3, "one_hot")(INTS, count_weights=INTS)
    with pytest.raises(ValueError, match="crop_to_aspect_ratio"):
        kerax.layers.Resizing(2, 2, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)
    with pytest.raises(ValueError, match="interpolation"):
        kerax.layers.Resizing(2, 2, interpolation="area")


def test_count_weights_and_symbolic_shapes():
    weights = np.array([[0.5, 1.0, 2.0, 1.0], [1.0, 1.0, 3.0, 0.0]], "float32")
    out = kerax.layers.CategoryEncoding(4, "count")(INTS, count_weights=weights)
    np.testing.assert_allclose(out, [[0.5, 3.0, 0.0, 1.0], [3.0, 0.0, 2.0, 0.0]])
    inputs = kerax.Input((4,), dtype="int32")
    for layer, shape in [
        (kerax.layers.CategoryEncoding(6, "multi_hot"), (None, 6)),
        (kerax.layers.Discretization([0.0, 1.0], output_mode="one_hot"), (None, 4, 3)),
        (kerax.layers.Discretization([0.0, 1.0]), (None, 4)),
    ]:
        assert layer(inputs).shape == shape
    images = kerax.Input((7, 9, 3))
    assert kerax.layers.Resizing(4, 5)(images).shape == (None, 4, 5, 3)
    assert kerax.layers.CenterCrop(4, 5)(images).shape == (None, 4, 5, 3)
    assert kerax.layers.RandomCrop(4, 5)(images).shape == (None, 4, 5, 3)


def test_docstring_examples_run():
    import doctest
    import importlib
    import pkgutil

    import kerax.layers.preprocessing as package

    attempted = 0
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        result = doctest.testmod(
            module,
            extraglobs={"np": np, "kerax": kerax},
            optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        )
        assert result.failed == 0, module.__name__
        attempted += result.attempted
    assert attempted >= 20
