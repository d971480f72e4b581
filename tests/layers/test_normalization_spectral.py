"""SpectralNormalization against Keras 3 and numpy's largest singular value."""

from __future__ import annotations

import json

import jax
import keras
import numpy as np
import pytest
from test_conv import check_compiled_gradients
from test_core_oracle import keras_call

import kerax

RNG = np.random.default_rng(0)
X2 = RNG.normal(size=(4, 5)).astype("float32")
X4 = RNG.normal(size=(2, 5, 5, 2)).astype("float32")


def _pair(make, x, power_iterations):
    ours = kerax.layers.SpectralNormalization(make(kerax), power_iterations)
    theirs = keras.layers.SpectralNormalization(make(keras), power_iterations)
    ours(x)
    keras_call(theirs, x)
    weights = [RNG.normal(size=w.shape).astype("float32") for w in ours.weights]
    ours.set_weights(weights)
    theirs.set_weights(weights)
    return ours, theirs, weights


@pytest.mark.parametrize(
    "make, x, iterations",
    [
        (lambda m: m.layers.Dense(3), X2, 1),
        (lambda m: m.layers.Conv2D(3, 2, padding="same"), X4, 3),
    ],
)
def test_spectral_normalization_matches_keras(make, x, iterations):
    ours, theirs, weights = _pair(make, x, iterations)

    assert [w.name for w in ours.weights] == ["kernel", "vector_u", "bias"]
    assert [w.name for w in theirs.weights] == ["kernel", "vector_u", "bias"]
    out = np.asarray(ours(x, training=True))
    expected = np.asarray(keras_call(theirs, x, training=True))
    np.testing.assert_allclose(out, expected, atol=1e-5, rtol=1e-5)
    for mine, keras_weight in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(mine, keras_weight, atol=1e-6, rtol=1e-6)
    assert not np.allclose(ours.get_weights()[0], weights[0])

    after = ours.get_weights()
    np.testing.assert_allclose(
        np.asarray(ours(x)), np.asarray(keras_call(theirs, x)), atol=1e-5, rtol=1e-5
    )
    for a, b in zip(after, ours.get_weights()):
        np.testing.assert_array_equal(a, b)
    check_compiled_gradients(ours, x, training=True)

    config = json.loads(json.dumps(ours.get_config()))
    assert set(config) == set(theirs.get_config())
    clone = kerax.layers.SpectralNormalization.from_config(config)
    assert clone.power_iterations == iterations
    assert type(clone.layer) is type(ours.layer)


def test_kernel_converges_to_unit_spectral_norm():
    layer = kerax.layers.SpectralNormalization(kerax.layers.Dense(4), 1)
    layer(X2)
    for _ in range(30):
        layer(X2, training=True)
    kernel = layer.layer.kernel.numpy()
    np.testing.assert_allclose(
        np.linalg.svd(kernel, compute_uv=False)[0], 1.0, atol=1e-3
    )


def test_zero_kernel_is_left_alone_and_runs_under_jit():
    layer = kerax.layers.SpectralNormalization(
        kerax.layers.Dense(2, kernel_initializer="zeros")
    )
    layer(X2)
    trainable = [v.value for v in layer.trainable_variables]
    non_trainable = [v.value for v in layer.non_trainable_variables]
    step = jax.jit(lambda t, n, x: layer.stateless_call(t, n, x, training=True))
    _, new_values = step(trainable, non_trainable, X2)
    np.testing.assert_array_equal(np.asarray(new_values[0]), non_trainable[0])


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"power_iterations.*0"):
        kerax.layers.SpectralNormalization(kerax.layers.Dense(2), power_iterations=0)
    layer = kerax.layers.SpectralNormalization(kerax.layers.MaxPooling1D(), name="sn")
    with pytest.raises(ValueError, match=r"sn.*MaxPooling1D.*kernel"):
        layer(X2[:, :, None])
