"""Reductions, statistics and cumulative functions (``keras.ops.numpy``)."""

from __future__ import annotations

import builtins
import functools
from typing import Any

import jax
import jax.numpy as jnp

from kerax import config
from kerax.autodiff.recording import op
from kerax.backend.dtypes import standardize_dtype
from kerax.ops._utils import (
    axis_arg,
    float_tensor,
    is_float,
    sum_dtype,
    tensor,
    to_float,
)


def _float_stat(fn: Any, x: Any, **kwargs: Any) -> jax.Array:
    """Apply a float statistic; 16-bit floats are computed in float32."""
    x = float_tensor(x)
    if x.dtype in (jnp.float16, jnp.bfloat16):
        return fn(x.astype("float32"), **kwargs).astype(x.dtype)
    return fn(x, **kwargs)


# -- boolean reductions ----------------------------------------------------------


@op
def all(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:  # noqa: A001
    """True where every element along ``axis`` is truthy."""
    return jnp.all(tensor(x), axis=axis_arg(axis), keepdims=keepdims)


@op
def any(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:  # noqa: A001
    """True where some element along ``axis`` is truthy."""
    return jnp.any(tensor(x), axis=axis_arg(axis), keepdims=keepdims)


@op
def count_nonzero(x: Any, axis: Any = None) -> jax.Array:
    """Number of non-zero elements along ``axis`` (int32)."""
    return jnp.count_nonzero(tensor(x), axis=axis_arg(axis)).astype("int32")


# -- extrema ------------------------------------------------------------------------


@op
def max(  # noqa: A001 - Keras's name
    x: Any, axis: Any = None, keepdims: bool = False, initial: Any = None
) -> jax.Array:
    """Largest element along ``axis`` (``initial`` joins the comparison)."""
    return jnp.max(tensor(x), axis=axis_arg(axis), keepdims=keepdims, initial=initial)


@op
def min(  # noqa: A001 - Keras's name
    x: Any, axis: Any = None, keepdims: bool = False, initial: Any = None
) -> jax.Array:
    """Smallest element along ``axis`` (``initial`` joins the comparison)."""
    return jnp.min(tensor(x), axis=axis_arg(axis), keepdims=keepdims, initial=initial)


@op
def amax(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Largest element along ``axis``."""
    return jnp.max(tensor(x), axis=axis_arg(axis), keepdims=keepdims)


@op
def amin(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Smallest element along ``axis``."""
    return jnp.min(tensor(x), axis=axis_arg(axis), keepdims=keepdims)


@op
def argmax(x: Any, axis: int | None = None, keepdims: bool = False) -> jax.Array:
    """Index of the largest element along ``axis`` (flattened if ``None``)."""
    out = jnp.argmax(tensor(x), axis=axis, keepdims=keepdims)
    return out.astype("int32")


@op
def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> jax.Array:
    """Index of the smallest element along ``axis`` (flattened if ``None``)."""
    out = jnp.argmin(tensor(x), axis=axis, keepdims=keepdims)
    return out.astype("int32")


@op
def ptp(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Range (maximum minus minimum) along ``axis``."""
    x = tensor(x)
    if x.dtype == jnp.bool_:
        raise TypeError("ptp does not accept bool input; cast it to a number first.")
    return jnp.ptp(x, axis=axis_arg(axis), keepdims=keepdims)


# -- sums and products ---------------------------------------------------------------


@op
def sum(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:  # noqa: A001
    """Sum along ``axis`` (bool and small ints accumulate in 32 bits)."""
    x = tensor(x)
    return jnp.sum(x, axis=axis_arg(axis), keepdims=keepdims, dtype=sum_dtype(x.dtype))


@op
def prod(
    x: Any, axis: Any = None, keepdims: bool = False, dtype: Any = None
) -> jax.Array:
    """Product along ``axis``."""
    x = tensor(x)
    dtype = sum_dtype(x.dtype) if dtype is None else standardize_dtype(dtype)
    return jnp.prod(x, axis=axis_arg(axis), keepdims=keepdims, dtype=dtype)


def _cumulative_dtype(x: jax.Array, dtype: Any) -> Any:
    if dtype is not None:
        return standardize_dtype(dtype)
    return "int32" if x.dtype == jnp.bool_ else None


@op
def cumsum(x: Any, axis: int | None = None, dtype: Any = None) -> jax.Array:
    """Cumulative sum along ``axis`` (over the flattened input if ``None``)."""
    x = tensor(x)
    return jnp.cumsum(x, axis=axis, dtype=_cumulative_dtype(x, dtype))


@op
def cumprod(x: Any, axis: int | None = None, dtype: Any = None) -> jax.Array:
    """Cumulative product along ``axis`` (over the flattened input if ``None``)."""
    x = tensor(x)
    return jnp.cumprod(x, axis=axis, dtype=_cumulative_dtype(x, dtype))


# -- statistics -------------------------------------------------------------------------


@op
def mean(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Arithmetic mean along ``axis`` (integers give floats)."""
    return _float_stat(jnp.mean, x, axis=axis_arg(axis), keepdims=keepdims)


@op
def var(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Population variance along ``axis``."""
    return _float_stat(jnp.var, x, axis=axis_arg(axis), keepdims=keepdims)


@op
def std(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Population standard deviation along ``axis``."""
    return _float_stat(jnp.std, x, axis=axis_arg(axis), keepdims=keepdims)


@op
def median(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Median along ``axis``."""
    return _float_stat(jnp.median, x, axis=axis_arg(axis), keepdims=keepdims)


@op
def average(x: Any, axis: int | None = None, weights: Any = None) -> jax.Array:
    """Weighted mean along ``axis`` (``weights`` may be 1-D along ``axis``)."""
    x = tensor(x)
    if weights is None:
        return jnp.average(to_float(x), axis=axis)
    weights = tensor(weights)
    dtype = jnp.result_type(x.dtype, weights.dtype)
    dtype = dtype if is_float(dtype) else config.floatx()
    return jnp.average(x.astype(dtype), axis=axis, weights=weights.astype(dtype))


@op
def quantile(
    x: Any, q: Any, axis: Any = None, method: str = "linear", keepdims: bool = False
) -> jax.Array:
    """The ``q``-th quantiles (``q`` in [0, 1]) along ``axis``."""
    q = float_tensor(q)
    return _float_stat(
        jnp.quantile, x, q=q, axis=axis_arg(axis), method=method, keepdims=keepdims
    )


@op
def percentile(
    x: Any, q: Any, axis: Any = None, method: str = "linear", keepdims: bool = False
) -> jax.Array:
    """The ``q``-th percentiles (``q`` in [0, 100]) along ``axis``."""
    q = float_tensor(q)
    return _float_stat(
        jnp.percentile, x, q=q, axis=axis_arg(axis), method=method, keepdims=keepdims
    )


@op
def histogram(x: Any, bins: int = 10, range: Any = None) -> tuple[jax.Array, ...]:  # noqa: A002
    """Counts of a 1-D input in ``bins`` equal bins, and the bin edges."""
    x = float_tensor(x)
    if x.ndim != 1:
        raise ValueError(f"histogram expects a 1-D input, received shape {x.shape}.")
    if not isinstance(bins, int) or bins < 1:
        raise ValueError(f"`bins` must be a positive int, received bins={bins!r}.")
    if range is not None:
        range = (float(range[0]), float(range[1]))
    return _histogram(x, bins, range)


@functools.partial(jax.jit, static_argnums=(1, 2))
def _histogram(x: jax.Array, bins: int, value_range: Any) -> tuple[jax.Array, ...]:
    counts, edges = jnp.histogram(x, bins=bins, range=value_range)
    return counts.astype(x.dtype), edges.astype(x.dtype)


@op
def bincount(
    x: Any, weights: Any = None, minlength: int = 0, sparse: bool = False
) -> jax.Array:
    """Count occurrences of each non-negative int (per row for 2-D input)."""
    if sparse:
        raise ValueError("bincount does not support sparse=True in kerax.")
    x = tensor(x)
    if x.ndim not in (1, 2):
        raise ValueError(f"bincount expects a 1-D or 2-D input, received {x.shape}.")
    if isinstance(x, jax.core.Tracer):
        if minlength <= 0:
            raise ValueError(
                "bincount inside jit needs `minlength` (at least the largest value "
                "plus one): the output length cannot depend on traced values."
            )
        length = minlength
    else:
        length = builtins.max(int(jnp.max(x)) + 1 if x.size else 0, minlength)
    if weights is None:
        dtype = "int32"
        weights = jnp.ones(x.shape, dtype)
    else:
        weights = tensor(weights)
        dtype = weights.dtype

    def count(ids: jax.Array, w: jax.Array) -> jax.Array:
        return jnp.zeros((length,), dtype).at[ids].add(w.astype(dtype))

    if x.ndim == 2:
        return jax.vmap(count)(x, jnp.broadcast_to(weights, x.shape))
    return count(x, weights)


# -- NaN-ignoring variants --------------------------------------------------------------


@op
def nansum(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Sum treating NaN as zero."""
    x = tensor(x)
    dtype = sum_dtype(x.dtype)
    return jnp.nansum(x, axis=axis_arg(axis), keepdims=keepdims, dtype=dtype)


@op
def nanprod(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Product treating NaN as one."""
    x = tensor(x)
    dtype = sum_dtype(x.dtype)
    return jnp.nanprod(x, axis=axis_arg(axis), keepdims=keepdims, dtype=dtype)


@op
def nancumsum(x: Any, axis: int | None = None, dtype: Any = None) -> jax.Array:
    """Cumulative sum treating NaN as zero."""
    x = tensor(x)
    return jnp.nancumsum(x, axis=axis, dtype=_cumulative_dtype(x, dtype))


@op
def nancumprod(x: Any, axis: int | None = None, dtype: Any = None) -> jax.Array:
    """Cumulative product treating NaN as one."""
    x = tensor(x)
    return jnp.nancumprod(x, axis=axis, dtype=_cumulative_dtype(x, dtype))


@op
def nanmax(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Largest element ignoring NaN."""
    return jnp.nanmax(tensor(x), axis=axis_arg(axis), keepdims=keepdims)


@op
def nanmin(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Smallest element ignoring NaN."""
    return jnp.nanmin(tensor(x), axis=axis_arg(axis), keepdims=keepdims)


@op
def nanargmax(x: Any, axis: int | None = None, keepdims: bool = False) -> jax.Array:
    """Index of the largest element ignoring NaN."""
    out = jnp.nanargmax(tensor(x), axis=axis, keepdims=keepdims)
    return out.astype("int32")


@op
def nanargmin(x: Any, axis: int | None = None, keepdims: bool = False) -> jax.Array:
    """Index of the smallest element ignoring NaN."""
    out = jnp.nanargmin(tensor(x), axis=axis, keepdims=keepdims)
    return out.astype("int32")


@op
def nanmean(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Mean ignoring NaN."""
    return _float_stat(jnp.nanmean, x, axis=axis_arg(axis), keepdims=keepdims)


@op
def nanvar(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Variance ignoring NaN."""
    return _float_stat(jnp.nanvar, x, axis=axis_arg(axis), keepdims=keepdims)


@op
def nanstd(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Standard deviation ignoring NaN."""
    return _float_stat(jnp.nanstd, x, axis=axis_arg(axis), keepdims=keepdims)


@op
def nanmedian(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """Median ignoring NaN."""
    return _float_stat(jnp.nanmedian, x, axis=axis_arg(axis), keepdims=keepdims)


@op
def nanquantile(
    x: Any, q: Any, axis: Any = None, method: str = "linear", keepdims: bool = False
) -> jax.Array:
    """Quantiles ignoring NaN."""
    q = float_tensor(q)
    return _float_stat(
        jnp.nanquantile, x, q=q, axis=axis_arg(axis), method=method, keepdims=keepdims
    )


@op
def nanpercentile(
    x: Any, q: Any, axis: Any = None, method: str = "linear", keepdims: bool = False
) -> jax.Array:
    """Percentiles ignoring NaN."""
    q = float_tensor(q)
    return _float_stat(
        jnp.nanpercentile,
        x,
        q=q,
        axis=axis_arg(axis),
        method=method,
        keepdims=keepdims,
    )
