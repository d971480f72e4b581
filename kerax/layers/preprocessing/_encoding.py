"""Turning integer indices into ``one_hot``/``multi_hot``/``count`` vectors,
shared by CategoryEncoding, Discretization, Hashing and the lookup layers."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count")


def check_output_mode(output_mode: str, layer: str, allowed: tuple) -> str:
    """The canonical output mode (``binary`` -> ``multi_hot``, ``tf-idf`` ->
    ``tf_idf``), or a ValueError listing the valid ones."""
    output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(
        output_mode, output_mode
    )
    if output_mode not in allowed:
        raise ValueError(
            f"{layer}: unknown `output_mode` {output_mode!r}. Expected one of "
            f"{allowed}."
        )
    return output_mode


def encode(
    indices: Any,
    output_mode: str,
    depth: int,
    dtype: Any,
    count_weights: Any = None,
) -> jax.Array:
    """Encode integer ``indices`` (values outside ``[0, depth)`` count for
    nothing).

    ``one_hot`` adds a last axis of size ``depth`` (replacing a last axis of
    size 1); ``multi_hot`` and ``count`` reduce the last axis of a batch (or
    all of a rank-1 input) into one vector of size ``depth``.
    """
    indices = jnp.asarray(indices)
    if output_mode == "int":
        return indices.astype(dtype)
    if indices.ndim == 0:
        indices = indices[None]
    if output_mode == "one_hot":
        if indices.ndim > 1 and indices.shape[-1] == 1:
            indices = indices[..., 0]
        return jax.nn.one_hot(indices, depth, dtype=dtype)
    axis = 1 if indices.ndim > 1 else 0
    hot = jax.nn.one_hot(indices, depth, dtype=dtype)
    if output_mode == "multi_hot":
        return jnp.max(hot, axis=-2)
    if count_weights is not None:
        weights = jnp.asarray(count_weights, dtype)
        hot = hot * weights[..., None]
    return jnp.sum(hot, axis=axis)


def encoded_shape(input_shape: tuple, output_mode: str, depth: Any) -> tuple:
    """The output shape of ``encode`` for an input shape."""
    input_shape = tuple(input_shape)
    if output_mode == "int":
        return input_shape
    if not input_shape:
        return (depth,)
    if output_mode == "one_hot":
        if len(input_shape) > 1 and input_shape[-1] == 1:
            return input_shape[:-1] + (depth,)
        return input_shape + (depth,)
    if len(input_shape) == 1:
        return (depth,)
    return input_shape[:-1] + (depth,)
