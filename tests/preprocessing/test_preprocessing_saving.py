"""Models with preprocessing layers move between kerax and Keras files."""

from __future__ import annotations

import keras
import numpy as np

import kerax

X = np.random.default_rng(0).random((8, 6, 6, 3)).astype("float32")


def _build(lib):
    norm = lib.layers.Normalization()
    norm.adapt(X)
    inputs = lib.Input((6, 6, 3))
    h = lib.layers.RandomFlip(seed=1)(inputs)
    h = lib.layers.RandomZoom(0.1, seed=2)(h)
    h = norm(h)
    h = lib.layers.CenterCrop(4, 4)(h)
    h = lib.layers.Discretization(bin_boundaries=[0.0, 1.0])(h)
    h = lib.layers.Reshape((48,))(h)
    h = lib.layers.CategoryEncoding(3, "multi_hot")(h)
    return lib.Model(inputs, lib.layers.Dense(1)(h))


def test_kerax_file_loads_in_keras_and_back(tmp_path):
    model = _build(kerax)
    path = str(tmp_path / "model.keras")
    model.save(path)
    expected = model.predict(X, verbose=0)
    np.testing.assert_allclose(
        keras.models.load_model(path).predict(X, verbose=0), expected
    )
    np.testing.assert_allclose(
        kerax.models.load_model(path).predict(X, verbose=0), expected
    )


def test_keras_file_loads_in_kerax(tmp_path):
    model = _build(keras)
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = kerax.models.load_model(path)
    np.testing.assert_allclose(
        loaded.predict(X, verbose=0), model.predict(X, verbose=0), rtol=1e-6, atol=1e-6
    )
