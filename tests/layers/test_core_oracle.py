"""Shared checks of a kerax layer against the same Keras layer (the oracle).

The family tests (``test_core*``, ``test_activation_layers``, ``test_merging``,
``test_reshaping``, ``test_regularization_layers``) import ``check_layer`` and
``check_gradients`` from here; the tests at the bottom show that the checks do
fail when kerax and Keras disagree.
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


def keras_call(layer: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a Keras layer; Keras relies on implicit rank promotion, so allow it."""
    with jax.numpy_rank_promotion("allow"):
        return layer(*args, **kwargs)


def _shapes(inputs: Any) -> Any:
    if isinstance(inputs, (list, tuple)):
        return [tuple(x.shape) for x in inputs]
    return tuple(inputs.shape)


def _normalized(config: dict[str, Any]) -> dict[str, Any]:
    config = {k: v for k, v in config.items() if k != "name"}
    return json.loads(json.dumps(config, default=str))


def check_layer(
    name: str,
    inputs: Any,
    *args: Any,
    call_kwargs: dict[str, Any] | None = None,
    compare_config_values: bool = True,
    atol: float = ATOL,
    **kwargs: Any,
) -> tuple[Any, Any, np.ndarray]:
    """Build ``name(*args, **kwargs)`` in kerax and Keras and compare them.

    Checks: weight names and shapes, outputs with Keras given kerax's weights,
    ``compute_output_shape`` (against the real output and Keras's answer),
    ``get_config`` (same keys and, by default, same values) and a
    ``from_config`` clone that reproduces the outputs.

    Returns ``(kerax_layer, keras_layer, kerax_output)``.
    """
    call_kwargs = call_kwargs or {}
    ours = getattr(kerax.layers, name)(*args, **kwargs)
    theirs = getattr(keras.layers, name)(*args, **kwargs)
    out = np.asarray(ours(inputs, **call_kwargs))
    keras_call(theirs, inputs, **call_kwargs)
    assert [(w.name, tuple(w.shape)) for w in ours.weights] == [
        (w.name, tuple(w.shape)) for w in theirs.weights
    ]
    theirs.set_weights(ours.get_weights())
    expected = np.asarray(keras_call(theirs, inputs, **call_kwargs))
    assert out.dtype == expected.dtype, (out.dtype, expected.dtype)
    np.testing.assert_allclose(out, expected, atol=atol, rtol=atol)

    shape = ours.compute_output_shape(_shapes(inputs))
    assert tuple(shape) == out.shape
    assert tuple(shape) == tuple(theirs.compute_output_shape(_shapes(inputs)))

    config = ours.get_config()
    assert set(config) == set(theirs.get_config())
    if compare_config_values:
        assert _normalized(config) == _normalized(theirs.get_config())
    clone = type(ours).from_config(json.loads(json.dumps(config)))
    clone(inputs, **call_kwargs)
    clone.set_weights(ours.get_weights())
    np.testing.assert_allclose(
        np.asarray(clone(inputs, **call_kwargs)), out, atol=atol, rtol=atol
    )
    return ours, theirs, out


def check_gradients(
    layer: Any, inputs: Any, wrt_inputs: bool = True, **call_kwargs: Any
) -> None:
    """Gradients of a random projection of the output: finite and non-zero.

    Taken with ``jax.grad`` through ``stateless_call`` (jitted: one compile is
    cheaper than many small eager ones), for every trainable weight and (when
    ``wrt_inputs``) for the inputs.
    """
    trainable = [v.value for v in layer.trainable_variables]
    non_trainable = [v.value for v in layer.non_trainable_variables]
    inputs = jax.tree_util.tree_map(jnp.asarray, inputs)
    out, _ = layer.stateless_call(trainable, non_trainable, inputs, **call_kwargs)
    rng = np.random.default_rng(1)
    cotangent = jnp.asarray(rng.normal(size=out.shape), out.dtype)

    def loss(weights: list, x: Any) -> jax.Array:
        y, _ = layer.stateless_call(weights, non_trainable, x, **call_kwargs)
        return jnp.sum(y * cotangent)

    argnums = (0, 1) if wrt_inputs else 0
    grads = jax.jit(jax.grad(loss, argnums=argnums))(trainable, inputs)
    leaves = jax.tree_util.tree_leaves(grads if wrt_inputs else (grads,))
    assert len(leaves) == len(trainable) + (
        len(jax.tree_util.tree_leaves(inputs)) if wrt_inputs else 0
    )
    for grad in leaves:
        grad = np.asarray(grad)
        assert np.all(np.isfinite(grad))
        assert np.any(grad != 0)


# -- the checks themselves must be able to fail -------------------------------
def test_check_layer_catches_wrong_numbers(monkeypatch):
    x = np.random.default_rng(0).normal(size=(2, 3)).astype("float32")
    monkeypatch.setattr(
        kerax.layers.Dense, "call", lambda self, inputs, training=None: inputs + 1
    )
    with pytest.raises(AssertionError):
        check_layer("Dense", x, 3)


def test_check_layer_catches_wrong_config_keys(monkeypatch):
    x = np.ones((2, 3), "float32")
    original = kerax.layers.ReLU.get_config
    monkeypatch.setattr(
        kerax.layers.ReLU, "get_config", lambda self: {**original(self), "extra": 1}
    )
    with pytest.raises(AssertionError):
        check_layer("ReLU", x)


def test_check_gradients_catches_zero_gradients():
    layer = kerax.layers.Dense(2, kernel_initializer="zeros", use_bias=False)
    x = np.ones((2, 3), "float32")
    layer(x)
    with pytest.raises(AssertionError):
        check_gradients(layer, x)
