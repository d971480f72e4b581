"""Shared checks of the attention layers against Keras (the oracle).

``test_attention_mha`` and ``test_attention_dot`` import ``compare``,
``check_config`` and ``check_gradients`` from here; the tests at the bottom
show that the checks fail when kerax and Keras disagree.
"""

from __future__ import annotations

import json
from typing import Any

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

import kerax

ATOL = 1e-5


def as_tuple(out: Any) -> tuple:
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def run_kerax(layer: Any, *args: Any, **kwargs: Any) -> tuple:
    """Call a kerax layer under strict rank promotion; outputs as numpy."""
    with jax.numpy_rank_promotion("raise"):
        return tuple(np.asarray(o) for o in as_tuple(layer(*args, **kwargs)))


def run_keras(layer: Any, *args: Any, **kwargs: Any) -> tuple:
    """Call a Keras layer (it relies on implicit rank promotion)."""
    with jax.numpy_rank_promotion("allow"):
        return tuple(np.asarray(o) for o in as_tuple(layer(*args, **kwargs)))


def _path_in_layer(weight: Any, layer: Any) -> tuple[str, tuple]:
    """A weight's path below its layer (Keras's layer names count up across
    tests) and its shape."""
    prefix = f"{layer.name}/"
    assert weight.path.startswith(prefix), (weight.path, layer.name)
    return weight.path[len(prefix) :], tuple(weight.shape)


def compare(
    name: str,
    init_kwargs: dict[str, Any],
    args: tuple,
    keras_kwargs: dict[str, Any] | None = None,
    **call_kwargs: Any,
) -> tuple[Any, Any, tuple]:
    """Build ``name`` in kerax and Keras, share weights, compare every output.

    ``keras_kwargs`` replaces ``call_kwargs`` for the Keras call (for inputs
    Keras takes in another form). Also checks weight paths, shapes and order.
    Returns ``(kerax_layer, keras_layer, kerax_outputs)``.
    """
    ours = getattr(kerax.layers, name)(**init_kwargs)
    theirs = getattr(keras.layers, name)(**init_kwargs)
    keras_kwargs = call_kwargs if keras_kwargs is None else keras_kwargs
    out = run_kerax(ours, *args, **call_kwargs)
    run_keras(theirs, *args, **keras_kwargs)
    assert [_path_in_layer(w, ours) for w in ours.weights] == [
        _path_in_layer(w, theirs) for w in theirs.weights
    ]
    theirs.set_weights(ours.get_weights())
    expected = run_keras(theirs, *args, **keras_kwargs)
    assert len(out) == len(expected)
    for got, want in zip(out, expected):
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_allclose(got, want, atol=ATOL, rtol=ATOL)
    return ours, theirs, out


def normalized(config: dict[str, Any]) -> dict[str, Any]:
    """A config as JSON would store it, without the (unique) name."""
    config = {k: v for k, v in config.items() if k != "name"}
    return json.loads(json.dumps(config, default=str))


def check_config(ours: Any, theirs: Any, args: tuple, **call_kwargs: Any) -> None:
    """Same config as Keras; a JSON round trip rebuilds an equivalent layer."""
    config = ours.get_config()
    assert normalized(config) == normalized(theirs.get_config())
    clone = type(ours).from_config(json.loads(json.dumps(config)))
    run_kerax(clone, *args, **call_kwargs)
    clone.set_weights(ours.get_weights())
    for got, want in zip(
        run_kerax(clone, *args, **call_kwargs), run_kerax(ours, *args, **call_kwargs)
    ):
        np.testing.assert_allclose(got, want, atol=ATOL, rtol=ATOL)


def check_gradients(layer: Any, args: tuple, **call_kwargs: Any) -> None:
    """Gradients of a random projection of the first output wrt every weight and
    every float input: finite and not all zero (one jitted ``jax.grad``)."""
    trainable = [v.value for v in layer.trainable_variables]
    non_trainable = [v.value for v in layer.non_trainable_variables]
    args = jax.tree_util.tree_map(jnp.asarray, args)

    def first_output(weights: list, inputs: tuple) -> jax.Array:
        out, _ = layer.stateless_call(weights, non_trainable, *inputs, **call_kwargs)
        return as_tuple(out)[0]

    cotangent = jnp.asarray(
        np.random.default_rng(1).normal(size=first_output(trainable, args).shape),
        "float32",
    )

    def loss(weights: list, inputs: tuple) -> jax.Array:
        return jnp.sum(first_output(weights, inputs) * cotangent)

    with jax.numpy_rank_promotion("raise"):
        grads = jax.jit(jax.grad(loss, argnums=(0, 1)))(trainable, args)
    leaves = jax.tree_util.tree_leaves(grads)
    assert len(leaves) == len(trainable) + len(jax.tree_util.tree_leaves(args))
    for grad in leaves:
        grad = np.asarray(grad)
        assert np.all(np.isfinite(grad))
        assert np.any(grad != 0)


# -- the checks themselves must be able to fail -------------------------------
def _inputs() -> tuple:
    rng = np.random.default_rng(0)
    return (
        rng.normal(size=(2, 3, 4)).astype("float32"),
        rng.normal(size=(2, 5, 4)).astype("float32"),
    )


def test_compare_catches_wrong_numbers(monkeypatch):
    original = kerax.layers.Attention._calculate_scores
    monkeypatch.setattr(
        kerax.layers.Attention,
        "_calculate_scores",
        lambda self, q, k: original(self, q, k) * 2.0,
    )
    with pytest.raises(AssertionError):
        compare("Attention", {}, (list(_inputs()),))


def test_check_config_catches_missing_keys(monkeypatch):
    original = kerax.layers.Attention.get_config
    monkeypatch.setattr(
        kerax.layers.Attention,
        "get_config",
        lambda self: {k: v for k, v in original(self).items() if k != "seed"},
    )
    ours, theirs, _ = compare("Attention", {}, (list(_inputs()),))
    with pytest.raises(AssertionError):
        check_config(ours, theirs, (list(_inputs()),))


def test_check_gradients_catches_zero_gradients():
    # A zero scale makes every score 0: no gradient reaches the query.
    layer = kerax.layers.AdditiveAttention()
    inputs = list(_inputs())
    run_kerax(layer, inputs)
    layer.set_weights([np.zeros(4, "float32")])
    with pytest.raises(AssertionError):
        check_gradients(layer, (inputs,))
