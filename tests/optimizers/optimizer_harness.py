"""Shared fixtures for optimizer tests: fixed variables and gradients, and a
side-by-side runner comparing kerax with Keras (the oracle) after every step."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax.numpy as jnp
import numpy as np

import kerax

STEPS = 5
NAMES = ("kernel", "bias")
_rng = np.random.default_rng(1234)
INITIAL = [
    _rng.normal(size=(3, 2)).astype("float32"),
    _rng.normal(size=(2,)).astype("float32"),
]
GRADIENTS = [
    [_rng.normal(size=v.shape).astype("float32") for v in INITIAL] for _ in range(STEPS)
]


def kerax_variables(**kwargs: Any) -> list[kerax.Variable]:
    """Fresh kerax Variables holding ``INITIAL`` (names kernel, bias)."""
    return [kerax.Variable(x, name=n, **kwargs) for x, n in zip(INITIAL, NAMES)]


def keras_variables(**kwargs: Any) -> list[Any]:
    """Fresh Keras Variables holding ``INITIAL``."""
    import keras

    return [keras.Variable(x, name=n, **kwargs) for x, n in zip(INITIAL, NAMES)]


def snapshot(variables: Sequence[Any], optimizer: Any) -> list[np.ndarray]:
    """Values of the trained variables followed by all optimizer variables."""
    return [np.asarray(v.value) for v in list(variables) + list(optimizer.variables)]


def assert_same_state(
    expected: Sequence[np.ndarray], actual: Sequence[np.ndarray], rtol: float = 1e-6
) -> None:
    """Same number of arrays, same shapes and dtypes, values within ``rtol``."""
    assert len(actual) == len(expected), (len(actual), len(expected))
    for i, (want, got) in enumerate(zip(expected, actual)):
        assert got.shape == want.shape, (i, got.shape, want.shape)
        assert got.dtype == want.dtype, (i, got.dtype, want.dtype)
        np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-7, err_msg=f"#{i}")


def run_side_by_side(
    make_keras: Callable[[], Any],
    make_kerax: Callable[[], Any],
    gradients: Sequence[Sequence[Any]] = GRADIENTS,
    between_steps: Callable[[int, Any, Any], None] | None = None,
    prepare: Callable[[list[Any], list[Any], Any, Any], None] | None = None,
    rtol: float = 1e-6,
) -> tuple[Any, Any, list[Any], list[Any]]:
    """Apply the same gradients with both libraries, comparing after each step.

    ``prepare(keras_vars, kerax_vars, keras_opt, kerax_opt)`` runs once first;
    ``between_steps(step, keras_opt, kerax_opt)`` before every step.
    """
    keras_opt, kerax_opt = make_keras(), make_kerax()
    keras_vars, kerax_vars = keras_variables(), kerax_variables()
    if prepare is not None:
        prepare(keras_vars, kerax_vars, keras_opt, kerax_opt)
    for step, grads in enumerate(gradients):
        if between_steps is not None:
            between_steps(step, keras_opt, kerax_opt)
        keras_opt.apply(
            [None if g is None else jnp.asarray(g) for g in grads], keras_vars
        )
        kerax_opt.apply(
            [None if g is None else jnp.asarray(g) for g in grads], kerax_vars
        )
        assert_same_state(
            snapshot(keras_vars, keras_opt), snapshot(kerax_vars, kerax_opt), rtol
        )
    return keras_opt, kerax_opt, keras_vars, kerax_vars
