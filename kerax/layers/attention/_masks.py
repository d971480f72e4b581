"""Boolean attention masks (True attends) and the masked softmax of Keras.

Masks combine with numpy broadcasting made explicit (shorter masks gain leading
axes), so they work under ``jax_numpy_rank_promotion='raise'``.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp


def _as_bool(mask: Any) -> jax.Array:
    mask = jnp.asarray(mask)
    return mask if mask.dtype == jnp.bool_ else mask.astype(bool)


def _left_pad(x: jax.Array, rank: int) -> jax.Array:
    return jnp.reshape(x, (1,) * (rank - x.ndim) + x.shape)


def logical_and(a: jax.Array | None, b: jax.Array | None) -> jax.Array | None:
    """``a & b`` with numpy broadcasting; ``None`` means "attend everywhere"."""
    if a is None or b is None:
        return b if a is None else a
    rank = max(a.ndim, b.ndim)
    return jnp.logical_and(_left_pad(a, rank), _left_pad(b, rank))


def causal_mask(query_length: int, key_length: int) -> jax.Array:
    """``(1, T, S)``: query ``i`` attends to keys ``j <= i``."""
    rows = jnp.arange(query_length)[:, None]
    cols = jnp.arange(key_length)[None, :]
    return (rows >= cols)[None]


def sliding_window_mask(query_length: int, key_length: int, window: int) -> jax.Array:
    """``(1, T, S)``: query ``i`` attends to keys with ``|i - j| < window``."""
    rows = jnp.arange(query_length)[:, None]
    cols = jnp.arange(key_length)[None, :]
    return (jnp.abs(rows - cols) < window)[None]


def combine_masks(
    query_length: int,
    key_length: int,
    query_mask: Any = None,
    value_mask: Any = None,
    key_mask: Any = None,
    attention_mask: Any = None,
    use_causal_mask: bool = False,
    sliding_window: int | None = None,
) -> jax.Array | None:
    """One ``(B, T, S)``-broadcastable mask from every mask source, or None.

    ``query_mask`` ``(B, T)`` blocks whole query rows, ``value_mask`` and
    ``key_mask`` ``(B, S)`` block key columns, the causal and sliding-window
    masks are ``(1, T, S)``; all are combined with ``&``.
    """
    mask = None
    if query_mask is not None:
        mask = jnp.expand_dims(_as_bool(query_mask), -1)
    for column_mask in (value_mask, key_mask):
        if column_mask is not None:
            mask = logical_and(mask, jnp.expand_dims(_as_bool(column_mask), -2))
    if use_causal_mask:
        mask = logical_and(mask, causal_mask(query_length, key_length))
    if sliding_window is not None:
        mask = logical_and(
            mask, sliding_window_mask(query_length, key_length, sliding_window)
        )
    if attention_mask is not None:
        mask = logical_and(_as_bool(attention_mask), mask)
    return mask


def expand_to_rank(mask: jax.Array, rank: int, axis: int) -> jax.Array:
    """Insert size-1 axes at ``axis`` (a negative position) until ``rank``."""
    while mask.ndim < rank:
        mask = jnp.expand_dims(mask, axis)
    return mask


def large_negative(dtype: Any) -> float:
    """The logit given to masked positions (float16 cannot hold -1e9)."""
    return -3e4 if jnp.dtype(dtype) == jnp.float16 else -1e9


def masked_softmax(
    scores: jax.Array,
    mask: jax.Array | None,
    axes: tuple[int, ...],
    zero_masked: bool,
) -> jax.Array:
    """Softmax of ``scores`` over ``axes`` where masked positions get no weight.

    ``mask`` has the rank of ``scores`` and broadcasts to it. A row whose
    positions are all masked gets all-zero weights when ``zero_masked``, else
    uniform weights (the two behaviours of Keras's masked-softmax and fused
    attention paths).
    """
    if mask is None:
        return jax.nn.softmax(scores, axis=axes)
    logits = jnp.where(mask, scores, jnp.asarray(large_negative(scores.dtype)))
    weights = jax.nn.softmax(logits.astype(scores.dtype), axis=axes)
    if zero_masked:
        weights = jnp.where(mask, weights, jnp.zeros((), weights.dtype))
    return weights
