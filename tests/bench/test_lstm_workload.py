"""The benchmark's LSTM is one model in kerax, Keras and hand-written JAX."""

import sys
from dataclasses import replace
from pathlib import Path

import jax
import jax.numpy as jnp
import keras  # the oracle; its presence also allows implicit rank promotion here
import numpy as np
import pytest

import kerax

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root
from benchmarks.jax_models import lstm_loss, lstm_params  # noqa: E402
from benchmarks.workloads import LSTM, LSTM_UNITS, build_lstm, make_data  # noqa: E402


def _params_from(model) -> dict:
    """The hand-written model's parameters from a built kerax/Keras model."""
    weights = [np.asarray(w) for w in model.get_weights()]
    names = ["embedding", "kernel", "recurrent", "bias", "w_out", "b_out"]
    return dict(zip(names, weights, strict=True))


@pytest.mark.parametrize("library", ["kerax", "keras"])
def test_hand_written_jax_model_computes_the_same_loss(library):
    lib = kerax if library == "kerax" else keras
    x, y = make_data(replace(LSTM, samples=4))
    model = build_lstm(lib)
    params = _params_from(model)
    # Random gate biases, so that a gate-order mistake changes the loss.
    rng = np.random.default_rng(1)
    params["bias"] = rng.normal(size=params["bias"].shape).astype("float32")
    model.layers[1].set_weights([params[k] for k in ("kernel", "recurrent", "bias")])
    probs = np.asarray(model(x))[:, 0]
    want = -np.mean(y * np.log(probs) + (1 - y) * np.log(1 - probs))
    got = lstm_loss(params, jnp.asarray(x), jnp.asarray(y))
    np.testing.assert_allclose(float(got), want, rtol=1e-5)


def test_initial_parameters_match_keras_shapes_and_forget_bias():
    params = lstm_params(jax.random.PRNGKey(0))
    model = build_lstm(kerax)
    assert [p.shape for p in _params_from(model).values()] == [
        params[k].shape
        for k in ("embedding", "kernel", "recurrent", "bias", "w_out", "b_out")
    ]
    units = LSTM_UNITS
    np.testing.assert_array_equal(np.asarray(params["bias"][units : 2 * units]), 1.0)
    recurrent = np.asarray(params["recurrent"])
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(units), atol=1e-5)
