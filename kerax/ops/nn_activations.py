"""Activation functions (``keras.ops.nn``)."""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp

from kerax.autodiff.recording import op
from kerax.ops._utils import axis_arg, float_tensor, tensor


@op
def relu(x: Any) -> jax.Array:
    """``max(x, 0)``."""
    return jax.nn.relu(tensor(x))


@op
def relu6(x: Any) -> jax.Array:
    """``min(max(x, 0), 6)``."""
    return jax.nn.relu6(tensor(x))


@op
def sigmoid(x: Any) -> jax.Array:
    """``1 / (1 + exp(-x))``."""
    return jax.nn.sigmoid(float_tensor(x))


@op
def log_sigmoid(x: Any) -> jax.Array:
    """``log(sigmoid(x))``, computed stably."""
    return jax.nn.log_sigmoid(float_tensor(x))


@op
def hard_sigmoid(x: Any) -> jax.Array:
    """Piecewise-linear sigmoid: ``relu6(x + 3) / 6``."""
    return jax.nn.hard_sigmoid(float_tensor(x))


@op
def sparse_sigmoid(x: Any) -> jax.Array:
    """0 below -1, 1 above 1, and ``(x + 1) / 2`` in between."""
    x = float_tensor(x)
    return jnp.clip(0.5 * (x + 1.0), 0.0, 1.0)


@op
def silu(x: Any) -> jax.Array:
    """``x * sigmoid(x)`` (also called swish)."""
    return jax.nn.silu(float_tensor(x))


@op
def swish(x: Any) -> jax.Array:
    """``x * sigmoid(x)`` (alias of ``silu``)."""
    return jax.nn.silu(float_tensor(x))


@op
def hard_silu(x: Any) -> jax.Array:
    """``x * hard_sigmoid(x)``."""
    return jax.nn.hard_silu(float_tensor(x))


@op
def hard_swish(x: Any) -> jax.Array:
    """``x * hard_sigmoid(x)`` (alias of ``hard_silu``)."""
    return jax.nn.hard_silu(float_tensor(x))


@op
def gelu(x: Any, approximate: bool = True) -> jax.Array:
    """Gaussian error linear unit (tanh approximation unless ``approximate=False``)."""
    return jax.nn.gelu(float_tensor(x), approximate=approximate)


@op
def elu(x: Any, alpha: float = 1.0) -> jax.Array:
    """``x`` above zero, ``alpha * (exp(x) - 1)`` below."""
    return jax.nn.elu(float_tensor(x), alpha=alpha)


@op
def selu(x: Any) -> jax.Array:
    """Scaled ELU with the self-normalizing constants."""
    return jax.nn.selu(float_tensor(x))


