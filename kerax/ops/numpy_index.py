"""Indexing, selection, sorting and searching (``keras.ops.numpy``)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax.autodiff.recording import op
from kerax.ops._utils import match_ranks, operand, sum_dtype, tensor


def _int_indices(indices: Any, name: str = "indices") -> jax.Array:
    indices = tensor(indices)
    if not jnp.issubdtype(indices.dtype, jnp.integer):
        raise ValueError(
            f"`{name}` must have an integer dtype, received {indices.dtype}."
        )
    return indices


@op
def take(x: Any, indices: Any, axis: int | None = None) -> jax.Array:
    """Elements of ``x`` at ``indices`` along ``axis`` (flattened if ``None``).

    Negative indices count from the end; out-of-range indices give NaN for
    floats (a fill value), as in Keras on JAX.
    """
    x = tensor(x)
    indices = _int_indices(indices)
    size = x.size if axis is None else x.shape[axis]
    indices = jnp.where(indices < 0, indices + size, indices)
    return jnp.take(x, indices, axis=axis, mode="fill")


@op
def take_along_axis(x: Any, indices: Any, axis: int | None = None) -> jax.Array:
    """Pick values of ``x`` by ``indices`` that match it along ``axis``."""
    x = tensor(x)
    indices = _int_indices(indices)
    if axis is None:
        x = jnp.ravel(x)
        axis = 0
    size = x.shape[axis]
    indices = jnp.where(indices < 0, indices + size, indices)
    if indices.ndim == x.ndim:
        # Broadcast every axis but ``axis`` (NumPy's rule for take_along_axis).
        axis = axis % x.ndim
        x_shape, i_shape = list(x.shape), list(indices.shape)
        x_shape[axis] = i_shape[axis] = 1
        common = list(jnp.broadcast_shapes(tuple(x_shape), tuple(i_shape)))
        x = jnp.broadcast_to(
            x, tuple(common[:axis] + [x.shape[axis]] + common[axis + 1 :])
        )
        indices = jnp.broadcast_to(
            indices, tuple(common[:axis] + [indices.shape[axis]] + common[axis + 1 :])
        )
    return jnp.take_along_axis(x, indices, axis=axis, mode="fill")


@op
def where(condition: Any, x1: Any = None, x2: Any = None) -> Any:
    """``x1`` where ``condition`` holds, else ``x2``; with only ``condition``,
    the indices of its true elements (like ``nonzero``)."""
    condition = tensor(condition)
    if x1 is None and x2 is None:
        return tuple(i.astype("int32") for i in jnp.nonzero(condition))
    if x1 is None or x2 is None:
        raise ValueError("where: give both `x1` and `x2`, or neither.")
    condition, x1, x2 = match_ranks(condition, operand(x1), operand(x2))
    return jnp.where(condition, x1, x2)


@op
def select(condlist: Any, choicelist: Any, default: Any = 0) -> jax.Array:
    """Per element, the choice of the first condition that holds, else ``default``."""
    conditions = [tensor(c) for c in condlist]
    choices = [tensor(c) for c in choicelist]
    if len(conditions) != len(choices):
        raise ValueError(
            f"select: `condlist` and `choicelist` must have the same length, "
            f"received {len(conditions)} and {len(choices)}."
        )
    shape = jnp.broadcast_shapes(*[c.shape for c in conditions + choices])
    conditions = [jnp.broadcast_to(c, shape) for c in conditions]
    choices = [jnp.broadcast_to(c, shape) for c in choices]
    return jnp.select(conditions, choices, default=default)


@op
def nonzero(x: Any) -> tuple[jax.Array, ...]:
    """Indices of the non-zero elements, one int32 array per axis."""
    return tuple(i.astype("int32") for i in jnp.nonzero(tensor(x)))


@op
def searchsorted(sorted_sequence: Any, values: Any, side: str = "left") -> jax.Array:
    """Insertion points of ``values`` into a sorted 1-D sequence."""
    if side not in ("left", "right"):
        raise ValueError(
            f"searchsorted: `side` must be 'left' or 'right', received {side!r}."
        )
    sorted_sequence = tensor(sorted_sequence)
    if sorted_sequence.ndim != 1:
        raise ValueError(
            "searchsorted expects a 1-D `sorted_sequence`, received shape "
            f"{sorted_sequence.shape}."
        )
    out = jnp.searchsorted(sorted_sequence, tensor(values), side=side)
    return out.astype("int32")


@op
def digitize(x: Any, bins: Any) -> jax.Array:
    """Index of the bin each value of ``x`` falls into."""
    return jnp.digitize(tensor(x), tensor(bins)).astype("int32")


@op
def sort(x: Any, axis: int = -1) -> jax.Array:
    """Sorted copy of ``x`` along ``axis``."""
    return jnp.sort(tensor(x), axis=axis)


@op
def argsort(x: Any, axis: int = -1) -> jax.Array:
    """Indices that sort ``x`` along ``axis`` (stable)."""
    x = tensor(x)
    if x.ndim == 0:
        return jnp.argsort(x[None])[0].astype("int32")
    return jnp.argsort(x, axis=axis, stable=True).astype("int32")


@op
def argpartition(x: Any, kth: int, axis: int = -1) -> jax.Array:
    """Indices that place the ``kth`` smallest element where a sort would.

    Elements before it are not larger, elements after it are not smaller.
    """
    return jnp.argpartition(tensor(x), kth, axis=axis).astype("int32")


@op
def unique(
    x: Any,
    sorted: bool = True,  # noqa: A002 - Keras's name
    return_index: bool = False,
    return_inverse: bool = False,
    return_counts: bool = False,
    axis: int | None = None,
    size: int | None = None,
    fill_value: Any = None,
) -> Any:
    """Sorted unique elements, optionally with indices, inverse and counts.

    Inside ``jit`` give ``size`` (outputs are padded with ``fill_value``).
    """
    out = jnp.unique(
        tensor(x),
        return_index=return_index,
        return_inverse=return_inverse,
        return_counts=return_counts,
        axis=axis,
        size=size,
        fill_value=fill_value,
    )
    if not isinstance(out, tuple):
        return out
    values, *extra = out
    extra = [e.astype("int32") for e in extra]
    if return_inverse and axis is None:
        position = 1 if return_index else 0
        extra[position] = extra[position].reshape(jnp.shape(x))
    return (values, *extra)


@op
def unravel_index(indices: Any, shape: Any) -> tuple[jax.Array, ...]:
    """Multi-dimensional coordinates of flat ``indices`` into ``shape``."""
    indices = _int_indices(indices)
    return tuple(
        i.astype(indices.dtype) for i in jnp.unravel_index(indices, tuple(shape))
    )


@op
def isin(
    x1: Any, x2: Any, assume_unique: bool = False, invert: bool = False
) -> jax.Array:
    """True where an element of ``x1`` occurs in ``x2``."""
    return jnp.isin(tensor(x1), tensor(x2), assume_unique=assume_unique, invert=invert)


@op
def tril(x: Any, k: int = 0) -> jax.Array:
    """Zero the elements above the ``k``-th diagonal."""
    return jnp.tril(tensor(x), k=k)


@op
def triu(x: Any, k: int = 0) -> jax.Array:
    """Zero the elements below the ``k``-th diagonal."""
    return jnp.triu(tensor(x), k=k)


@op
def diagonal(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> jax.Array:
    """The ``offset`` diagonal of ``x`` over axes ``axis1`` and ``axis2``."""
    return jnp.diagonal(tensor(x), offset=offset, axis1=axis1, axis2=axis2)


@op
def trace(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> jax.Array:
    """Sum of the ``offset`` diagonal over axes ``axis1`` and ``axis2``."""
    x = tensor(x)
    dtype = sum_dtype(x.dtype)
    return jnp.trace(x, offset=offset, axis1=axis1, axis2=axis2, dtype=dtype)
