"""Files move between kerax and real Keras 3 in both directions and predict the same."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from saving_models import ARCHITECTURES, as_list, randomize

import kerax
from kerax.saving import load_model

LIBS = {"kerax": kerax, "keras": keras}


def _load(lib_name, path):
    return load_model(path) if lib_name == "kerax" else keras.models.load_model(path)


def _predict(model, data):
    return as_list(model.predict(data, verbose=0))


@pytest.mark.parametrize("name", sorted(ARCHITECTURES))
@pytest.mark.parametrize("source,target", [("keras", "kerax"), ("kerax", "keras")])
def test_model_file_loads_in_the_other_library(tmp_path, name, source, target):
    model, data = ARCHITECTURES[name](LIBS[source])
    randomize(model)
    path = str(tmp_path / f"{name}.keras")
    model.save(path)
    loaded = _load(target, path)
    assert type(loaded).__name__ == type(model).__name__
    assert [w.shape for w in loaded.get_weights()] == [
        w.shape for w in model.get_weights()
    ]
    for expected, actual in zip(_predict(model, data), _predict(loaded, data)):
        np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("source,target", [("keras", "kerax"), ("kerax", "keras")])
def test_weights_file_loads_in_the_other_library(tmp_path, source, target):
    model, data = ARCHITECTURES["recurrent_sequential"](LIBS[source])
    randomize(model, seed=5)
    path = str(tmp_path / "model.weights.h5")
    model.save_weights(path)
    other, _ = ARCHITECTURES["recurrent_sequential"](LIBS[target])
    other.load_weights(path)
    for expected, actual in zip(_predict(model, data), _predict(other, data)):
        np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("source,target", [("keras", "kerax"), ("kerax", "keras")])
def test_compiled_state_moves_between_libraries(tmp_path, source, target):
    """Compile arguments and optimizer slots survive the move (a trained model)."""
    lib = LIBS[source]
    model, data = ARCHITECTURES["conv_sequential"](lib)
    model.compile(
        optimizer=lib.optimizers.Adam(learning_rate=0.01),
        loss="mse",
        metrics=["mae"],
    )
    model.fit(data, np.ones((2, 2), "float32"), epochs=2, verbose=0)
    path = str(tmp_path / "trained.keras")
    model.save(path)
    loaded = _load(target, path)
    assert type(loaded.optimizer).__name__ == "Adam"
    assert float(np.asarray(loaded.optimizer.learning_rate)) == pytest.approx(0.01)
    saved = [np.asarray(v) for v in model.optimizer.variables]
    restored = [np.asarray(v) for v in loaded.optimizer.variables]
    assert len(saved) == len(restored) == 2 + 2 * len(model.trainable_weights)
    for expected, actual in zip(saved, restored):
        np.testing.assert_allclose(actual, expected)
    assert int(np.asarray(loaded.optimizer.iterations)) == 2


@pytest.mark.parametrize("source,target", [("keras", "kerax"), ("kerax", "keras")])
def test_loss_scale_optimizer_state_moves_between_libraries(tmp_path, source, target):
    """A wrapped optimizer: Keras stores all its state under ``optimizer`` and the
    inner optimizer's again under ``optimizer/inner_optimizer``."""
    lib = LIBS[source]
    model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(2)])
    optimizer = lib.optimizers.LossScaleOptimizer(lib.optimizers.Adam())
    model.compile(optimizer=optimizer, loss="mse")
    model.fit(np.ones((4, 3), "float32"), np.ones((4, 2), "float32"), verbose=0)
    path = str(tmp_path / "scaled.keras")
    model.save(path)
    loaded = _load(target, path)
    assert type(loaded.optimizer).__name__ == "LossScaleOptimizer"
    for expected, actual in zip(model.optimizer.variables, loaded.optimizer.variables):
        np.testing.assert_allclose(np.asarray(actual), np.asarray(expected))
