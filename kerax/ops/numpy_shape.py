"""Shape manipulation: reshape, transpose, join, split, tile, pad, flip."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax.autodiff.recording import op
from kerax.ops._utils import axis_arg, tensor


def _shape_arg(shape: Any) -> Any:
    if isinstance(shape, int):
        return (shape,)
    return tuple(int(d) if d is not None else -1 for d in shape)


@op
def reshape(x: Any, newshape: Any) -> jax.Array:
    """Give ``x`` a new shape with the same number of elements (-1 infers one)."""
    return jnp.reshape(tensor(x), _shape_arg(newshape))


@op
def ravel(x: Any) -> jax.Array:
    """Flatten ``x`` to 1-D."""
    return jnp.ravel(tensor(x))


@op
def transpose(x: Any, axes: Any = None) -> jax.Array:
    """Permute axes (reverse them if ``axes`` is ``None``)."""
    return jnp.transpose(tensor(x), axes=None if axes is None else tuple(axes))


@op
def moveaxis(x: Any, source: Any, destination: Any) -> jax.Array:
    """Move axes ``source`` to positions ``destination``."""
    return jnp.moveaxis(tensor(x), axis_arg(source), axis_arg(destination))


@op
def swapaxes(x: Any, axis1: int, axis2: int) -> jax.Array:
    """Exchange two axes."""
    return jnp.swapaxes(tensor(x), axis1, axis2)


@op
def expand_dims(x: Any, axis: Any) -> jax.Array:
    """Insert size-1 axes at ``axis`` (an int or a tuple)."""
    return jnp.expand_dims(tensor(x), axis_arg(axis))


@op
def squeeze(x: Any, axis: Any = None) -> jax.Array:
    """Remove size-1 axes (all of them if ``axis`` is ``None``)."""
    x = tensor(x)
    axis = axis_arg(axis)
    axes = (axis,) if isinstance(axis, int) else axis or ()
    for a in axes:
        if x.shape[a] != 1:
            raise ValueError(
                f"Cannot squeeze axis {a} of size {x.shape[a]} (shape {x.shape})."
            )
    return jnp.squeeze(x, axis=axis)


@op
def broadcast_to(x: Any, shape: Any) -> jax.Array:
    """Broadcast ``x`` to ``shape`` following NumPy's rules."""
    return jnp.broadcast_to(tensor(x), _shape_arg(shape))


# -- joining ------------------------------------------------------------------------


def _tensors(xs: Any) -> list[jax.Array]:
    return [tensor(x) for x in xs]


@op
def concatenate(xs: Any, axis: int | None = 0) -> jax.Array:
    """Join arrays along an existing axis."""
    return jnp.concatenate(_tensors(xs), axis=axis)


@op
def append(x1: Any, x2: Any, axis: int | None = None) -> jax.Array:
    """Append ``x2`` to ``x1`` along ``axis`` (flattening both if ``None``)."""
    return jnp.append(tensor(x1), tensor(x2), axis=axis)


@op
def stack(x: Any, axis: int = 0) -> jax.Array:
    """Join arrays of one shape along a new axis."""
    return jnp.stack(_tensors(x), axis=axis)


@op
def hstack(xs: Any) -> jax.Array:
    """Join along the second axis (the first for 1-D arrays)."""
    return jnp.hstack(_tensors(xs))


@op
def vstack(xs: Any) -> jax.Array:
    """Join along the first axis, 1-D arrays becoming rows."""
    return jnp.vstack(_tensors(xs))


@op
def dstack(xs: Any) -> jax.Array:
    """Join along the third axis, lifting inputs to 3-D."""
    return jnp.dstack(_tensors(xs))


# -- splitting -----------------------------------------------------------------------


def _sections(indices_or_sections: Any) -> Any:
    if isinstance(indices_or_sections, int):
        return indices_or_sections
    return [int(i) for i in indices_or_sections]