@op
def celu(x: Any, alpha: float = 1.0) -> jax.Array:
    """Continuously differentiable ELU: ``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    return jax.nn.celu(float_tensor(x), alpha=alpha)


@op
def leaky_relu(x: Any, negative_slope: float = 0.2) -> jax.Array:
    """``x`` above zero, ``negative_slope * x`` below."""
    return jax.nn.leaky_relu(float_tensor(x), negative_slope=negative_slope)


@op
def softplus(x: Any) -> jax.Array:
    """``log(1 + exp(x))``, computed stably."""
    return jax.nn.softplus(float_tensor(x))


@op
def sparse_plus(x: Any) -> jax.Array:
    """0 below -1, ``x`` above 1, and ``(x + 1)**2 / 4`` in between."""
    x = float_tensor(x)
    middle = 0.25 * jnp.square(x + 1.0)
    return jnp.where(x <= -1.0, jnp.zeros_like(x), jnp.where(x >= 1.0, x, middle))


@op
def squareplus(x: Any, b: float = 4) -> jax.Array:
    """``(x + sqrt(x**2 + b)) / 2``, a smooth ReLU."""
    x = float_tensor(x)
    return 0.5 * (x + jnp.sqrt(jnp.square(x) + b))


@op
def softsign(x: Any) -> jax.Array:
    """``x / (1 + |x|)``."""
    return jax.nn.soft_sign(float_tensor(x))


@op
def hard_tanh(x: Any) -> jax.Array:
    """``x`` clipped to [-1, 1] (integers stay integers, bools become int32)."""
    x = tensor(x)
    if x.dtype == jnp.bool_:
        x = x.astype("int32")
    if jnp.issubdtype(x.dtype, jnp.unsignedinteger):
        return jnp.minimum(x, 1)
    return jnp.clip(x, -1, 1)


@op
def hard_shrink(x: Any, threshold: float = 0.5) -> jax.Array:
    """``x`` where ``|x| > threshold``, else 0."""
    x = float_tensor(x)
    return jnp.where(jnp.abs(x) > threshold, x, jnp.zeros_like(x))


@op
def soft_shrink(x: Any, threshold: float = 0.5) -> jax.Array:
    """``x`` moved toward zero by ``threshold`` (0 inside the band)."""
    x = float_tensor(x)
    shrunk = x - jnp.sign(x) * threshold
    return jnp.where(jnp.abs(x) > threshold, shrunk, jnp.zeros_like(x))


@op
def tanh_shrink(x: Any) -> jax.Array:
    """``x - tanh(x)``."""
    x = float_tensor(x)
    return x - jnp.tanh(x)


@op
def threshold(x: Any, threshold: float, default_value: float) -> jax.Array:
    """``x`` where ``x > threshold``, else ``default_value``."""
    x = tensor(x)
    if x.dtype == jnp.bool_:
        x = x.astype("int32")
    return jnp.where(x > threshold, x, jnp.asarray(default_value, x.dtype))


@op
def glu(x: Any, axis: int = -1) -> jax.Array:
    """Gated linear unit: halves ``a, b`` of ``x`` along ``axis`` give ``a * sigmoid(b)``."""
    x = float_tensor(x)
    if x.shape[axis] % 2:
        raise ValueError(
            f"glu: axis {axis} must have an even size, received shape {x.shape}."
        )
    a, b = jnp.split(x, 2, axis=axis)
    return a * jax.nn.sigmoid(b)


@op
def softmax(x: Any, axis: Any = -1) -> jax.Array:
    """``exp(x) / sum(exp(x))`` along ``axis``."""
    return jax.nn.softmax(float_tensor(x), axis=axis_arg(axis))


@op
def log_softmax(x: Any, axis: Any = -1) -> jax.Array:
    """``log(softmax(x))`` along ``axis``, computed stably."""
    return jax.nn.log_softmax(float_tensor(x), axis=axis_arg(axis))


@op
def sparsemax(x: Any, axis: int = -1) -> jax.Array:
    """Euclidean projection of ``x`` onto the probability simplex along ``axis``.

    Like softmax, but most outputs are exactly zero.
    """
    return _sparsemax(float_tensor(x), axis)


@functools.partial(jax.jit, static_argnums=1)
def _sparsemax(x: jax.Array, axis: int) -> jax.Array:
    x = jnp.moveaxis(x, axis, -1)
    ordered = -jnp.sort(-x, axis=-1)
    ranks = jnp.arange(1, x.shape[-1] + 1, dtype=x.dtype).reshape(
        (1,) * (x.ndim - 1) + (-1,)
    )
    cumulative = jnp.cumsum(ordered, axis=-1)
    in_support = 1.0 + ranks * ordered > cumulative
    support = jnp.sum(in_support, axis=-1, keepdims=True)
    total = jnp.take_along_axis(cumulative, support - 1, axis=-1)
    tau = (total - 1.0) / support.astype(x.dtype)
    return jnp.moveaxis(jnp.maximum(x - tau, 0.0), -1, axis)


@op
def polar(abs_: Any, angle: Any) -> jax.Array:
    """Complex numbers from magnitudes ``abs_`` and angles ``angle``."""
    magnitude, phase = float_tensor(abs_), float_tensor(angle)
    return jax.lax.complex(magnitude * jnp.cos(phase), magnitude * jnp.sin(phase))
