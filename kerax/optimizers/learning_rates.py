"""An optimizer's ``learning_rate``: a float Variable, a schedule or a callable.

How the argument is checked, evaluated at a step, and written to / read from a
Keras config.
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable
from typing import Any

import jax
import numpy as np

from kerax.autodiff.variable import Variable
from kerax.optimizers.schedules import learning_rate_schedule as schedules


def is_number(value: Any) -> bool:
    """True for real scalars (Python, numpy or 0-d arrays), not for booleans."""
    if isinstance(value, bool):
        return False
    if isinstance(value, numbers.Real):
        return True
    return isinstance(value, (np.ndarray, jax.Array)) and value.ndim == 0


def _takes_step(fn: Callable[..., Any]) -> bool:
    """Whether a learning-rate callable expects the step as an argument."""
    if isinstance(fn, schedules.LearningRateSchedule):
        return True
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    )
    return any(
        p.kind in positional and p.default is inspect.Parameter.empty
        for p in parameters
    )


def evaluate(rate: Any, step: Any) -> Any:
    """The rate at ``step``: a Variable (or None) as is, a callable called.

    Schedules and one-argument callables receive the step; callables without
    arguments are called as they are (as Keras does).
    """
    if rate is None or isinstance(rate, Variable):
        return rate
    return rate(step) if _takes_step(rate) else rate()


def serialize(rate: Any) -> Any:
    """The config value Keras writes for a learning rate."""
    if rate is None:
        return None
    if isinstance(rate, Variable):
        return float(rate.numpy())
    if isinstance(rate, schedules.LearningRateSchedule):
        return schedules.serialize(rate)
    return {
        "module": getattr(rate, "__module__", None),
        "class_name": "function",
        "config": getattr(rate, "__name__", repr(rate)),
        "registered_name": getattr(rate, "__name__", None),
    }


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """Inverse of ``serialize``: numbers pass through, dicts are resolved.

    Functions are code, not config: they come back only from ``custom_objects``.
    """
    if not isinstance(config, dict):
        return config
    if config.get("class_name") != "function":
        return schedules.deserialize(config, custom_objects)
    custom = custom_objects or {}
    for key in (config.get("registered_name"), config.get("config")):
        if key in custom:
            return custom[key]
    raise ValueError(
        f"Cannot restore the learning rate function {config.get('config')!r}: "
        "pass it in `custom_objects`."
    )
