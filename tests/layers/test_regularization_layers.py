"""SpatialDropout, GaussianNoise, GaussianDropout, AlphaDropout and
ActivityRegularization: Keras parity at inference, statistics while training."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from test_core_oracle import check_layer, keras_call

import kerax

RNG = np.random.default_rng(0)
SEQ = RNG.normal(size=(2, 4, 5)).astype("float32")
IMG = RNG.normal(size=(2, 4, 5, 3)).astype("float32")
VOL = RNG.normal(size=(2, 4, 5, 3, 2)).astype("float32")
BIG = np.ones((64, 8, 32), "float32")
BIG_IMG = np.ones((16, 4, 4, 32), "float32")

INFERENCE_CASES = [
    ("SpatialDropout1D", SEQ, {"rate": 0.5}),
    ("SpatialDropout2D", IMG, {"rate": 0.5, "data_format": "channels_first"}),
    ("SpatialDropout3D", VOL, {"rate": 0.2, "seed": 3}),
    ("GaussianNoise", SEQ, {"stddev": 0.5}),
    ("GaussianDropout", SEQ, {"rate": 0.3, "seed": 1}),
    ("AlphaDropout", SEQ, {"rate": 0.4, "noise_shape": (None, 1, 5)}),
    ("ActivityRegularization", SEQ, {"l1": 0.01, "l2": 0.02}),
]


@pytest.mark.parametrize("name, x, kwargs", INFERENCE_CASES)
def test_identity_at_inference_matches_keras(name, x, kwargs):
    ours, _, out = check_layer(name, x, **kwargs)
    np.testing.assert_array_equal(out, x)
    np.testing.assert_array_equal(ours(x, training=False), x)


def _train(layer, x):
    return np.asarray(layer(x, training=True))


@pytest.mark.parametrize("rank, x", [(1, BIG), (2, BIG_IMG)])
def test_spatial_dropout_drops_whole_channels(rank, x):
    layer = getattr(kerax.layers, f"SpatialDropout{rank}D")(0.5, seed=4)
    out = _train(layer, x)
    channel_kept = out.reshape(x.shape[0], -1, x.shape[-1])
    assert np.all(channel_kept == channel_kept[:, :1])
    assert set(np.unique(out)) == {0.0, 2.0}
    assert abs(np.mean(out == 0) - 0.5) < 0.1
    first = kerax.layers.SpatialDropout1D(0.5, seed=9)
    again = kerax.layers.SpatialDropout1D(0.5, seed=9)
    np.testing.assert_array_equal(_train(first, BIG), _train(again, BIG))


def test_spatial_dropout_channels_first():
    x = np.ones((16, 32, 4, 4), "float32")
    out = _train(kerax.layers.SpatialDropout2D(0.5, "channels_first", seed=2), x)
    per_channel = out.reshape(16, 32, -1)
    assert np.all(per_channel == per_channel[:, :, :1])


def test_gaussian_noise_statistics():
    layer = kerax.layers.GaussianNoise(0.5, seed=3)
    noise = _train(layer, BIG) - BIG
    assert abs(noise.mean()) < 0.02 and abs(noise.std() - 0.5) < 0.02
    np.testing.assert_array_equal(
        _train(kerax.layers.GaussianNoise(0.5, seed=3), BIG), noise + BIG
    )
    assert not np.array_equal(_train(layer, BIG), noise + BIG)


def test_gaussian_dropout_statistics():
    rate = 0.3
    out = _train(kerax.layers.GaussianDropout(rate, seed=5), BIG)
    assert abs(out.mean() - 1.0) < 0.02
    assert abs(out.std() - np.sqrt(rate / (1 - rate))) < 0.02


def test_alpha_dropout_keeps_selu_statistics():
    x = np.asarray(jax.nn.selu(RNG.normal(size=(64, 512)).astype("float32")))
    out = _train(kerax.layers.AlphaDropout(0.2, seed=6), x)
    assert abs(out.mean() - x.mean()) < 0.03
    assert abs(out.std() - x.std()) < 0.03
    saturated = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - 0.2) * (1 + 0.2 * saturated**2)) ** -0.5
    dropped = np.isclose(out, a * saturated - a * saturated * 0.2, atol=1e-5)
    assert abs(dropped.mean() - 0.2) < 0.02
    shared = _train(kerax.layers.AlphaDropout(0.5, (None, 1, 32), seed=1), BIG)
    np.testing.assert_array_equal(shared, np.broadcast_to(shared[:, :1], shared.shape))


def test_noise_layers_under_jit_and_gradients():
    layer = kerax.layers.GaussianNoise(0.1, seed=1)
    layer(SEQ)
    state = [v.value for v in layer.non_trainable_variables]
    step = jax.jit(lambda s, x: layer.stateless_call([], s, x, training=True))
    out1, state = step(state, SEQ)
    out2, _ = step(state, SEQ)
    assert not np.array_equal(out1, out2)
    grads = jax.grad(lambda x: jnp.sum(step(state, x)[0] * x))(SEQ)
    assert np.all(np.isfinite(grads)) and np.any(grads != 0)


def test_activity_regularization_losses_match_keras():
    import keras

    ours = kerax.layers.ActivityRegularization(l1=0.01, l2=0.02)
    theirs = keras.layers.ActivityRegularization(l1=0.01, l2=0.02)
    ours(SEQ)
    keras_call(theirs, SEQ)
    expected = 0.01 * np.abs(SEQ).sum() + 0.02 * np.square(SEQ).sum()
    assert len(ours.losses) == 1
    # Keras divides an activity penalty by the batch size.
    np.testing.assert_allclose(float(theirs.losses[0]) * len(SEQ), expected, rtol=1e-5)
    np.testing.assert_allclose(float(ours.losses[0]) * len(SEQ), expected, rtol=1e-5)


@pytest.mark.parametrize(
    "name, kwargs, match",
    [
        ("SpatialDropout1D", {"rate": 1.5}, "rate"),
        ("SpatialDropout2D", {"rate": 0.5, "data_format": "nchw"}, "data_format"),
        ("GaussianNoise", {"stddev": -0.1}, "stddev"),
        ("GaussianNoise", {"stddev": 2.0}, "stddev"),
        ("GaussianDropout", {"rate": -1}, "rate"),
        ("AlphaDropout", {"rate": 0.5, "noise_shape": (2, -1)}, "noise_shape"),
        ("AlphaDropout", {"rate": 0.5, "seed": 1.5}, "seed"),
        ("ActivityRegularization", {"l1": -0.1}, "l1"),
    ],
)
def test_bad_arguments(name, kwargs, match):
    with pytest.raises(ValueError, match=match):
        getattr(kerax.layers, name)(**kwargs)


def test_spatial_dropout_rank_check():
    with pytest.raises(ValueError, match="ndim=3"):
        kerax.layers.SpatialDropout1D(0.5)(IMG)
