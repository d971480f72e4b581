"""The special config forms Keras uses for values that JSON cannot hold.

``__numpy__`` / ``__tensor__`` (arrays), ``__bytes__``, ``__slice__``,
``__ellipsis__`` and ``__lambda__`` (bytecode: always refused; kerax never
runs code a file carries).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

_SPECIAL = (
    "__numpy__",
    "__tensor__",
    "__bytes__",
    "__slice__",
    "__ellipsis__",
    "__lambda__",
)
# dtype kinds an array in a config may have: bool, ints, floats, complex.
_ARRAY_KINDS = "biufc"


def is_special(class_name: str) -> bool:
    """True for the class names of the special forms."""
    return class_name in _SPECIAL


def serialize_special(value: Any) -> dict[str, Any] | None:
    """The special form of ``value``, or None if it has none."""
    if isinstance(value, np.ndarray):
        return {
            "class_name": "__numpy__",
            "config": {"value": value.tolist(), "dtype": str(value.dtype)},
        }
    if isinstance(value, jax.Array):
        array = np.asarray(value)
        return {
            "class_name": "__tensor__",
            "config": {"value": array.tolist(), "dtype": str(array.dtype)},
        }
    if isinstance(value, bytes):
        return {"class_name": "__bytes__", "config": {"value": value.decode("utf-8")}}
    if value is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(value, slice):
        return {
            "class_name": "__slice__",
            "config": {"start": value.start, "stop": value.stop, "step": value.step},
        }
    return None


def _array(config: Any, kind: str) -> np.ndarray:
    if not isinstance(config, dict) or "value" not in config or "dtype" not in config:
        raise ValueError(
            f"A {kind} entry needs 'value' and 'dtype', received {config!r}."
        )
    try:
        dtype = np.dtype(str(config["dtype"]))
    except TypeError as error:
        raise ValueError(
            f"Unknown dtype {config['dtype']!r} in a {kind} entry."
        ) from error
    if dtype.kind not in _ARRAY_KINDS:
        raise ValueError(
            f"Refusing a {kind} entry of dtype {dtype}: only numeric and bool "
            "arrays may be stored in a config."
        )
    return np.asarray(config["value"], dtype=dtype)


def deserialize_special(
    class_name: str, config: Any, custom_objects: dict[str, Any], safe_mode: bool
) -> Any:
    """The value a special form stands for."""
    if class_name == "__numpy__":
        return _array(config, "__numpy__")
    if class_name == "__tensor__":
        return jnp.asarray(_array(config, "__tensor__"))
    if class_name == "__bytes__":
        return str(config["value"]).encode("utf-8")
    if class_name == "__ellipsis__":
        return Ellipsis
    if class_name == "__slice__":
        return slice(config.get("start"), config.get("stop"), config.get("step"))
    return _lambda(config, custom_objects, safe_mode)


def _lambda(config: Any, custom_objects: dict[str, Any], safe_mode: bool) -> Any:
    """Stored bytecode is never run, whatever ``safe_mode`` says."""
    from kerax.layers.core._functions import deserialize_function

    return deserialize_function({"class_name": "__lambda__", "config": config})
