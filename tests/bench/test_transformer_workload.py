"""The benchmark's transformer is one model in kerax, Keras and hand-written JAX."""

import sys
from dataclasses import replace
from pathlib import Path

import jax.numpy as jnp
import keras  # the oracle; its presence also allows implicit rank promotion here
import numpy as np
import pytest

import kerax

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root
from benchmarks.jax_models import transformer_loss  # noqa: E402
from benchmarks.workloads import TRANSFORMER, build_transformer, make_data  # noqa: E402


def _params_from(model) -> dict:
    """The hand-written model's parameters from a built kerax/Keras model."""
    blocks, norms, denses = [], [], []
    params = {}
    for layer in model.layers:
        weights = [np.asarray(w) for w in layer.get_weights()]
        kind = type(layer).__name__
        if kind == "Embedding":
            params["embedding"] = weights[0]
        elif kind == "MultiHeadAttention":
            names = ["wq", "bq", "wk", "bk", "wv", "bv", "wo", "bo"]
            blocks.append(dict(zip(names, weights)))
        elif kind == "LayerNormalization":
            norms.append(weights)
        elif kind == "Dense":
            denses.append(weights)
    for index, block in enumerate(blocks):
        (g1, b1), (g2, b2) = norms[2 * index : 2 * index + 2]
        (w1, c1), (w2, c2) = denses[2 * index : 2 * index + 2]
        block.update(ln1_g=g1, ln1_b=b1, ln2_g=g2, ln2_b=b2)
        block.update(w1=w1, b1=c1, w2=w2, b2=c2)
    params["blocks"] = blocks
    params["w_out"], params["b_out"] = denses[-1]
    return params


@pytest.mark.parametrize("library", ["kerax", "keras"])
def test_hand_written_jax_model_computes_the_same_loss(library):
    lib = kerax if library == "kerax" else keras
    x, y = make_data(replace(TRANSFORMER, samples=4))
    model = build_transformer(lib)
    probs = np.asarray(model(x))
    want = -np.mean(np.log(probs[np.arange(len(y)), y]))
    got = transformer_loss(_params_from(model), jnp.asarray(x), jnp.asarray(y))
    np.testing.assert_allclose(float(got), want, rtol=1e-5)
    assert probs.shape == (4, TRANSFORMER.classes)
