"""Sigmoid-shaped activations and the gates built from them."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax.autodiff.recording import op
from kerax.backend.tensors import convert_to_tensor
from kerax.registry import register


@register("keras.activations")
@op
def sigmoid(x: Any) -> jax.Array:
    """Logistic function ``1 / (1 + exp(-x))``."""
    return jax.nn.sigmoid(convert_to_tensor(x))


@register("keras.activations")
@op
def hard_sigmoid(x: Any) -> jax.Array:
    """Piecewise-linear sigmoid ``relu6(x + 3) / 6`` (Keras 3's definition)."""
    return jax.nn.hard_sigmoid(convert_to_tensor(x))


@register("keras.activations")
@op
def sparse_sigmoid(x: Any) -> jax.Array:
    """0 below -1, 1 above 1, ``(x + 1) / 2`` in between."""
    return jax.nn.sparse_sigmoid(convert_to_tensor(x))


@register("keras.activations")
@op
def log_sigmoid(x: Any) -> jax.Array:
    """``log(sigmoid(x))``, computed stably as ``-softplus(-x)``."""
    return jax.nn.log_sigmoid(convert_to_tensor(x))


@register("keras.activations")
@register("keras.activations", "swish")
@op
def silu(x: Any) -> jax.Array:
    """Sigmoid linear unit (swish): ``x * sigmoid(x)``."""
    return jax.nn.silu(convert_to_tensor(x))


@register("keras.activations")
@register("keras.activations", "hard_swish")
@op
def hard_silu(x: Any) -> jax.Array:
    """Hard swish: ``x * hard_sigmoid(x)``."""
    return jax.nn.hard_silu(convert_to_tensor(x))


@register("keras.activations")
@op
def mish(x: Any) -> jax.Array:
    """Self-regularized activation ``x * tanh(softplus(x))``."""
    x = convert_to_tensor(x)
    return x * jnp.tanh(jax.nn.softplus(x))


@register("keras.activations")
@op
def glu(x: Any, axis: int = -1) -> jax.Array:
    """Gated linear unit: halves ``x`` along ``axis`` into ``a, b``; ``a * sigmoid(b)``.

    The size of ``axis`` must be even; the output has half of it.
    """
    x = convert_to_tensor(x)
    if x.shape[axis] % 2:
        raise ValueError(
            f"glu: the size of axis {axis} must be even, received shape {x.shape}."
        )
    return jax.nn.glu(x, axis=axis)


@register("keras.activations")
@op
def exponential(x: Any) -> jax.Array:
    """Elementwise ``exp(x)``."""
    return jnp.exp(convert_to_tensor(x))


@register("keras.activations")
@op
def linear(x: Any) -> Any:
    """The identity: returns ``x`` unchanged."""
    return x


swish = silu
hard_swish = hard_silu
