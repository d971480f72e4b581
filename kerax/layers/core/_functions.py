"""Saving Python functions in layer configs the way Keras files store them.

A named function is stored by name and found again in ``custom_objects``,
among kerax's registered activations and losses, or in ``kerax.ops``. A ``lambda`` is stored as marshalled
bytecode (Keras's ``__lambda__`` format); loading one runs code from the file,
so it is refused unless the caller passes ``safe_mode=False``.
"""

from __future__ import annotations

import base64
import marshal
import types
from typing import Any

from kerax import registry

_FUNCTION_NAMESPACES = ("keras.activations", "keras.losses")


def _lambda_globals() -> dict[str, Any]:
    """Names a loaded lambda can use: the modules such lambdas usually call."""
    import jax
    import numpy as np

    import kerax

    return {
        "jax": jax,
        "jnp": jax.numpy,
        "np": np,
        "kerax": kerax,
        "keras": kerax,
        "ops": kerax.ops,
    }


def is_lambda(fn: Any) -> bool:
    """True for a Python ``lambda`` (which can only be saved as bytecode)."""
    return isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>"


def serialize_function(fn: Any) -> dict[str, Any]:
    """The config entry that stands for ``fn``."""
    if is_lambda(fn):
        code = base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii")
        closure = None
        if fn.__closure__:
            closure = tuple(cell.cell_contents for cell in fn.__closure__)
        return {
            "class_name": "__lambda__",
            "config": {"code": code, "defaults": fn.__defaults__, "closure": closure},
        }
    if callable(fn):
        name = getattr(fn, "__name__", None) or type(fn).__name__
        return {
            "module": "builtins",
            "class_name": "function",
            "config": name,
            "registered_name": "function",
        }
    raise ValueError(
        f"Cannot serialize {fn!r} of type {type(fn).__name__}: expected a function."
    )


def is_serialized_function(config: Any) -> bool:
    """True for what ``serialize_function`` produces."""
    return isinstance(config, dict) and config.get("class_name") in (
        "__lambda__",
        "function",
    )


def deserialize_function(
    config: dict[str, Any],
    custom_objects: dict[str, Any] | None = None,
    safe_mode: bool | None = None,
) -> Any:
    """The function a ``serialize_function`` entry stands for.

    Args:
        config: the stored entry.
        custom_objects: user functions by name, searched first.
        safe_mode: unless ``False``, stored bytecode (lambdas) is refused.
    """
    if config["class_name"] == "__lambda__":
        if safe_mode is not False:
            raise ValueError(
                "Refusing to load a Python lambda stored in a config: loading it "
                "runs code from the file. If you trust the source, pass "
                "`safe_mode=False` to the loading function."
            )
        inner = config["config"]
        code = marshal.loads(base64.decodebytes(inner["code"].encode("ascii")))
        closure = None
        if inner.get("closure") is not None:
            closure = tuple(types.CellType(v) for v in inner["closure"])
        defaults = inner.get("defaults")
        return types.FunctionType(
            code,
            _lambda_globals(),
            name=code.co_name,
            argdefs=tuple(defaults) if defaults is not None else None,
            closure=closure,
        )
    name = config["config"]
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    for namespace in _FUNCTION_NAMESPACES:
        found = registry.lookup(namespace, name)
        if found is not None:
            return found
    import kerax

    if name in getattr(kerax.ops, "__all__", ()):
        return getattr(kerax.ops, name)
    raise ValueError(
        f"Could not find the function {name!r} named in the config. Pass it in "
        "`custom_objects`, e.g. custom_objects={" + repr(name) + ": " + name + "}."
    )
