"""Array creation: ranges, constants, identity-like matrices and windows."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerax import config
from kerax.autodiff.recording import op
from kerax.backend.dtypes import standardize_dtype
from kerax.ops._utils import dtype_or_floatx, is_float, operand, tensor


def _shape_arg(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, int):
        return (shape,)
    return tuple(int(d) for d in shape)


def _like_dtype(x: jax.Array, dtype: Any) -> Any:
    return x.dtype if dtype is None else standardize_dtype(dtype)


@op
def array(x: Any, dtype: Any = None) -> jax.Array:
    """``x`` as an array (Keras's default dtypes for Python values)."""
    return tensor(x, dtype)


@op
def arange(
    start: Any, stop: Any = None, step: Any = None, dtype: Any = None
) -> jax.Array:
    """Evenly spaced values in ``[start, stop)`` (int32 for int arguments)."""
    if dtype is None:
        # Python numbers are weak: arange(np.int8(0), 10) stays int8.
        values = [v for v in (start, stop, step) if v is not None]
        dtype = jnp.result_type(*values)
        if dtype == jnp.bool_:
            dtype = "int32"
    else:
        dtype = standardize_dtype(dtype)
    if step is None:
        step = 1
    return jnp.arange(start, stop, step, dtype=dtype)


@op
def zeros(shape: Any, dtype: Any = None) -> jax.Array:
    """An array of zeros (floatx by default)."""
    return jnp.zeros(_shape_arg(shape), dtype_or_floatx(dtype))


@op
def ones(shape: Any, dtype: Any = None) -> jax.Array:
    """An array of ones (floatx by default)."""
    return jnp.ones(_shape_arg(shape), dtype_or_floatx(dtype))


@op
def empty(shape: Any, dtype: Any = None) -> jax.Array:
    """An array of the given shape (filled with zeros: JAX has no uninitialized memory)."""
    return jnp.zeros(_shape_arg(shape), dtype_or_floatx(dtype))


@op
def full(shape: Any, fill_value: Any, dtype: Any = None) -> jax.Array:
    """An array filled with ``fill_value`` (floatx by default)."""
    return jnp.full(_shape_arg(shape), tensor(fill_value), dtype_or_floatx(dtype))


@op
def zeros_like(x: Any, dtype: Any = None) -> jax.Array:
    """Zeros with the shape (and by default the dtype) of ``x``."""
    x = tensor(x)
    return jnp.zeros(x.shape, _like_dtype(x, dtype))


@op
def ones_like(x: Any, dtype: Any = None) -> jax.Array:
    """Ones with the shape (and by default the dtype) of ``x``."""
    x = tensor(x)
    return jnp.ones(x.shape, _like_dtype(x, dtype))


@op
def empty_like(x: Any, dtype: Any = None) -> jax.Array:
    """An array with the shape and dtype of ``x`` (zero-filled)."""
    x = tensor(x)
    return jnp.zeros(x.shape, _like_dtype(x, dtype))


@op
def full_like(x: Any, fill_value: Any, dtype: Any = None) -> jax.Array:
    """``fill_value`` with the shape (and by default the dtype) of ``x``."""
    x = tensor(x)
    return jnp.full(x.shape, tensor(fill_value), _like_dtype(x, dtype))


@op
def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> jax.Array:  # noqa: N803
    """A 2-D array with ones on the ``k``-th diagonal."""
    return jnp.eye(N, M, k=k, dtype=dtype_or_floatx(dtype))


@op
def identity(n: int, dtype: Any = None) -> jax.Array:
    """The ``n`` by ``n`` identity matrix."""
    return jnp.eye(n, dtype=dtype_or_floatx(dtype))


@op
def tri(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> jax.Array:  # noqa: N803
    """Ones at and below the ``k``-th diagonal, zeros above."""
    return jnp.tri(N, M, k=k, dtype=dtype_or_floatx(dtype))


@op
def linspace(
    start: Any,
    stop: Any,
    num: int = 50,
    endpoint: bool = True,
    retstep: bool = False,
    dtype: Any = None,
    axis: int = 0,
) -> Any:
    """``num`` evenly spaced samples from ``start`` to ``stop``."""
    return jnp.linspace(
        start,
        stop,
        num,
        endpoint=endpoint,
        retstep=retstep,
        dtype=_space_dtype(start, stop, dtype),
        axis=axis,
    )


def _space_dtype(start: Any, stop: Any, dtype: Any) -> str:
    """``dtype``, or the float type of ``start`` and ``stop`` (floatx for ints)."""
    if dtype is not None:
        return standardize_dtype(dtype)
    found = jnp.result_type(*[operand(v) for v in (start, stop)])
    return found.name if is_float(found) else config.floatx()


@op
def logspace(
    start: Any,
    stop: Any,
    num: int = 50,
    endpoint: bool = True,
    base: Any = 10,
    dtype: Any = None,
    axis: int = 0,
) -> jax.Array:
    """Samples spaced evenly on a log scale: ``base ** linspace(start, stop)``."""
    return jnp.logspace(
        start,
        stop,
        num,
        endpoint=endpoint,
        base=base,
        dtype=_space_dtype(start, stop, dtype),
        axis=axis,
    )


@op
def geomspace(
    start: Any,
    stop: Any,
    num: int = 50,
    endpoint: bool = True,
    dtype: Any = None,
    axis: int = 0,
) -> jax.Array:
    """Samples spaced evenly on a log scale between ``start`` and ``stop``."""
    return jnp.geomspace(
        start,
        stop,
        num,
        endpoint=endpoint,
        dtype=_space_dtype(start, stop, dtype),
        axis=axis,
    )


@op
def meshgrid(*x: Any, indexing: str = "xy") -> list[jax.Array]:
    """Coordinate matrices from coordinate vectors."""
    if indexing not in ("xy", "ij"):
        raise ValueError(
            f"meshgrid: `indexing` must be 'xy' or 'ij', received {indexing!r}."
        )
    return jnp.meshgrid(*[tensor(v) for v in x], indexing=indexing)


@op
def diag(x: Any, k: int = 0) -> jax.Array:
    """Extract the ``k``-th diagonal of a matrix, or build a matrix from a vector."""
    x = tensor(x)
    if x.ndim not in (1, 2):
        raise ValueError(f"diag expects a 1-D or 2-D input, received {x.shape}.")
    return jnp.diag(x, k=k)


@op
def diagflat(x: Any, k: int = 0) -> jax.Array:
    """A matrix with the flattened ``x`` on its ``k``-th diagonal."""
    return jnp.diagflat(tensor(x), k=k)


@op
def vander(x: Any, N: int | None = None, increasing: bool = False) -> jax.Array:  # noqa: N803
    """The Vandermonde matrix of a 1-D input."""
    x = tensor(x)
    if x.ndim != 1:
        raise ValueError(f"vander expects a 1-D input, received shape {x.shape}.")
    return jnp.vander(x, N=N, increasing=increasing)


# -- windows ------------------------------------------------------------------------


def _window_length(x: Any) -> int:
    if isinstance(x, int):
        return x
    return int(np.asarray(tensor(x)))


@op
def bartlett(x: Any) -> jax.Array:
    """The Bartlett (triangular) window of length ``x``."""
    return jnp.bartlett(_window_length(x)).astype(config.floatx())


@op
def blackman(x: Any) -> jax.Array:
    """The Blackman window of length ``x``."""
    return jnp.blackman(_window_length(x)).astype(config.floatx())


@op
def hamming(x: Any) -> jax.Array:
    """The Hamming window of length ``x``."""
    return jnp.hamming(_window_length(x)).astype(config.floatx())


@op
def hanning(x: Any) -> jax.Array:
    """The Hann window of length ``x``."""
    return jnp.hanning(_window_length(x)).astype(config.floatx())


@op
def kaiser(x: Any, beta: Any) -> jax.Array:
    """The Kaiser window of length ``x`` with shape parameter ``beta``."""
    return jnp.kaiser(_window_length(x), beta).astype(config.floatx())
