"""Saving Python functions in layer configs the way Keras files store them.

A named function is stored by name and found again in ``custom_objects``,
among kerax's registered activations and losses, or in ``kerax.ops``. kerax
never stores or loads Python bytecode: a ``lambda`` cannot be saved (Keras's
marshalled ``__lambda__`` entries are refused on load, whatever ``safe_mode``
says), so functions a file refers to always come from the caller's code.
"""

from __future__ import annotations

import types
from typing import Any

from kerax import registry

_FUNCTION_NAMESPACES = ("keras.activations", "keras.losses")


def is_lambda(fn: Any) -> bool:
    """True for a Python ``lambda`` (which can only be saved as bytecode)."""
    return isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>"


def serialize_function(fn: Any) -> dict[str, Any]:
    """The config entry that stands for ``fn``."""
    if is_lambda(fn):
        raise ValueError(
            "Cannot save a Python lambda: kerax files never carry code (a lambda "
            "could only be stored as bytecode). Use a named function, and pass it "
            "in `custom_objects` (or register it with "
            "`kerax.saving.register_keras_serializable`) when loading."
        )
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
        raise ValueError(
            "Refusing to load a Python lambda stored as bytecode: kerax never runs "
            "code a file carries, even with safe_mode=False. Re-create the layer "
            "with a named function and pass it in `custom_objects`."
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