@op
def split(x: Any, indices_or_sections: Any, axis: int = 0) -> list[jax.Array]:
    """Split into equal sections or at the given indices."""
    x = tensor(x)
    sections = _sections(indices_or_sections)
    if isinstance(sections, int) and x.shape[axis] % sections:
        raise ValueError(
            f"split: axis {axis} of size {x.shape[axis]} cannot be divided into "
            f"{sections} equal sections. Use array_split for unequal sections."
        )
    return jnp.split(x, sections, axis=axis)


@op
def array_split(x: Any, indices_or_sections: Any, axis: int = 0) -> list[jax.Array]:
    """Split into sections that may differ in size by one."""
    return jnp.array_split(tensor(x), _sections(indices_or_sections), axis=axis)


@op
def hsplit(x: Any, indices_or_sections: Any) -> list[jax.Array]:
    """Split along the second axis (the first for 1-D arrays)."""
    return jnp.hsplit(tensor(x), _sections(indices_or_sections))


@op
def vsplit(x: Any, indices_or_sections: Any) -> list[jax.Array]:
    """Split along the first axis."""
    return jnp.vsplit(tensor(x), _sections(indices_or_sections))


@op
def dsplit(x: Any, indices_or_sections: Any) -> list[jax.Array]:
    """Split along the third axis."""
    return jnp.dsplit(tensor(x), _sections(indices_or_sections))


# -- repeating, flipping, rolling, padding -----------------------------------------------


@op
def tile(x: Any, repeats: Any) -> jax.Array:
    """Repeat the whole array ``repeats`` times along each axis."""
    return jnp.tile(tensor(x), repeats)


@op
def repeat(x: Any, repeats: Any, axis: int | None = None) -> jax.Array:
    """Repeat each element ``repeats`` times along ``axis``."""
    x = tensor(x)
    if not isinstance(repeats, int):
        repeats = jnp.asarray(tensor(repeats))
        if repeats.ndim == 0:
            repeats = int(repeats)
    return jnp.repeat(x, repeats, axis=axis)


@op
def flip(x: Any, axis: Any = None) -> jax.Array:
    """Reverse the order of elements along ``axis`` (all axes if ``None``)."""
    return jnp.flip(tensor(x), axis=axis_arg(axis))


@op
def fliplr(x: Any) -> jax.Array:
    """Reverse along the second axis."""
    return jnp.fliplr(tensor(x))


@op
def flipud(x: Any) -> jax.Array:
    """Reverse along the first axis."""
    return jnp.flipud(tensor(x))


@op
def roll(x: Any, shift: Any, axis: Any = None) -> jax.Array:
    """Shift elements cyclically along ``axis`` (flattened if ``None``)."""
    return jnp.roll(tensor(x), axis_arg(shift), axis=axis_arg(axis))


@op
def rot90(array: Any, k: int = 1, axes: Any = (0, 1)) -> jax.Array:
    """Rotate by 90 degrees ``k`` times in the plane of ``axes``."""
    array = tensor(array)
    if array.ndim < 2:
        raise ValueError(f"rot90 needs an input of rank >= 2, received {array.shape}.")
    return jnp.rot90(array, k=k, axes=tuple(axes))


_PAD_MODES = (
    "constant",
    "edge",
    "linear_ramp",
    "maximum",
    "mean",
    "median",
    "minimum",
    "reflect",
    "symmetric",
    "wrap",
    "empty",
)


@op
def pad(
    x: Any, pad_width: Any, mode: str = "constant", constant_values: Any = None
) -> jax.Array:
    """Pad ``x`` by ``pad_width`` (per-axis ``(before, after)``) in ``mode``."""
    if mode not in _PAD_MODES:
        raise ValueError(f"pad: unknown mode {mode!r}. Expected one of {_PAD_MODES}.")
    x = tensor(x)
    if isinstance(pad_width, jax.Array):
        pad_width = pad_width.tolist()
    if mode == "constant":
        value = 0 if constant_values is None else constant_values
        return jnp.pad(x, pad_width, mode=mode, constant_values=value)
    if constant_values is not None:
        raise ValueError(
            f"pad: `constant_values` only applies to mode='constant', received "
            f"mode={mode!r} and constant_values={constant_values!r}."
        )
    return jnp.pad(x, pad_width, mode=mode)
