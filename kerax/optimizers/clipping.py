"""Gradient clipping by value, by norm and by global norm, as Keras optimizers do."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp


def clip_by_norm(values: jax.Array, clipnorm: float) -> jax.Array:
    """Scale ``values`` so that their L2 norm is at most ``clipnorm``.

    Zero tensors stay zero (the norm's square root is never taken at 0, so the
    gradient of this function stays finite).
    """
    l2sum = jnp.sum(jnp.square(values), keepdims=True)
    positive = l2sum > 0
    l2norm = jnp.where(positive, jnp.sqrt(jnp.where(positive, l2sum, 1.0)), l2sum)
    return values * clipnorm / jnp.maximum(l2norm, clipnorm)


def global_norm(values: Sequence[Any]) -> jax.Array:
    """The L2 norm of all ``values`` together (None entries are skipped)."""
    squares = [jnp.sum(jnp.square(v)) for v in values if v is not None]
    return jnp.sqrt(jnp.sum(jnp.stack(squares)))


def clip_by_global_norm(values: Sequence[Any], clipnorm: float) -> list[Any]:
    """Scale all ``values`` by one factor so their global norm is at most ``clipnorm``.

    A non-finite global norm turns every value into NaN, as in Keras.
    """
    norm = global_norm(values)
    scale = clipnorm * jnp.minimum(1.0 / norm, 1.0 / clipnorm) + (norm - norm)
    return [None if v is None else v * scale for v in values]


def clip_by_value(values: jax.Array, clipvalue: float) -> jax.Array:
    """Clip every element of ``values`` into ``[-clipvalue, clipvalue]``."""
    return jnp.clip(values, -clipvalue, clipvalue)
