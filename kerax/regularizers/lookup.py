"""``get``, ``serialize`` and ``deserialize`` for ``keras.regularizers``."""

from __future__ import annotations

from typing import Any

from kerax.initializers.serialization import (
    deserialize_object,
    get_object,
    serialize_object,
)
from kerax.regularizers.regularizers import L1L2

_NAMESPACE = "keras.regularizers"
_ALIASES = {
    "l1": "L1",
    "l2": "L2",
    "l1l2": "L1L2",
    "l1_l2": "L1L2",  # deserialize gives it Keras's documented factors
    "orthogonal_regularizer": "OrthogonalRegularizer",
    "regularizer": "Regularizer",
}


def serialize(regularizer: Any) -> dict[str, Any] | None:
    """The Keras config dict of ``regularizer`` (None for None)."""
    return serialize_object(regularizer)


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """The regularizer a name or a config dict describes.

    The name ``"l1_l2"`` gives ``L1L2(l1=0.01, l2=0.01)``, as Keras documents.
    """
    if config == "l1_l2":
        return L1L2(l1=0.01, l2=0.01)
    return deserialize_object(
        config, _NAMESPACE, _ALIASES, "regularizer", custom_objects
    )


def get(identifier: Any) -> Any:
    """A regularizer from a name, config dict, class or callable (None stays None).

    Example:
        >>> get("l2").get_config()
        {'l2': 0.01}
    """
    if identifier == "l1_l2":
        return deserialize(identifier)
    return get_object(identifier, _NAMESPACE, _ALIASES, "regularizer")
