"""Core ops: conversion, dtypes, control flow, scatter/slice and indexing."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerax.autodiff.recording import op
from kerax.backend import tensors
from kerax.backend.dtypes import standardize_dtype
from kerax.backend.keras_tensor import KerasTensor
from kerax.ops._utils import tensor

__all__ = [
    "associative_scan",
    "cast",
    "cond",
    "convert_to_numpy",
    "convert_to_tensor",
    "custom_gradient",
    "dtype",
    "fori_loop",
    "get_item",
    "is_tensor",
    "map",
    "ndim",
    "saturate_cast",
    "scan",
    "scatter",
    "scatter_update",
    "shape",
    "size",
    "slice",
    "slice_update",
    "stop_gradient",
    "switch",
    "unstack",
    "vectorized_map",
    "while_loop",
]


# -- conversion and metadata (not recorded: no array result to differentiate) ----


def convert_to_tensor(
    x: Any, dtype: Any = None, sparse: bool | None = None, ragged: bool | None = None
) -> Any:
    """``x`` as a ``jax.Array`` (Variables and tape tensors are unwrapped).

    Symbolic ``KerasTensor`` inputs are returned as they are.
    """
    if sparse:
        raise ValueError(
            "convert_to_tensor: kerax has no sparse tensors (sparse=True)."
        )
    if ragged:
        raise ValueError(
            "convert_to_tensor: kerax has no ragged tensors (ragged=True)."
        )
    if isinstance(x, KerasTensor):
        return x if dtype is None else cast(x, dtype)
    return tensors.convert_to_tensor(x, dtype)


def convert_to_numpy(x: Any) -> np.ndarray:
    """``x`` as a numpy array."""
    return tensors.convert_to_numpy(x)


def is_tensor(x: Any) -> bool:
    """True for JAX arrays and kerax tensors."""
    return tensors.is_tensor(x)


def _value(x: Any) -> Any:
    unwrap = getattr(x, "__kerax_value__", None)
    return x if unwrap is None else unwrap()


def shape(x: Any) -> tuple[Any, ...]:
    """The shape of ``x`` as a tuple (``None`` for unknown symbolic sizes)."""
    if isinstance(x, KerasTensor):
        return x.shape
    return tuple(jnp.shape(_value(x)))


def dtype(x: Any) -> str:
    """The dtype name of ``x``, e.g. ``"float32"``."""
    if isinstance(x, KerasTensor):
        return x.dtype
    return standardize_dtype(tensor(x).dtype)


def ndim(x: Any) -> int:
    """The number of axes of ``x``."""
    return len(shape(x))


def size(x: Any) -> Any:
    """The number of elements of ``x``."""
    return int(np.prod(shape(x), dtype=np.int64))


# -- casting ------------------------------------------------------------------------


@op
def cast(x: Any, dtype: Any) -> jax.Array:
    """``x`` converted to ``dtype``."""
    return tensor(x).astype(standardize_dtype(dtype))


def _limits(dtype: Any) -> tuple[Any, Any]:
    if jnp.issubdtype(dtype, jnp.integer):
        info = jnp.iinfo(dtype)
    else:
        info = jnp.finfo(dtype)
    return info.min, info.max


@op
def saturate_cast(x: Any, dtype: Any) -> jax.Array:
    """Cast to ``dtype``, clipping values to its range first instead of wrapping."""
    x = tensor(x)
    target = jnp.dtype(standardize_dtype(dtype))
    if x.dtype == jnp.bool_ or target == jnp.bool_:
        return x.astype(target)
    low_in, high_in = _limits(x.dtype)
    low_out, high_out = _limits(target)
    low = builtins.max(float(low_in), float(low_out))
    high = builtins.min(float(high_in), float(high_out))
    if jnp.issubdtype(x.dtype, jnp.integer):
        clipped = jnp.clip(x, int(low), int(high))
    else:
        # The bounds rounded to x's precision may lie outside the target's range:
        # step them inward to the nearest value of x's dtype that fits.
        low_x = jnp.asarray(low, x.dtype)
        high_x = jnp.asarray(high, x.dtype)
        low_x = jnp.where(low_x < low, jnp.nextafter(low_x, 0), low_x)
        high_x = jnp.where(high_x > high, jnp.nextafter(high_x, 0), high_x)
        clipped = jnp.clip(x, low_x, high_x)
    return clipped.astype(target)


@op
def stop_gradient(variable: Any) -> jax.Array:
    """The value of ``variable`` with no gradient flowing back through it."""
    return jax.lax.stop_gradient(tensor(variable))


# -- control flow -----------------------------------------------------------------


def _concrete(x: Any) -> Any:
    """The Python value of a concrete scalar, or ``None`` while tracing."""
    value = _value(x)
    if isinstance(value, jax.core.Tracer):
        return None
    return np.asarray(value).item()


@op
def _traced_cond(pred: Any, true_fn: Callable, false_fn: Callable) -> Any:
    return jax.lax.cond(pred, true_fn, false_fn)


def cond(pred: Any, true_fn: Callable[[], Any], false_fn: Callable[[], Any]) -> Any:
    """``true_fn()`` if ``pred`` else ``false_fn()``.

    With a concrete ``pred`` only the chosen branch runs (so a GradientTape
    records its ops); while tracing, both branches are compiled (``lax.cond``).
    """
    if not isinstance(pred, KerasTensor):
        flag = _concrete(pred)
        if flag is not None:
            return true_fn() if flag else false_fn()
    return _traced_cond(pred, true_fn, false_fn)


@op
def _traced_switch(index: Any, branches: Any, *operands: Any) -> Any:
    return jax.lax.switch(index, branches, *operands)


def switch(index: Any, branches: list[Callable[..., Any]], *operands: Any) -> Any:
    """Call ``branches[index](*operands)`` (``index`` is clamped to the range)."""
    if not branches:
        raise ValueError("switch: `branches` must hold at least one function.")
    if not isinstance(index, KerasTensor):
        position = _concrete(index)
        if position is not None:
            position = builtins.min(builtins.max(int(position), 0), len(branches) - 1)
            return branches[position](*operands)
    return _traced_switch(index, list(branches), *operands)


@op
def scan(
    f: Callable[[Any, Any], tuple[Any, Any]],
    init: Any,
    xs: Any = None,
    length: int | None = None,
    reverse: bool = False,
    unroll: Any = 1,
) -> tuple[Any, Any]:
    """Loop ``carry, y = f(carry, x)`` over the leading axis of ``xs``.

    Returns the final carry and the stacked ``y`` values.
    """
    return jax.lax.scan(f, init, xs=xs, length=length, reverse=reverse, unroll=unroll)


@op
def associative_scan(
    f: Callable[[Any, Any], Any], elems: Any, reverse: bool = False, axis: int = 0
) -> Any:
    """Prefix scan with an associative binary ``f`` (parallel, log depth)."""
    return jax.lax.associative_scan(f, elems, reverse=reverse, axis=axis)


@op
def fori_loop(lower: Any, upper: Any, body_fun: Callable, init_val: Any) -> Any:
    """``val = body_fun(i, val)`` for ``i`` in ``range(lower, upper)``."""
    return jax.lax.fori_loop(lower, upper, body_fun, init_val)


@op
def while_loop(
    cond: Callable[..., Any],
    body: Callable[..., Any],
    loop_vars: Any,
    maximum_iterations: int | None = None,
) -> Any:
    """Repeat ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)`` holds.

    A tuple or list of ``loop_vars`` is unpacked into the calls and a tuple is
    returned; any other structure is passed as one argument.
    """
    is_sequence = isinstance(loop_vars, (tuple, list))
    state = tuple(loop_vars) if is_sequence else (loop_vars,)

    def call(fn: Callable, values: tuple) -> Any:
        return fn(*values) if is_sequence else fn(values[0])

    def as_state(values: Any) -> tuple:
        return tuple(values) if is_sequence else (values,)

    if maximum_iterations is None:
        out = jax.lax.while_loop(
            lambda s: call(cond, s), lambda s: as_state(call(body, s)), state
        )
    else:
        _, out = jax.lax.while_loop(
            lambda c: jnp.logical_and(c[0] < maximum_iterations, call(cond, c[1])),
            lambda c: (c[0] + 1, as_state(call(body, c[1]))),
            (0, state),
        )
    return out if is_sequence else out[0]


@op
def map(f: Callable[[Any], Any], xs: Any) -> Any:  # noqa: A001 - Keras's name
    """Apply ``f`` to each slice of ``xs`` along its leading axis and stack."""
    return jax.lax.map(f, xs)


@op
def vectorized_map(function: Callable[[Any], Any], elements: Any) -> Any:
    """Apply ``function`` to each slice of ``elements`` (vectorized with vmap)."""
    return jax.vmap(function)(elements)


def custom_gradient(f: Callable[..., tuple[Any, Callable]]) -> Callable[..., Any]:
    """Give ``f`` a hand-written gradient.

    ``f(*args)`` returns ``(output, grad_fn)``; ``grad_fn(upstream)`` returns
    the gradient for each argument (one value, or a tuple for several).
    """

    def forward(*args: Any) -> tuple[Any, Callable]:
        output, grad_fn = f(*args)

        def backward(upstream: Any) -> tuple[Any, ...]:
            grads = grad_fn(upstream)
            if len(args) == 1 and not isinstance(grads, (tuple, list)):
                grads = (grads,)
            return tuple(grads)

        return output, backward

    return op(jax.custom_gradient(forward))


# -- slicing, scattering, indexing ------------------------------------------------------


def _index_tuple(indices: jax.Array) -> tuple[jax.Array, ...]:
    return tuple(jnp.moveaxis(indices, -1, 0))


@op
def slice(inputs: Any, start_indices: Any, shape: Any) -> jax.Array:  # noqa: A001
    """The block of ``inputs`` of size ``shape`` starting at ``start_indices``."""
    inputs = tensor(inputs)
    return jax.lax.dynamic_slice(inputs, tuple(start_indices), tuple(shape))


@op
def slice_update(inputs: Any, start_indices: Any, updates: Any) -> jax.Array:
    """``inputs`` with the block at ``start_indices`` replaced by ``updates``."""
    inputs = tensor(inputs)
    updates = tensor(updates).astype(inputs.dtype)
    return jax.lax.dynamic_update_slice(inputs, updates, tuple(start_indices))


@op
def scatter(indices: Any, values: Any, shape: Any) -> jax.Array:
    """Zeros of ``shape`` with ``values`` added at ``indices`` (``(N, k)`` ints)."""
    indices = tensor(indices)
    values = tensor(values)
    zeros = jnp.zeros(tuple(shape), values.dtype)
    return zeros.at[_index_tuple(indices)].add(values)


_REDUCTIONS = (None, "add", "max", "min", "mul")


@op
def scatter_update(
    inputs: Any, indices: Any, updates: Any, reduction: str | None = None
) -> jax.Array:
    """``inputs`` with ``updates`` written at ``indices`` (``(N, k)`` ints).

    ``reduction`` combines an update with the existing value: ``None``
    (replace), ``"add"``, ``"max"``, ``"min"`` or ``"mul"``.
    """
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"scatter_update: unknown reduction {reduction!r}. Expected one of "
            f"{list(_REDUCTIONS)}."
        )
    inputs = tensor(inputs)
    updates = tensor(updates).astype(inputs.dtype)
    at = inputs.at[_index_tuple(tensor(indices))]
    if reduction is None:
        return at.set(updates)
    return getattr(at, {"mul": "multiply"}.get(reduction, reduction))(updates)


@op
def unstack(x: Any, num: int | None = None, axis: int = 0) -> list[jax.Array]:
    """Split ``x`` along ``axis`` into a list of arrays without that axis."""
    x = tensor(x)
    if num is not None and num != x.shape[axis]:
        raise ValueError(
            f"unstack: `num`={num} does not match axis {axis} of size {x.shape[axis]}."
        )
    return [jnp.take(x, i, axis=axis) for i in range(x.shape[axis])]


@op
def get_item(x: Any, key: Any) -> jax.Array:
    """``x[key]`` with NumPy indexing (ints, slices, None, Ellipsis, arrays)."""
    return tensor(x)[key]
