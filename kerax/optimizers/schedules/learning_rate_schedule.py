"""``LearningRateSchedule``: a learning rate computed from the optimizer step."""

from __future__ import annotations

from typing import Any

import jax

from kerax.optimizers.object_config import resolve_class, serialize_object
from kerax.registry import register

NAMESPACE = "keras.optimizers.schedules"


@register(NAMESPACE)
class LearningRateSchedule:
    """Base class of learning rate schedules.

    A schedule maps the optimizer's step (an integer array, possibly traced) to
    a scalar learning rate; pass one as an optimizer's ``learning_rate``.
    Subclasses implement ``__call__(step)`` with array operations only (no
    Python branching on the step) and ``get_config``.

    Example:
        >>> class Halving(LearningRateSchedule):
        ...     def __init__(self, initial):
        ...         self.initial = initial
        ...     def __call__(self, step):
        ...         return self.initial * 0.5 ** (step // 10)
        ...     def get_config(self):
        ...         return {"initial": self.initial}
    """

    def __call__(self, step: Any) -> jax.Array:
        raise NotImplementedError(
            f"Learning rate schedule {type(self).__name__!r} must implement "
            "`__call__(self, step)`."
        )

    def get_config(self) -> dict[str, Any]:
        """Return the constructor arguments as a JSON-friendly dict."""
        raise NotImplementedError(
            f"Learning rate schedule {type(self).__name__!r} must implement "
            "`get_config()` to be serializable."
        )

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LearningRateSchedule:
        """Rebuild a schedule from ``get_config()``'s output."""
        return cls(**config)


def require_positive_steps(value: Any, argument: str) -> None:
    """Raise a ValueError naming ``argument`` unless ``value > 0``."""
    if value <= 0:
        raise ValueError(
            f"Argument `{argument}` must be > 0. Received: {argument}={value}"
        )


def serialize(learning_rate_schedule: LearningRateSchedule) -> dict[str, Any]:
    """Return the Keras dict (module, class_name, config) describing a schedule."""
    if not isinstance(learning_rate_schedule, LearningRateSchedule):
        raise TypeError(
            "serialize expects a LearningRateSchedule, received "
            f"{learning_rate_schedule!r}."
        )
    return serialize_object(learning_rate_schedule, NAMESPACE)


def deserialize(
    config: dict[str, Any], custom_objects: dict[str, Any] | None = None
) -> LearningRateSchedule:
    """Rebuild a schedule from ``serialize``'s output."""
    cls = resolve_class(config, NAMESPACE, "learning rate schedule", custom_objects)
    return cls.from_config(dict(config.get("config", {})))
