"""Activation lookup by name, and the Keras config forms of an activation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kerax import registry
from kerax.activations.sigmoids import linear
from kerax.initializers.serialization import own_public_name

_NAMESPACE = "keras.activations"


def _by_name(name: str, custom_objects: dict[str, Any] | None) -> Callable[..., Any]:
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    found = registry.lookup(_NAMESPACE, name)
    if found is None:
        raise ValueError(
            f"Unknown activation function {name!r}. Expected one of "
            f"{registry.names(_NAMESPACE)}, or a callable."
        )
    return found


def serialize(activation: Callable[..., Any]) -> str | dict[str, Any]:
    """The config form of ``activation``.

    A built-in activation serializes to its name (``"relu"``; aliases give the
    canonical name, so ``swish`` is ``"silu"``). Any other registered object
    with ``get_config`` (such as an activation layer) gives the Keras dict
    ``{"module", "class_name", "config", "registered_name"}``.
    """
    public = own_public_name(activation)
    if public is not None and public[0] == _NAMESPACE:
        return public[1]
    if public is not None and hasattr(activation, "get_config"):
        return {
            "module": public[0],
            "class_name": public[1],
            "config": activation.get_config(),
            "registered_name": None,
        }
    name = getattr(activation, "__name__", type(activation).__name__)
    return {
        "module": "builtins",
        "class_name": "function",
        "config": name,
        "registered_name": "function",
    }


def deserialize(
    config: str | dict[str, Any], custom_objects: dict[str, Any] | None = None
) -> Callable[..., Any]:
    """The activation named by ``config`` (a name, or the dict ``serialize`` gives).

    ``custom_objects`` maps extra names to functions or classes.
    """
    if isinstance(config, str):
        return _by_name(config, custom_objects)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "An activation config must be a name or a dict with 'class_name', "
            f"received {config!r}."
        )
    class_name = config["class_name"]
    if class_name == "function":
        return _by_name(config["config"], custom_objects)
    cls = (custom_objects or {}).get(class_name)
    if cls is None and config.get("module"):
        cls = registry.lookup(config["module"], class_name)
    if cls is None:
        raise ValueError(
            f"Could not deserialize activation {class_name!r}: it is neither a "
            "built-in nor in `custom_objects`."
        )
    return cls.from_config(config.get("config") or {})


def get(identifier: Any) -> Callable[..., Any]:
    """An activation function from a name, a config dict, a callable or None.

    ``None`` gives ``linear``; callables are returned unchanged.

    Example:
        >>> get("relu") is get({"class_name": "function", "config": "relu"})
        True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(
        "Could not interpret activation function identifier: expected a name, "
        f"a config dict, a callable or None, received {identifier!r}."
    )
