"""Products and other multi-array arithmetic (``keras.ops.numpy``)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import config
from kerax.autodiff.recording import op
from kerax.backend.dtypes import standardize_dtype
from kerax.ops._utils import float_tensor, is_float, match_ranks, tensor, to_float


def _product_args(*xs: Any) -> tuple[list[jax.Array], Any]:
    """Arrays, and int32 as the result type of int8 by int8 products (Keras's
    quantized matmul rule; other dtypes keep their usual promotion)."""
    arrays = [tensor(x) for x in xs]
    all_int8 = all(a.dtype == jnp.int8 for a in arrays)
    return arrays, jnp.int32 if all_int8 else None


@op
def matmul(x1: Any, x2: Any) -> jax.Array:
    """Matrix product, broadcasting over leading batch axes."""
    (x1, x2), dtype = _product_args(x1, x2)
    return jnp.matmul(x1, x2, preferred_element_type=dtype)


@op
def dot(x1: Any, x2: Any) -> jax.Array:
    """Dot product: matrix product for 2-D, sum over the last axes in general."""
    return jnp.dot(tensor(x1), tensor(x2))


@op
def tensordot(x1: Any, x2: Any, axes: Any = 2) -> jax.Array:
    """Sum products over the given axes of ``x1`` and ``x2``."""
    return jnp.tensordot(tensor(x1), tensor(x2), axes=axes)


@op
def einsum(subscripts: str, *operands: Any, **kwargs: Any) -> jax.Array:
    """Einstein summation over ``operands`` as described by ``subscripts``."""
    arrays, dtype = _product_args(*operands)
    kwargs.setdefault("preferred_element_type", dtype)
    return jnp.einsum(subscripts, *arrays, **kwargs)


@op
def inner(x1: Any, x2: Any) -> jax.Array:
    """Inner product over the last axes."""
    return jnp.inner(tensor(x1), tensor(x2))


@op
def outer(x1: Any, x2: Any) -> jax.Array:
    """Outer product of the flattened inputs."""
    return jnp.outer(tensor(x1), tensor(x2))


@op
def vdot(x1: Any, x2: Any) -> jax.Array:
    """Dot product of the flattened inputs (conjugating the first)."""
    return jnp.vdot(tensor(x1), tensor(x2))


@op
def kron(x1: Any, x2: Any) -> jax.Array:
    """Kronecker product."""
    return jnp.kron(tensor(x1), tensor(x2))


@op
def cross(
    x1: Any,
    x2: Any,
    axisa: int = -1,
    axisb: int = -1,
    axisc: int = -1,
    axis: int | None = None,
) -> jax.Array:
    """Cross product of 2- or 3-element vectors."""
    x1, x2 = tensor(x1), tensor(x2)
    if axis is not None:
        axisa = axisb = axisc = axis
    x1 = jnp.moveaxis(x1, axisa, -1)
    x2 = jnp.moveaxis(x2, axisb, -1)
    x1, x2 = match_ranks(x1, x2)
    return jnp.cross(x1, x2, axisc=axisc)


@op
def correlate(x1: Any, x2: Any, mode: str = "valid") -> jax.Array:
    """Cross-correlation of two 1-D sequences (``mode``: valid, same, full)."""
    if mode not in ("valid", "same", "full"):
        raise ValueError(
            f"correlate: `mode` must be 'valid', 'same' or 'full', received {mode!r}."
        )
    x1, x2 = tensor(x1), tensor(x2)
    dtype = jnp.result_type(x1, x2)
    if not jnp.issubdtype(dtype, jnp.inexact):
        dtype = jnp.result_type(dtype, jnp.float32)
    return jnp.correlate(x1.astype(dtype), x2.astype(dtype), mode=mode)


@op
def corrcoef(x: Any) -> jax.Array:
    """Pearson correlation coefficients of the rows of ``x``."""
    return jnp.corrcoef(float_tensor(x))


@op
def diff(a: Any, n: int = 1, axis: int = -1) -> jax.Array:
    """The ``n``-th discrete difference along ``axis``."""
    return jnp.diff(tensor(a), n=n, axis=axis)


@op
def trapezoid(y: Any, x: Any = None, dx: float = 1.0, axis: int = -1) -> jax.Array:
    """Integral of ``y`` along ``axis`` by the trapezoidal rule."""
    y = tensor(y)
    if x is not None:
        x = tensor(x)
        dtype = jnp.result_type(y.dtype, x.dtype)
        y = y.astype(dtype if is_float(dtype) else config.floatx())
    y = jnp.moveaxis(to_float(y), axis, -1)
    if x is None:
        spacing = jnp.asarray(dx, y.dtype)
    else:
        x = x.astype(y.dtype)
        x = jnp.moveaxis(x, axis, -1) if x.ndim == y.ndim else x
        spacing = jnp.diff(x, axis=-1)
        spacing = spacing.reshape((1,) * (y.ndim - spacing.ndim) + spacing.shape)
    return jnp.sum(spacing * (y[..., 1:] + y[..., :-1]) / 2.0, axis=-1)


@op
def slogdet(x: Any) -> tuple[jax.Array, jax.Array]:
    """Sign and natural log of the absolute determinant."""
    return tuple(jnp.linalg.slogdet(float_tensor(x)))


@op
def view(x: Any, dtype: Any = None) -> jax.Array:
    """The same bits read as another dtype (the last axis rescales if sizes differ)."""
    x = tensor(x)
    if dtype is None:
        return x
    return x.view(standardize_dtype(dtype))


def vectorize(
    pyfunc: Any, *, excluded: Any = None, signature: str | None = None
) -> Any:
    """Turn a function of scalars (or of core shapes given by ``signature``)
    into an op that maps over leading axes, broadcasting its inputs."""
    excluded = set(excluded or ())
    vectorized = jnp.vectorize(pyfunc, excluded=excluded, signature=signature)

    def call(*args: Any, **kwargs: Any) -> Any:
        # vectorize broadcasts loop axes the NumPy way, whatever the JAX setting.
        with jax.numpy_rank_promotion("allow"):
            return vectorized(*args, **kwargs)

    return op(call)
