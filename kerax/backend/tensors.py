"""Converting user values (lists, numpy, Variables) into JAX arrays."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerax.backend.dtypes import standardize_dtype


def _default_dtype(value: Any) -> str | None:
    """Pick Keras's default dtype for Python and numpy values."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int32"
    if isinstance(value, float):
        return standardize_dtype(None)
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        return standardize_dtype(None)
    if isinstance(value, np.ndarray) and value.dtype == np.int64:
        return "int32"
    if isinstance(value, (list, tuple)):
        array = np.asarray(value)
        if array.dtype == np.float64:
            return standardize_dtype(None)
        if array.dtype == np.int64:
            return "int32"
    return None


def convert_to_tensor(value: Any, dtype: Any = None) -> jax.Array:
    """Return ``value`` as a JAX array (Variables and tape tensors unwrap)."""
    unwrap = getattr(value, "__kerax_value__", None)
    if unwrap is not None:
        value = unwrap()
    if dtype is None:
        dtype = _default_dtype(value)
    else:
        dtype = standardize_dtype(dtype)
    if isinstance(value, jax.Array) and (dtype is None or value.dtype == dtype):
        return value
    return jnp.asarray(value, dtype=dtype)


def convert_to_numpy(value: Any) -> np.ndarray:
    """Return ``value`` as a numpy array."""
    unwrap = getattr(value, "__kerax_value__", None)
    if unwrap is not None:
        value = unwrap()
    return np.asarray(value)


def is_tensor(value: Any) -> bool:
    """True for JAX arrays and kerax tape tensors."""
    return isinstance(value, jax.Array) or hasattr(value, "__kerax_value__")


def _install_numpy_method() -> None:
    """Give JAX arrays a ``numpy()`` method, as TensorFlow tensors have.

    Purely additive: kerax users write ``model(x).numpy()`` as they would in
    TensorFlow. Nothing else about JAX arrays changes.
    """
    from jax._src.array import ArrayImpl as array_type  # starts no backend

    if not hasattr(array_type, "numpy"):
        array_type.numpy = lambda self: np.asarray(self)  # type: ignore[attr-defined]


_install_numpy_method()
