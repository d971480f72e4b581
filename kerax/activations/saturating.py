"""Bounded activations: tanh and its hard and shrinking variants, softsign."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax.autodiff.recording import op
from kerax.backend.tensors import convert_to_tensor
from kerax.registry import register


@register("keras.activations")
@op
def tanh(x: Any) -> jax.Array:
    """Hyperbolic tangent."""
    return jnp.tanh(convert_to_tensor(x))


@register("keras.activations")
@op
def hard_tanh(x: Any) -> jax.Array:
    """``x`` clipped to ``[-1, 1]``."""
    return jax.nn.hard_tanh(convert_to_tensor(x))


@register("keras.activations")
@op
def tanh_shrink(x: Any) -> jax.Array:
    """``x - tanh(x)``."""
    x = convert_to_tensor(x)
    return x - jnp.tanh(x)


@register("keras.activations")
@op
def hard_shrink(x: Any, threshold: float = 0.5) -> jax.Array:
    """``x`` where ``|x| > threshold``, 0 elsewhere."""
    x = convert_to_tensor(x)
    return jnp.where(jnp.abs(x) > threshold, x, jnp.zeros_like(x))


@register("keras.activations")
@op
def soft_shrink(x: Any, threshold: float = 0.5) -> jax.Array:
    """Moves ``x`` toward 0 by ``threshold``; values within ``threshold`` become 0."""
    x = convert_to_tensor(x)
    shrunk = x - jnp.sign(x) * threshold
    return jnp.where(jnp.abs(x) > threshold, shrunk, jnp.zeros_like(shrunk))


@register("keras.activations")
@op
def softsign(x: Any) -> jax.Array:
    """``x / (|x| + 1)``."""
    return jax.nn.soft_sign(convert_to_tensor(x))
