"""``get``, ``serialize`` and ``deserialize`` for optimizers (Keras 3 dict format)."""

from __future__ import annotations

import inspect
from typing import Any

import optax

from kerax import registry
from kerax.optimizers.object_config import resolve_class, serialize_object
from kerax.optimizers.optax_optimizer import OptaxOptimizer
from kerax.optimizers.optimizer import Optimizer

NAMESPACE = "keras.optimizers"


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    """Return the Keras dict (module, class_name, config) describing ``optimizer``."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"serialize expects an Optimizer, received {optimizer!r}.")
    return serialize_object(optimizer, NAMESPACE)


def deserialize(
    config: dict[str, Any], custom_objects: dict[str, Any] | None = None
) -> Optimizer:
    """Create an optimizer from ``serialize``'s output (names are case-insensitive)."""
    cls = resolve_class(config, NAMESPACE, "optimizer", custom_objects)
    inner = dict(config.get("config", {}))
    if "custom_objects" in inspect.signature(cls.from_config).parameters:
        return cls.from_config(inner, custom_objects=custom_objects)
    return cls.from_config(inner)


def get(identifier: Any) -> Optimizer | None:
    """Resolve an optimizer from a name, a config dict, an instance or optax.

    Args:
        identifier: ``"adam"``/``"Adam"`` (any registered name, with default
            arguments), a dict from ``serialize``, an ``Optimizer`` (returned
            as is), an optax ``GradientTransformation`` (wrapped in
            ``OptaxOptimizer``) or None.
    """
    if identifier is None or isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, optax.GradientTransformation):
        return OptaxOptimizer(identifier)
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return deserialize({"class_name": identifier, "config": {}})
    raise ValueError(
        f"Could not interpret optimizer identifier: {identifier!r}. Expected a "
        f"name (one of {registry.names(NAMESPACE)}), a config dict, an "
        "Optimizer instance or an optax GradientTransformation."
    )
