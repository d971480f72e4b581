"""``get``, ``serialize`` and ``deserialize`` for ``keras.constraints``."""

from __future__ import annotations

from typing import Any

from kerax.initializers.serialization import (
    deserialize_object,
    get_object,
    serialize_object,
)

_NAMESPACE = "keras.constraints"
_ALIASES = {
    "constraint": "Constraint",
    "max_norm": "MaxNorm",
    "min_max_norm": "MinMaxNorm",
    "non_neg": "NonNeg",
    "unit_norm": "UnitNorm",
}


def serialize(constraint: Any) -> dict[str, Any] | None:
    """The Keras config dict of ``constraint`` (None for None)."""
    return serialize_object(constraint)


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """The constraint a name or a config dict describes."""
    return deserialize_object(
        config, _NAMESPACE, _ALIASES, "constraint", custom_objects
    )


def get(identifier: Any) -> Any:
    """A constraint from a name, config dict, class or callable (None stays None).

    Example:
        >>> get("max_norm").get_config()
        {'max_value': 2, 'axis': 0}
    """
    return get_object(identifier, _NAMESPACE, _ALIASES, "constraint")
