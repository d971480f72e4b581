"""The benchmark's CNN is one model in kerax, Keras and hand-written JAX."""

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
from benchmarks.jax_models import cnn_loss, cnn_params  # noqa: E402
from benchmarks.workloads import CNN, build_cnn, make_data  # noqa: E402


def _params_from(model) -> dict:
    """The hand-written model's parameters from a built kerax/Keras model."""
    weights = [np.asarray(w) for w in model.get_weights()]
    names = ["conv1", "conv1_b", "conv2", "conv2_b", "w_out", "b_out"]
    return dict(zip(names, weights, strict=True))


@pytest.mark.parametrize("library", ["kerax", "keras"])
def test_hand_written_jax_model_computes_the_same_loss(library):
    lib = kerax if library == "kerax" else keras
    x, y = make_data(replace(CNN, samples=4))
    model = build_cnn(lib)
    params = _params_from(model)
    own = cnn_params(jax.random.PRNGKey(0))
    assert {k: v.shape for k, v in params.items()} == {
        k: v.shape for k, v in own.items()
    }
    probs = np.asarray(model(x))
    want = -np.mean(np.log(probs[np.arange(len(y)), y]))
    got = cnn_loss(params, jnp.asarray(x), jnp.asarray(y))
    np.testing.assert_allclose(float(got), want, rtol=1e-5)
    assert probs.shape == (4, CNN.classes)
