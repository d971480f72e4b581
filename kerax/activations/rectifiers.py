"""Rectifier activations: the ReLU family and its smooth relatives."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax.autodiff.recording import op
from kerax.backend.tensors import convert_to_tensor
from kerax.registry import register


@register("keras.activations")
@op
def relu(
    x: Any,
    negative_slope: float = 0.0,
    max_value: float | None = None,
    threshold: float = 0.0,
) -> jax.Array:
    """Rectified linear unit with optional leak, ceiling and threshold.

    Values above ``threshold`` pass through (capped at ``max_value`` if given),
    the rest become ``negative_slope * (x - threshold)``.

    Example:
        >>> relu([-2.0, 0.5, 3.0], max_value=1.0).tolist()
        [0.0, 0.5, 1.0]
    """
    x = convert_to_tensor(x)
    if negative_slope == 0.0 and max_value is None and threshold == 0:
        return jax.nn.relu(x)  # NaN propagates, as in Keras
    if negative_slope != 0.0 and max_value is None and threshold == 0:
        return jax.nn.leaky_relu(x, negative_slope=negative_slope)
    cut = jnp.asarray(threshold, x.dtype)
    positive = jnp.where(x > cut, x, jnp.zeros_like(x))
    if max_value is not None:
        positive = jnp.clip(positive, 0, jnp.asarray(max_value, x.dtype))
    if negative_slope != 0.0:
        positive = positive - negative_slope * jax.nn.relu(cut - x)
    return jnp.where(jnp.isnan(x), x, positive)  # never hide a NaN


@register("keras.activations")
@op
def leaky_relu(x: Any, negative_slope: float = 0.2) -> jax.Array:
    """``x`` where positive, ``negative_slope * x`` elsewhere."""
    return jax.nn.leaky_relu(convert_to_tensor(x), negative_slope=negative_slope)


@register("keras.activations")
@op
def relu6(x: Any) -> jax.Array:
    """ReLU capped at 6: ``min(max(x, 0), 6)``."""
    return jax.nn.relu6(convert_to_tensor(x))


@register("keras.activations")
@op
def elu(x: Any, alpha: float = 1.0) -> jax.Array:
    """Exponential linear unit: ``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``."""
    return jax.nn.elu(convert_to_tensor(x), alpha=alpha)


@register("keras.activations")
@op
def selu(x: Any) -> jax.Array:
    """Scaled ELU with self-normalizing constants (alpha≈1.6733, scale≈1.0507)."""
    return jax.nn.selu(convert_to_tensor(x))


@register("keras.activations")
@op
def celu(x: Any, alpha: float = 1.0) -> jax.Array:
    """Continuously differentiable ELU.

    ``max(x, 0) + min(alpha * (exp(x / alpha) - 1), 0)``.
    """
    return jax.nn.celu(convert_to_tensor(x), alpha=alpha)


@register("keras.activations")
@op
def gelu(x: Any, approximate: bool = False) -> jax.Array:
    """Gaussian error linear unit ``x * Phi(x)``; ``approximate`` uses the tanh form."""
    return jax.nn.gelu(convert_to_tensor(x), approximate=approximate)


@register("keras.activations")
@op
def softplus(x: Any) -> jax.Array:
    """``log(exp(x) + 1)``, computed stably."""
    return jax.nn.softplus(convert_to_tensor(x))


@register("keras.activations")
@op
def squareplus(x: Any, b: float = 4) -> jax.Array:
    """Smooth ReLU ``(x + sqrt(x**2 + b)) / 2``."""
    return jax.nn.squareplus(convert_to_tensor(x), b=b)


@register("keras.activations")
@op
def sparse_plus(x: Any) -> jax.Array:
    """0 below -1, ``x`` above 1, ``(x + 1)**2 / 4`` in between."""
    return jax.nn.sparse_plus(convert_to_tensor(x))


@register("keras.activations")
@op
def threshold(x: Any, threshold: float, default_value: float) -> jax.Array:
    """``x`` where ``x > threshold``, ``default_value`` elsewhere."""
    x = convert_to_tensor(x)
    return jnp.where(x > threshold, x, default_value)
