"""Max and average pooling over the spatial axes of ``N + 2``-D arrays.

The general case is ``lax.reduce_window``, as in Keras. Max pooling over
non-overlapping windows (``strides == pool_size`` with 'valid' padding, or
'same' padding that adds nothing) takes a faster route: the input is reshaped
into blocks and reduced with ``max``, and a custom JVP routes each window's
tangent to one element. On XLA:CPU the gradient JAX derives from
``reduce_window`` lowers to index arrays and a scatter; this one is a single
fused select.

Ties: within a window, the gradient goes to the first maximal element in
row-major window order, exactly as the ``reduce_window`` gradient does. A
window whose maximum is NaN passes no gradient (``reduce_window`` picks one
element by its comparison order).
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from kerax.layers.convolutional import conv_utils


def _window(rank: int, data_format: str, sizes: tuple[int, ...]) -> tuple[int, ...]:
    """Per-axis window (or stride) with 1 on the batch and channel axes."""
    if data_format == "channels_last":
        return (1, *sizes, 1)
    return (1, 1, *sizes)


def max_pool(
    x: jax.Array,
    pool_size: tuple[int, ...],
    strides: tuple[int, ...],
    padding: str,
    data_format: str,
) -> jax.Array:
    """Maximum over each window of the spatial axes."""
    rank = len(pool_size)
    axes = conv_utils.spatial_axes(rank, data_format)
    sizes = [x.shape[a] for a in axes]
    blocks = tuple(strides) == tuple(pool_size) and (
        padding == "valid" or all(n % p == 0 for n, p in zip(sizes, pool_size))
    )
    if blocks:
        crop = [slice(None)] * x.ndim
        for axis, pool in zip(axes, pool_size):
            crop[axis] = slice(0, (x.shape[axis] // pool) * pool)
        return _block_max(x[tuple(crop)], tuple(pool_size), tuple(axes))
    return lax.reduce_window(
        x,
        np.array(-np.inf, x.dtype),
        lax.max,
        _window(rank, data_format, pool_size),
        _window(rank, data_format, strides),
        padding.upper(),
    )


def average_pool(
    x: jax.Array,
    pool_size: tuple[int, ...],
    strides: tuple[int, ...],
    padding: str,
    data_format: str,
) -> jax.Array:
    """Mean over each window; with 'same' padding only real elements count."""
    rank = len(pool_size)
    window = _window(rank, data_format, pool_size)
    step = _window(rank, data_format, strides)
    zero = np.zeros((), x.dtype)
    total = lax.reduce_window(x, zero, lax.add, window, step, padding.upper())
    if padding == "valid":
        return total / math.prod(pool_size)
    ones_shape = tuple(n if w > 1 else 1 for n, w in zip(x.shape, window))
    counts = lax.reduce_window(
        jnp.ones(ones_shape, x.dtype), zero, lax.add, window, step, "SAME"
    )
    return total / counts


def _split_shape(
    shape: tuple[int, ...], pool_size: tuple[int, ...], axes: tuple[int, ...]
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Shape with each pooled axis split into (blocks, window), and window axes."""
    split: list[int] = []
    window_axes: list[int] = []
    for axis, size in enumerate(shape):
        if axis in axes:
            pool = pool_size[axes.index(axis)]
            split += [size // pool, pool]
            window_axes.append(len(split) - 1)
        else:
            split.append(size)
    return tuple(split), tuple(window_axes)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1, 2))
def _block_max(
    x: jax.Array, pool_size: tuple[int, ...], axes: tuple[int, ...]
) -> jax.Array:
    split, window_axes = _split_shape(x.shape, pool_size, axes)
    return jnp.max(jnp.reshape(x, split), axis=window_axes)


def _first_max_mask(
    blocks: jax.Array, maxima: jax.Array, window_axes: tuple[int, ...]
) -> jax.Array:
    """True at the first (row-major) element of each window equal to its max."""
    window_shape = [blocks.shape[a] for a in window_axes]
    index_shape = [1] * blocks.ndim
    for axis, size in zip(window_axes, window_shape):
        index_shape[axis] = size
    index = jnp.reshape(
        jnp.arange(math.prod(window_shape), dtype=np.int32), index_shape
    )
    index = jnp.broadcast_to(index, blocks.shape)
    candidates = jnp.where(blocks == maxima, index, math.prod(window_shape))
    first = jnp.min(candidates, axis=window_axes, keepdims=True)
    return index == first


@_block_max.defjvp
def _block_max_jvp(
    pool_size: tuple[int, ...],
    axes: tuple[int, ...],
    primals: tuple[jax.Array],
    tangents: tuple[jax.Array],
) -> tuple[jax.Array, jax.Array]:
    (x,), (dx,) = primals, tangents
    split, window_axes = _split_shape(x.shape, pool_size, axes)
    blocks = jnp.reshape(x, split)
    out = jnp.max(blocks, axis=window_axes)
    mask = _first_max_mask(blocks, jnp.expand_dims(out, window_axes), window_axes)
    selected = jnp.where(mask, jnp.reshape(dx, split), jnp.zeros((), dx.dtype))
    return out, jnp.sum(selected, axis=window_axes)
