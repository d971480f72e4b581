"""Small helpers shared by the normalization layers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp


def check_axes(layer: Any, axes: Sequence[int], input_shape: tuple) -> list[int]:
    """``axes`` as non-negative positions; a ValueError naming ``layer`` if out of range."""
    rank = len(input_shape)
    for axis in axes:
        if not -rank <= axis < rank:
            raise ValueError(
                f"{type(layer).__name__} layer {layer.name!r}: axis {axis} is out "
                f"of range for inputs of rank {rank} (received input shape "
                f"{input_shape}; axis={layer.axis})."
            )
    return [axis % rank for axis in axes]


def broadcast_to_axes(
    value: jax.Array, axes: Sequence[int], shape: Sequence[int]
) -> jax.Array:
    """Reshape ``value`` to broadcast against an input of ``shape`` along ``axes``."""
    target = [1] * len(shape)
    for axis in axes:
        target[axis] = shape[axis]
    return jnp.reshape(value, target)


def compute_dtype_of(x: jax.Array) -> Any:
    """The dtype statistics are computed in: at least float32."""
    return jnp.result_type(x.dtype, jnp.float32)
