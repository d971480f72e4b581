"""``fit`` after ``load_model`` continues exactly as an uninterrupted run."""

from __future__ import annotations

import numpy as np
import pytest

import kerax
from kerax.saving import load_model


def _model():
    model = kerax.Sequential(
        [
            kerax.Input((3,)),
            kerax.layers.Dense(4, activation="tanh"),
            kerax.layers.BatchNormalization(),
            kerax.layers.Dense(1),
        ]
    )
    schedule = kerax.optimizers.schedules.ExponentialDecay(
        0.05, decay_steps=2, decay_rate=0.5
    )
    model.compile(
        optimizer=kerax.optimizers.Adam(schedule), loss="mse", metrics=["mae"]
    )
    return model


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 3)).astype("float32")
    return x, (x @ np.array([[1.0], [-2.0], [0.5]], "float32")).astype("float32")


def _fit(model, epochs, initial_epoch=0):
    x, y = _data()
    history = model.fit(
        x,
        y,
        batch_size=4,
        epochs=epochs,
        initial_epoch=initial_epoch,
        shuffle=False,
        verbose=0,
    )
    return history.history


def test_resume_after_load_matches_uninterrupted_run(tmp_path):
    uninterrupted = _model()
    interrupted = _model()
    interrupted.set_weights(uninterrupted.get_weights())
    full = _fit(uninterrupted, epochs=4)

    first = _fit(interrupted, epochs=2)
    path = str(tmp_path / "checkpoint.keras")
    interrupted.save(path)
    resumed = load_model(path)
    second = _fit(resumed, epochs=4, initial_epoch=2)

    assert int(np.asarray(resumed.optimizer.iterations)) == 16
    for key in ("loss", "mae"):
        np.testing.assert_allclose(first[key] + second[key], full[key], rtol=1e-6)
    for expected, actual in zip(uninterrupted.get_weights(), resumed.get_weights()):
        np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-7)


def test_load_without_compile_leaves_model_uncompiled(tmp_path):
    model = _model()
    _fit(model, epochs=1)
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = load_model(path, compile=False)
    assert not loaded.compiled
    x, _ = _data()
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6
    )
    with pytest.raises(RuntimeError, match="compile"):
        loaded.fit(*_data(), verbose=0)


def test_weights_file_restores_optimizer_state_for_resuming(tmp_path):
    model = _model()
    _fit(model, epochs=1)
    path = str(tmp_path / "w.weights.h5")
    model.save_weights(path)
    other = _model()
    other.build((None, 3))
    other.load_weights(path)
    assert int(np.asarray(other.optimizer.iterations)) == 4
    for expected, actual in zip(model.optimizer.variables, other.optimizer.variables):
        np.testing.assert_allclose(np.asarray(actual), np.asarray(expected))
