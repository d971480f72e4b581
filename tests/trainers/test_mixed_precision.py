"""Mixed precision policies in fit, against Keras."""

import keras
import numpy as np
import pytest

import kerax


@pytest.fixture
def policy():
    def set_policy(name):
        kerax.mixed_precision.set_global_policy(name)
        keras.mixed_precision.set_global_policy(name)

    yield set_policy
    set_policy("float32")


@pytest.mark.parametrize("name", ["mixed_bfloat16", "mixed_float16"])
def test_mixed_policies_train_like_keras(policy, name):
    policy(name)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 8)).astype("float32")
    y = x.sum(axis=1, keepdims=True)

    def build(lib):
        model = lib.Sequential(
            [
                lib.Input((8,)),
                lib.layers.Dense(16, activation="relu"),
                lib.layers.Dense(1),
            ]
        )
        model.compile(lib.optimizers.Adam(0.01), "mse")
        return model

    ours, theirs = build(kerax), build(keras)
    assert ours.layers[0].compute_dtype == theirs.layers[0].compute_dtype
    assert ours.layers[0].kernel.dtype == "float32"
    assert type(ours.optimizer).__name__ == type(theirs.optimizer).__name__
    theirs.set_weights(ours.get_weights())
    kw = dict(batch_size=16, epochs=3, shuffle=False, verbose=0)
    h_ours = ours.fit(x, y, **kw).history["loss"]
    h_theirs = theirs.fit(x, y, **kw).history["loss"]
    np.testing.assert_allclose(h_ours, h_theirs, rtol=2e-2)
    assert str(ours.predict(x[:2], verbose=0).dtype) == str(
        theirs.predict(x[:2], verbose=0).dtype
    )
