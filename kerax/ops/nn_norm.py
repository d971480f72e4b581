"""Normalization, moments, label encodings and PSNR (``keras.ops.nn``)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import config
from kerax.autodiff.recording import op
from kerax.ops._utils import (
    axis_arg,
    canonical_axis,
    dtype_or_floatx,
    float_tensor,
    tensor,
)


def _axes(axis: Any, ndim: int) -> tuple[int, ...]:
    axis = axis_arg(axis)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return tuple(sorted(canonical_axis(a, ndim) for a in axes))


def _along(v: Any, x: jax.Array, axes: tuple[int, ...]) -> jax.Array:
    """Reshape a parameter over ``axes`` so it broadcasts against ``x``."""
    v = tensor(v)
    if v.ndim == x.ndim:
        return v
    shape = [1] * x.ndim
    if v.ndim == len(axes):
        for a, d in zip(axes, v.shape):
            shape[a] = d
        return v.reshape(shape)
    return v.reshape((1,) * (x.ndim - v.ndim) + v.shape)


def _upcast(x: jax.Array) -> jax.Array:
    """16-bit floats compute statistics in float32."""
    return x.astype("float32") if x.dtype in (jnp.float16, jnp.bfloat16) else x


@op
def moments(
    x: Any, axes: Any, keepdims: bool = False, synchronized: bool = False
) -> tuple[jax.Array, jax.Array]:
    """Mean and variance of ``x`` over ``axes``."""
    x = float_tensor(x)
    axes = _axes(axes, x.ndim)
    wide = _upcast(x)
    mean = jnp.mean(wide, axis=axes, keepdims=True)
    variance = jnp.mean(
        jnp.square(wide - jax.lax.stop_gradient(mean)), axis=axes, keepdims=True
    )
    if not keepdims:
        mean, variance = jnp.squeeze(mean, axes), jnp.squeeze(variance, axes)
    return mean.astype(x.dtype), variance.astype(x.dtype)


@op
def batch_normalization(
    x: Any,
    mean: Any,
    variance: Any,
    axis: int,
    offset: Any = None,
    scale: Any = None,
    epsilon: float = 0.001,
) -> jax.Array:
    """``(x - mean) / sqrt(variance + epsilon) * scale + offset`` along ``axis``."""
    x = float_tensor(x)
    axes = (canonical_axis(axis, x.ndim),)
    inverse = jax.lax.rsqrt(_along(variance, x, axes) + epsilon)
    if scale is not None:
        inverse = inverse * _along(scale, x, axes)
    out = (x - _along(mean, x, axes)) * inverse
    if offset is not None:
        out = out + _along(offset, x, axes)
    return out.astype(x.dtype)


@op
def layer_normalization(
    x: Any,
    gamma: Any = None,
    beta: Any = None,
    axis: Any = -1,
    epsilon: float | None = None,
    **kwargs: Any,
) -> jax.Array:
    """Normalize each example over ``axis`` to zero mean and unit variance.

    ``rms_scaling=True`` (legacy) only divides by the standard deviation.
    """
    rms_scaling = kwargs.pop("rms_scaling", False)
    if kwargs:
        raise TypeError(f"layer_normalization got unexpected arguments {list(kwargs)}.")
    epsilon = config.epsilon() if epsilon is None else epsilon
    x = float_tensor(x)
    axes = _axes(axis, x.ndim)
    wide = _upcast(x)
    mean = jnp.mean(wide, axis=axes, keepdims=True)
    variance = jnp.var(wide, axis=axes, keepdims=True)
    inverse = jax.lax.rsqrt(variance + epsilon)
    out = wide * inverse if rms_scaling else (wide - mean) * inverse
    if gamma is not None:
        out = out * _along(gamma, x, axes)
    if beta is not None and not rms_scaling:
        out = out + _along(beta, x, axes)
    return out.astype(x.dtype)


@op
def rms_normalization(
    x: Any, scale: Any = None, axis: Any = -1, epsilon: float | None = None
) -> jax.Array:
    """``x / sqrt(mean(x**2) + epsilon) * scale`` over ``axis``."""
    epsilon = config.epsilon() if epsilon is None else epsilon
    x = float_tensor(x)
    axes = _axes(axis, x.ndim)
    wide = _upcast(x)
    out = wide * jax.lax.rsqrt(
        jnp.mean(jnp.square(wide), axis=axes, keepdims=True) + epsilon
    )
    if scale is not None:
        out = out * _along(scale, x, axes)
    return out.astype(x.dtype)


@op
def normalize(
    x: Any, axis: Any = -1, order: Any = 2, epsilon: float | None = None
) -> jax.Array:
    """``x / max(norm(x), epsilon)``, the ``order``-norm taken over ``axis``."""
    epsilon = config.epsilon() if epsilon is None else epsilon
    x = float_tensor(x)
    axes = _axes(axis, x.ndim)
    magnitude = jnp.abs(x)
    if order == 2:
        norm = jnp.sqrt(jnp.sum(jnp.square(magnitude), axis=axes, keepdims=True))
    elif order == 1:
        norm = jnp.sum(magnitude, axis=axes, keepdims=True)
    elif order in (jnp.inf, "inf"):
        norm = jnp.max(magnitude, axis=axes, keepdims=True)
    else:
        norm = jnp.sum(magnitude**order, axis=axes, keepdims=True) ** (1.0 / order)
    return x / jnp.maximum(norm, epsilon)


@op
def one_hot(
    x: Any, num_classes: int, axis: int = -1, dtype: Any = None, sparse: bool = False
) -> jax.Array:
    """Integer labels as one-hot vectors along ``axis`` (out-of-range: all zeros)."""
    if sparse:
        raise ValueError("one_hot: kerax has no sparse tensors (sparse=True).")
    x = tensor(x)
    return jax.nn.one_hot(x, num_classes, dtype=dtype_or_floatx(dtype), axis=axis)


@op
def multi_hot(
    inputs: Any,
    num_classes: int | None = None,
    axis: int = -1,
    dtype: Any = None,
    sparse: bool = False,
    **kwargs: Any,
) -> jax.Array:
    """Per example (rows of a 2-D input), 1 for each class among its labels.

    ``axis`` places the class axis as in ``one_hot``.
    """
    if "num_tokens" in kwargs:
        num_classes = kwargs.pop("num_tokens")
    if kwargs:
        raise TypeError(f"multi_hot got unexpected arguments {list(kwargs)}.")
    if num_classes is None:
        raise ValueError("multi_hot: `num_classes` is required.")
    if sparse:
        raise ValueError("multi_hot: kerax has no sparse tensors (sparse=True).")
    x = tensor(inputs)
    encoded = jax.nn.one_hot(x, num_classes, dtype=dtype_or_floatx(dtype), axis=axis)
    # Labels of an example collapse along the axis after the batch axis.
    return jnp.max(encoded, axis=1 if x.ndim > 1 else 0)


@op
def psnr(x1: Any, x2: Any, max_val: Any) -> jax.Array:
    """Peak signal-to-noise ratio in dB: ``20 log10(max_val) - 10 log10(mse)``."""
    x1, x2 = float_tensor(x1), float_tensor(x2)
    if x1.shape != x2.shape:
        raise ValueError(
            f"psnr expects inputs of the same shape, received {x1.shape} and "
            f"{x2.shape}."
        )
    mse = jnp.mean(jnp.square(x1 - x2))
    return 20.0 * jnp.log10(max_val) - 10.0 * jnp.log10(mse)
