"""Dtype names as Keras spells them, and their checks."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from kerax import config

_ALIASES = {
    "float": None,  # resolved to floatx at call time
    "double": "float64",
    "half": "float16",
    "int": "int32",
    "bool_": "bool",
}


def standardize_dtype(dtype: Any) -> str:
    """Return the canonical string name of ``dtype`` (``None`` means floatx)."""
    if dtype is None:
        return config.floatx()
    if hasattr(dtype, "dtype") and not isinstance(dtype, (str, type, np.dtype)):
        dtype = dtype.dtype
    if isinstance(dtype, str) and dtype in _ALIASES:
        alias = _ALIASES[dtype]
        return config.floatx() if alias is None else alias
    if dtype is float:
        return config.floatx()
    if dtype is int:
        return "int32"
    if dtype is bool:
        return "bool"
    try:
        name = jnp.dtype(dtype).name
    except TypeError as error:
        raise ValueError(f"Invalid dtype: {dtype!r}.") from error
    return name


def is_float_dtype(dtype: Any) -> bool:
    """True for floating point dtypes (including bfloat16)."""
    return jnp.issubdtype(jnp.dtype(standardize_dtype(dtype)), jnp.floating)


def is_int_dtype(dtype: Any) -> bool:
    """True for signed and unsigned integer dtypes."""
    return jnp.issubdtype(jnp.dtype(standardize_dtype(dtype)), jnp.integer)
