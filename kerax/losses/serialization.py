"""Finding losses by name and turning them into and out of Keras 3 config dicts.

Only registered losses (``@register("keras.losses")``) and the caller's
``custom_objects`` can be created from a name or a config: nothing else is
imported or executed.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from kerax import registry
from kerax.losses.loss import Loss

NAMESPACE = "keras.losses"

# Short names that Keras also resolves (they are not serialization names).
ALIASES = {
    "bce": "binary_crossentropy",
    "BCE": "binary_crossentropy",
    "kld": "kl_divergence",
    "KLD": "kl_divergence",
    "mae": "mean_absolute_error",
    "MAE": "mean_absolute_error",
    "mape": "mean_absolute_percentage_error",
    "MAPE": "mean_absolute_percentage_error",
    "mse": "mean_squared_error",
    "MSE": "mean_squared_error",
    "msle": "mean_squared_logarithmic_error",
    "MSLE": "mean_squared_logarithmic_error",
}

# Keras writes this one class under its private module and registered name.
_PRIVATE_MODULES = {"LossFunctionWrapper": "keras.src.losses.losses"}


def valid_names() -> list[str]:
    """Every name ``get`` and ``deserialize`` accept, sorted."""
    return sorted(set(registry.names(NAMESPACE)) | set(ALIASES))


def _lookup(name: str, custom_objects: dict[str, Any] | None) -> Any:
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    found = registry.lookup(NAMESPACE, ALIASES.get(name, name))
    if found is None:
        raise ValueError(
            f"Unknown loss: {name!r}. Expected one of {valid_names()}, or pass "
            "custom losses in `custom_objects`."
        )
    return found


def serialize(loss: Any) -> Any:
    """A Keras 3 config dict for a loss object or loss function.

    Example:
        >>> serialize(get("mse"))["config"]
        'mean_squared_error'
    """
    if loss is None or isinstance(loss, str):
        return loss
    if isinstance(loss, Loss):
        cls = type(loss)
        name = cls.__name__
        registered = registry.lookup(NAMESPACE, name) is cls
        if registered and name not in _PRIVATE_MODULES:
            module, registered_name = NAMESPACE, None
        else:
            module = _PRIVATE_MODULES.get(name, cls.__module__)
            registered_name = name
        return {
            "module": module,
            "class_name": name,
            "config": loss.get_config(),
            "registered_name": registered_name,
        }
    if inspect.isfunction(loss) or inspect.isbuiltin(loss):
        if loss.__name__ == "<lambda>":
            raise ValueError(
                "Cannot serialize a lambda loss: define a named function and "
                "pass it in `custom_objects` when loading."
            )
        return {
            "module": "builtins",
            "class_name": "function",
            "config": loss.__name__,
            "registered_name": "function",
        }
    raise TypeError(
        "serialize expects a Loss instance or a loss function, received "
        f"{type(loss).__name__}: {loss!r}."
    )


def deserialize(name: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """A loss (instance) or loss function from a name or a ``serialize`` dict.

    Example:
        >>> deserialize({"class_name": "MeanSquaredError", "config": {}}).name
        'mean_squared_error'
    """
    config = name
    if isinstance(config, str):
        found = _lookup(config, custom_objects)
        return found() if inspect.isclass(found) else found
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "deserialize expects a loss name or a dict with 'class_name' and "
            f"'config', received {config!r}."
        )
    class_name = config["class_name"]
    inner = config.get("config") or {}
    if class_name == "function":
        if not isinstance(inner, str):
            raise ValueError(
                f"A serialized function needs its name, received {inner!r}."
            )
        return _lookup(inner, custom_objects)
    registered_name = config.get("registered_name")
    if custom_objects and registered_name in custom_objects:
        cls = custom_objects[registered_name]
    else:
        cls = _lookup(class_name, custom_objects)
    if not (inspect.isclass(cls) and issubclass(cls, Loss)):
        raise ValueError(
            f"{class_name!r} is not a Loss class, so it cannot be created from "
            f"a config ({config!r})."
        )
    return cls.from_config(inner)


def get(identifier: Any) -> Loss | Callable[..., Any] | None:
    """Resolve a loss from a name, a config dict, a class, an instance or a function.

    Names of classes and Loss classes give instances; names of functions give
    the functions.

    Example:
        >>> get("mse").__name__
        'mean_squared_error'
        >>> get("CategoricalCrossentropy").name
        'categorical_crossentropy'
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if inspect.isclass(identifier) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier) and not inspect.isclass(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret loss identifier: {identifier!r}. Expected a loss "
        f"name (one of {valid_names()}), a config dict, a Loss or a function."
    )
