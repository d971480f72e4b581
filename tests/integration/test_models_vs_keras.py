"""A CNN and a text model train in fit exactly as in Keras (same weights, data, order)."""

import keras
import numpy as np
import pytest

import kerax


def _cnn(lib):
    layers = lib.layers
    return lib.Sequential(
        [
            lib.Input((12, 12, 3)),
            layers.Conv2D(8, 3, padding="same", activation="relu"),
            layers.BatchNormalization(),
            layers.MaxPooling2D(2),
            layers.Conv2D(8, 3, activation="relu"),
            layers.GlobalAveragePooling2D(),
            layers.Dense(4, activation="softmax"),
        ]
    )


def _text(lib):
    layers = lib.layers
    return lib.Sequential(
        [
            lib.Input((10,), dtype="int32"),
            layers.Embedding(50, 8, mask_zero=True),
            layers.Bidirectional(layers.LSTM(6)),
            layers.Dense(1, activation="sigmoid"),
        ]
    )


def _data(kind):
    rng = np.random.default_rng(0)
    if kind == "cnn":
        x = rng.normal(size=(48, 12, 12, 3)).astype("float32")
        y = rng.integers(0, 4, size=(48,))
        return x, y, "sparse_categorical_crossentropy"
    x = rng.integers(1, 50, size=(48, 10)).astype("int32")
    lengths = rng.integers(3, 11, size=48)
    x[np.arange(10)[None, :] >= lengths[:, None]] = 0  # padded tails, masked
    y = (x[:, 0] > 25).astype("float32")
    return x, y, "binary_crossentropy"


@pytest.mark.parametrize("kind", ["cnn", "text"])
def test_fit_loss_history_matches_keras(kind):
    x, y, loss = _data(kind)
    build = _cnn if kind == "cnn" else _text
    ours, theirs = build(kerax), build(keras)
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    theirs.set_weights(ours.get_weights())
    for model, lib in ((ours, kerax), (theirs, keras)):
        model.compile(lib.optimizers.Adam(0.01), loss, metrics=["accuracy"])
    kw = dict(batch_size=16, epochs=3, shuffle=False, verbose=0, validation_split=0.25)
    h_ours = ours.fit(x, y, **kw).history
    h_theirs = theirs.fit(x, y, **kw).history
    for key in h_theirs:
        np.testing.assert_allclose(h_ours[key], h_theirs[key], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(
        ours.predict(x, verbose=0), theirs.predict(x, verbose=0), rtol=1e-4, atol=1e-5
    )


def test_stateful_lstm_carries_state_through_fit_and_predict():
    model = kerax.Sequential(
        [
            kerax.Input((5, 3), batch_size=4),
            kerax.layers.LSTM(4, stateful=True),
            kerax.layers.Dense(1),
        ]
    )
    model.compile("adam", "mse")
    x = np.random.default_rng(0).normal(size=(8, 5, 3)).astype("float32")
    model.fit(x, x[:, 0, :1], batch_size=4, epochs=1, shuffle=False, verbose=0)
    lstm = model.layers[0]
    states = [v for v in lstm.variables if "state" in v.path and "seed" not in v.path]
    assert states and any(np.abs(v.numpy()).sum() > 0 for v in states)
    first = model.predict(x[:4], batch_size=4, verbose=0)
    second = model.predict(x[:4], batch_size=4, verbose=0)
    assert not np.allclose(first, second)  # the state moved on between calls
    lstm.reset_states()
    assert all(np.abs(v.numpy()).sum() == 0 for v in states)
