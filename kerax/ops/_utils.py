"""Helpers shared by the op modules: input conversion, dtypes and broadcasting."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import config
from kerax.backend.dtypes import standardize_dtype
from kerax.backend.tensors import convert_to_tensor

_PY_SCALARS = (bool, int, float, complex)


def tensor(x: Any, dtype: Any = None) -> jax.Array:
    """``x`` as a JAX array with Keras's default dtypes (lists, numpy, scalars)."""
    return convert_to_tensor(x, dtype)


def operand(x: Any) -> Any:
    """Like ``tensor`` but Python scalars stay weakly typed, as Keras treats them."""
    if isinstance(x, _PY_SCALARS) and not hasattr(x, "dtype"):
        return x
    return convert_to_tensor(x)


def match_ranks(*xs: Any) -> list[Any]:
    """Give array operands the same rank by adding leading unit axes.

    NumPy broadcasting semantics, written out so that ops also work under
    ``jax_numpy_rank_promotion='raise'``. Scalars are left alone.
    """
    ranks = [jnp.ndim(x) for x in xs]
    rank = max(ranks, default=0)
    out = []
    for x, r in zip(xs, ranks):
        if 0 < r < rank:
            x = jnp.reshape(x, (1,) * (rank - r) + tuple(jnp.shape(x)))
        out.append(x)
    return out


def binary_operands(x1: Any, x2: Any) -> list[Any]:
    """Convert two operands (scalars stay weak) and match their ranks."""
    return match_ranks(operand(x1), operand(x2))


def is_float(dtype: Any) -> bool:
    return jnp.issubdtype(jnp.dtype(dtype), jnp.inexact)


def to_float(x: jax.Array) -> jax.Array:
    """Cast integer and bool arrays to floatx; float arrays are unchanged."""
    if is_float(x.dtype):
        return x
    return x.astype(config.floatx())


def float_tensor(x: Any) -> jax.Array:
    """``x`` as a floating point array (floatx unless already float)."""
    return to_float(tensor(x))


def dtype_or_floatx(dtype: Any) -> str:
    """``dtype`` as a name; ``None`` means floatx."""
    return standardize_dtype(dtype)


def axis_arg(axis: Any) -> Any:
    """Lists of axes become tuples (what jax.numpy expects)."""
    if isinstance(axis, list):
        return tuple(axis)
    return axis


def sum_dtype(dtype: Any) -> Any:
    """Accumulator dtype for sums/products: small ints widen like Keras."""
    dtype = jnp.dtype(dtype)
    if dtype == jnp.bool_ or dtype in (jnp.int8, jnp.int16):
        return jnp.int32
    if dtype in (jnp.uint8, jnp.uint16):
        return jnp.uint32
    return None


def canonical_axis(axis: int, ndim: int, name: str = "axis") -> int:
    """A non-negative axis index, with a clear error when out of range."""
    if not -ndim <= axis < max(ndim, 1):
        raise ValueError(
            f"`{name}` must be in [-{ndim}, {ndim}) for an input of rank {ndim}, "
            f"received {name}={axis}."
        )
    return axis % max(ndim, 1)
