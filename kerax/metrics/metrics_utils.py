"""Small array helpers shared by the metrics (shapes, safe division, top-k)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax.backend.tensors import convert_to_tensor


def squeeze_or_expand_to_same_rank(
    x1: jax.Array, x2: jax.Array, expand_rank_1: bool = True
) -> tuple[jax.Array, jax.Array]:
    """Align ranks that differ by one through a trailing axis of size 1.

    The higher-rank array loses its trailing 1, except that a rank-1 partner
    gains one instead when ``expand_rank_1`` is True.
    """
    if x1.ndim == x2.ndim + 1 and x1.shape[-1] == 1:
        if x2.ndim == 1 and expand_rank_1:
            x2 = jnp.expand_dims(x2, -1)
        else:
            x1 = jnp.squeeze(x1, -1)
    if x2.ndim == x1.ndim + 1 and x2.shape[-1] == 1:
        if x1.ndim == 1 and expand_rank_1:
            x1 = jnp.expand_dims(x1, -1)
        else:
            x2 = jnp.squeeze(x2, -1)
    return x1, x2


def divide_no_nan(x: Any, y: Any) -> jax.Array:
    """``x / y`` with 0 wherever ``y`` is 0."""
    x = jnp.asarray(x)
    y = jnp.asarray(y)
    quotient = x / jnp.where(y == 0, jnp.ones_like(y), y)
    return jnp.where(y == 0, jnp.zeros_like(quotient), quotient)


def pred_and_true(y_true: Any, y_pred: Any) -> tuple[jax.Array, jax.Array]:
    """Convert ``y_pred`` (default dtype) and ``y_true`` (to ``y_pred``'s dtype)."""
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true, dtype=y_pred.dtype)
    return y_true, y_pred


def l2_normalize(x: jax.Array, axis: int = -1, epsilon: float = 1e-7) -> jax.Array:
    """``x / max(||x||, epsilon)`` along ``axis``, through ``rsqrt``."""
    if x.ndim == 0:
        x = jnp.expand_dims(x, 0)
    square_sum = jnp.sum(jnp.square(x), axis=axis, keepdims=True)
    inv_norm = jnp.minimum(jax.lax.rsqrt(square_sum), 1.0 / epsilon)
    return x * inv_norm


def in_top_k(targets: jax.Array, predictions: jax.Array, k: int) -> jax.Array:
    """Whether each target class is among the ``k`` largest predictions.

    Ties count in the target's favour; a NaN prediction ranks lowest.
    """
    at_label = jnp.take_along_axis(predictions, jnp.expand_dims(targets, -1), axis=-1)
    at_label = jnp.where(jnp.isnan(at_label), -jnp.inf, at_label)
    rank = 1 + jnp.sum(predictions > at_label, axis=-1)
    return rank <= k


def check_positive_int(owner: str, arg: str, value: Any) -> None:
    """Raise a ValueError unless ``value`` is a positive integer."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(
            f"{owner}: `{arg}` must be a positive integer, received {value!r}."
        )
