"""``get``, ``serialize`` and ``deserialize`` for metrics, in Keras 3's format."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from kerax import registry
from kerax.metrics.metric import Metric
from kerax.utils.naming import to_snake_case

_NAMESPACE = "keras.metrics"
_ALIASES = {
    "bce": "BinaryCrossentropy",
    "BCE": "BinaryCrossentropy",
    "mse": "MeanSquaredError",
    "MSE": "MeanSquaredError",
    "mae": "MeanAbsoluteError",
    "MAE": "MeanAbsoluteError",
    "mape": "MeanAbsolutePercentageError",
    "MAPE": "MeanAbsolutePercentageError",
    "msle": "MeanSquaredLogarithmicError",
    "MSLE": "MeanSquaredLogarithmicError",
}


def _metric_classes() -> dict[str, type[Metric]]:
    """Names ``get`` resolves: class names, their snake case, short aliases."""
    classes = {}
    for name in registry.names(_NAMESPACE):
        obj = registry.lookup(_NAMESPACE, name)
        if inspect.isclass(obj) and issubclass(obj, Metric):
            classes[name] = obj
            classes.setdefault(to_snake_case(name), obj)
    for alias, name in _ALIASES.items():
        if name in classes:
            classes[alias] = classes[name]
    return classes


def serialize_function(fn: Callable[..., Any]) -> dict[str, Any]:
    """The Keras 3 dict naming a function (resolved by name when loading)."""
    return {
        "module": "builtins",
        "class_name": "function",
        "config": fn.__name__,
        "registered_name": "function",
    }


def deserialize_function(
    config: Any, custom_objects: dict[str, Any] | None = None
) -> Callable[..., Any]:
    """Resolve a function from its name or ``serialize_function``'s dict."""
    if callable(config):
        return config
    name = config.get("config") if isinstance(config, dict) else config
    if not isinstance(name, str):
        raise ValueError(f"Could not interpret a function from {config!r}.")
    custom_objects = custom_objects or {}
    found = custom_objects.get(name)
    for namespace in (_NAMESPACE, "keras.losses"):
        if found is None:
            found = registry.lookup(namespace, name)
    if found is None or inspect.isclass(found):
        raise ValueError(
            f"Unknown metric function {name!r}. Pass it in `custom_objects` or "
            f"use one of {_function_names()}."
        )
    return found


def _function_names() -> list[str]:
    return [
        name
        for name in registry.names(_NAMESPACE)
        if not inspect.isclass(registry.lookup(_NAMESPACE, name))
    ]


def serialize(metric: Any) -> dict[str, Any]:
    """Return the Keras 3 config dict of a metric instance or function."""
    if isinstance(metric, Metric):
        cls = type(metric)
        found = registry.public_name(cls)
        if found is not None and found[0] == _NAMESPACE and found[1] == cls.__name__:
            module, registered = _NAMESPACE, None
        else:
            module, registered = cls.__module__, cls.__name__
        return {
            "module": module,
            "class_name": cls.__name__,
            "config": metric.get_config(),
            "registered_name": registered,
        }
    if callable(metric):
        return serialize_function(metric)
    raise TypeError(
        f"serialize: expected a Metric or a metric function, received {metric!r}."
    )


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """Rebuild a metric (or function) from ``serialize``'s output or a name."""
    custom_objects = custom_objects or {}
    if isinstance(config, str):
        return _instantiate(config, custom_objects)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"deserialize: expected a metric config dict with a 'class_name' "
            f"key or a metric name, received {config!r}."
        )
    if config["class_name"] == "function":
        return deserialize_function(config, custom_objects)
    name = config.get("registered_name") or config["class_name"]
    cls = custom_objects.get(name) or custom_objects.get(config["class_name"])
    if cls is None:
        cls = _metric_classes().get(config["class_name"])
    if cls is None:
        raise ValueError(
            f"Unknown metric class {config['class_name']!r}. Pass it in "
            f"`custom_objects` or use one of {sorted(_metric_classes())}."
        )
    inner = config.get("config", {})
    if not isinstance(inner, dict):
        raise TypeError(
            f"deserialize: 'config' of {config['class_name']} must be a dict, "
            f"received {inner!r}."
        )
    return cls.from_config(inner)


def _instantiate(name: str, custom_objects: dict[str, Any]) -> Any:
    obj = custom_objects.get(name) or _metric_classes().get(name)
    if obj is None:
        raise ValueError(
            f"Could not interpret metric identifier {name!r}. Valid names are "
            f"{sorted(_metric_classes())}."
        )
    return obj() if inspect.isclass(obj) else obj


def get(identifier: Any) -> Any:
    """Resolve a metric from a name, a config dict, an instance or a function.

    Names are metric class names, their snake case (``"binary_accuracy"``,
    ``"auc"``) or the short aliases ``"mse"``, ``"mae"``, ``"mape"``,
    ``"msle"``, ``"bce"``; a name gives a new instance. ``"accuracy"`` gives
    ``Accuracy`` (exact match): the trainer, not this function, turns the
    shorthand ``"accuracy"``/``"acc"`` into the accuracy that fits the labels.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = _instantiate(identifier, {})
    else:
        obj = identifier
    if inspect.isclass(obj) and issubclass(obj, Metric):
        return obj()
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}.")
