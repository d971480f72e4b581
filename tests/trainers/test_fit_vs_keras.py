"""Whole training runs against real Keras: same weights, same data, same losses."""

import keras
import numpy as np
import pytest

import kerax


def _data(n: int = 96, features: int = 12, classes: int = 4):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(n, features)).astype("float32")
    y = rng.integers(0, classes, size=(n,)).astype("int32")
    return x, y


def _pair(optimizer: str):
    def build(lib):
        layers = lib.layers
        model = lib.Sequential(
            [
                lib.Input((12,)),
                layers.Dense(16, activation="relu"),
                layers.Dense(8, activation="tanh"),
                layers.Dense(4, activation="softmax"),
            ]
        )
        opt = (
            lib.optimizers.SGD(learning_rate=0.1, momentum=0.9)
            if optimizer == "sgd"
            else lib.optimizers.Adam(learning_rate=0.01)
        )
        model.compile(opt, "sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    ours, theirs = build(kerax), build(keras)
    theirs.set_weights(ours.get_weights())
    return ours, theirs


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_three_epochs_match_keras(optimizer):
    x, y = _data()
    ours, theirs = _pair(optimizer)
    kw = dict(batch_size=16, epochs=3, shuffle=False, verbose=0, validation_split=0.25)
    h_ours = ours.fit(x, y, **kw).history
    h_theirs = theirs.fit(x, y, **kw).history
    assert sorted(h_ours) == sorted(h_theirs)
    for key in h_theirs:
        np.testing.assert_allclose(h_ours[key], h_theirs[key], rtol=1e-4, atol=1e-6)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(
        ours.evaluate(x, y, verbose=0), theirs.evaluate(x, y, verbose=0), rtol=1e-4
    )
    np.testing.assert_allclose(
        ours.predict(x, verbose=0), theirs.predict(x, verbose=0), rtol=1e-4, atol=1e-6
    )


def test_partial_batches_and_sample_weight_match_keras():
    x, y = _data(n=50)
    ours, theirs = _pair("sgd")
    sw = np.linspace(0.5, 1.5, 50).astype("float32")
    kw = dict(batch_size=16, epochs=2, shuffle=False, verbose=0, sample_weight=sw)
    h_ours = ours.fit(x, y, **kw).history
    h_theirs = theirs.fit(x, y, **kw).history
    for key in h_theirs:
        np.testing.assert_allclose(h_ours[key], h_theirs[key], rtol=1e-4)


def test_multi_output_losses_weights_and_metrics_match_keras():
    rng = np.random.default_rng(2)
    x1 = rng.normal(size=(40, 5)).astype("float32")
    x2 = rng.normal(size=(40, 3)).astype("float32")
    ya = rng.normal(size=(40, 1)).astype("float32")
    yb = rng.integers(0, 3, size=(40,)).astype("int32")

    def build(lib):
        a = lib.Input((5,), name="a")
        b = lib.Input((3,), name="b")
        h = lib.layers.Concatenate()([a, b])
        h = lib.layers.Dense(6, activation="relu")(h)
        out_a = lib.layers.Dense(1, name="reg")(h)
        out_b = lib.layers.Dense(3, activation="softmax", name="cls")(h)
        model = lib.Model([a, b], [out_a, out_b])
        model.compile(
            lib.optimizers.SGD(0.05),
            loss=["mse", "sparse_categorical_crossentropy"],
            loss_weights=[1.0, 0.5],
            metrics=[["mae"], ["accuracy"]],
        )
        return model

    ours, theirs = build(kerax), build(keras)
    theirs.set_weights(ours.get_weights())
    kw = dict(batch_size=8, epochs=2, shuffle=False, verbose=0)
    h_ours = ours.fit([x1, x2], [ya, yb], **kw).history
    h_theirs = theirs.fit([x1, x2], [ya, yb], **kw).history
    assert sorted(h_ours) == sorted(h_theirs)
    for key in h_theirs:
        np.testing.assert_allclose(h_ours[key], h_theirs[key], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(
        ours.evaluate([x1, x2], [ya, yb], verbose=0),
        theirs.evaluate([x1, x2], [ya, yb], verbose=0),
        rtol=1e-4,
    )
