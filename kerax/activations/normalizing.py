"""Activations that normalize along an axis: softmax, log-softmax, sparsemax."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax.autodiff.recording import op
from kerax.backend.tensors import convert_to_tensor
from kerax.registry import register


@register("keras.activations")
@op
def softmax(x: Any, axis: int = -1) -> jax.Array:
    """``exp(x) / sum(exp(x))`` along ``axis``: each slice sums to 1."""
    return jax.nn.softmax(convert_to_tensor(x), axis=axis)


@register("keras.activations")
@op
def log_softmax(x: Any, axis: int = -1) -> jax.Array:
    """``x - logsumexp(x)`` along ``axis``: the log of ``softmax``."""
    return jax.nn.log_softmax(convert_to_tensor(x), axis=axis)


@register("keras.activations")
@op
def sparsemax(x: Any, axis: int = -1) -> jax.Array:
    """Euclidean projection of ``x`` onto the probability simplex along ``axis``.

    Like softmax the slices sum to 1, but small entries become exactly 0:
    ``max(x - tau, 0)`` with ``tau`` chosen per slice.
    """
    x = convert_to_tensor(x)
    axis = axis % x.ndim
    ranked = -jnp.sort(-x, axis=axis)
    running = jnp.cumsum(ranked, axis=axis)
    rank_shape = [1] * x.ndim
    rank_shape[axis] = x.shape[axis]
    ranks = jnp.arange(1, x.shape[axis] + 1, dtype=x.dtype).reshape(rank_shape)
    # The support is the prefix of ranked entries with 1 + k * z_k > sum_{j<=k} z_j.
    support_size = jnp.sum(1 + ranks * ranked > running, axis=axis, keepdims=True)
    support_sum = jnp.take_along_axis(running, support_size - 1, axis=axis)
    tau = (support_sum - 1) / support_size.astype(x.dtype)
    return jnp.maximum(x - tau, 0)
