"""Exponential, inverse-time, polynomial and piecewise-constant schedules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp

from kerax.backend.tensors import convert_to_tensor
from kerax.optimizers.schedules.learning_rate_schedule import (
    NAMESPACE,
    LearningRateSchedule,
    require_positive_steps,
)
from kerax.registry import register


@register(NAMESPACE)
class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: positive number of steps per factor of ``decay_rate``.
        decay_rate: the decay base.
        staircase: floor ``step / decay_steps`` (decay in discrete jumps).
        name: the schedule's name.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str = "ExponentialDecay",
    ) -> None:
        require_positive_steps(decay_steps, "decay_steps")
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step: Any) -> jax.Array:
        initial = convert_to_tensor(self.initial_learning_rate)
        dtype = initial.dtype
        p = convert_to_tensor(step).astype(dtype) / jnp.asarray(self.decay_steps, dtype)
        if self.staircase:
            p = jnp.floor(p)
        return initial * jnp.power(jnp.asarray(self.decay_rate, dtype), p)

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


@register(NAMESPACE)
class InverseTimeDecay(LearningRateSchedule):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: positive number of steps per unit of decay.
        decay_rate: the decay rate.
        staircase: floor ``step / decay_steps``.
        name: the schedule's name.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str = "InverseTimeDecay",
    ) -> None:
        require_positive_steps(decay_steps, "decay_steps")
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step: Any) -> jax.Array:
        initial = convert_to_tensor(self.initial_learning_rate)
        dtype = initial.dtype
        p = convert_to_tensor(step).astype(dtype) / jnp.asarray(self.decay_steps, dtype)
        if self.staircase:
            p = jnp.floor(p)
        denominator = jnp.asarray(1, dtype) + jnp.asarray(self.decay_rate, dtype) * p
        return initial / denominator

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


@register(NAMESPACE)
class PolynomialDecay(LearningRateSchedule):
    """Polynomial decay from ``initial_learning_rate`` to ``end_learning_rate``.

    ``(initial - end) * (1 - step / decay_steps) ** power + end``, with ``step``
    capped at ``decay_steps``; with ``cycle=True`` the horizon instead grows to
    the first multiple of ``decay_steps`` at or above ``step``.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: positive horizon in steps.
        end_learning_rate: the rate reached at ``decay_steps``.
        power: the polynomial's power.
        cycle: restart the decay past ``decay_steps``.
        name: the schedule's name.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        end_learning_rate: float = 0.0001,
        power: float = 1.0,
        cycle: bool = False,
        name: str = "PolynomialDecay",
    ) -> None:
        require_positive_steps(decay_steps, "decay_steps")
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step: Any) -> jax.Array:
        initial = convert_to_tensor(self.initial_learning_rate)
        dtype = initial.dtype
        end = jnp.asarray(self.end_learning_rate, dtype)
        step = convert_to_tensor(step).astype(dtype)
        horizon = jnp.asarray(self.decay_steps, dtype)
        if self.cycle:
            multiplier = jnp.where(
                step == 0, jnp.asarray(1.0, dtype), jnp.ceil(step / self.decay_steps)
            )
            horizon = horizon * multiplier
        else:
            step = jnp.minimum(step, horizon)
        p = step / horizon
        decayed = jnp.power(1 - p, jnp.asarray(self.power, dtype))
        return (initial - end) * decayed + end

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


@register(NAMESPACE)
class PiecewiseConstantDecay(LearningRateSchedule):
    """A constant rate per interval: ``values[i]`` while ``step`` is in interval i.

    The rate is ``values[0]`` for ``step <= boundaries[0]``, ``values[i]`` for
    ``boundaries[i-1] < step <= boundaries[i]`` and ``values[-1]`` after the
    last boundary.

    Args:
        boundaries: strictly increasing step boundaries.
        values: one more value than boundaries.
        name: the schedule's name.
    """

    def __init__(
        self,
        boundaries: Sequence[Any],
        values: Sequence[Any],
        name: str = "PiecewiseConstant",
    ) -> None:
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of "
                f"values. Received: boundaries={boundaries} of length "
                f"{len(boundaries)}, and values={values} of length {len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step: Any) -> jax.Array:
        step = convert_to_tensor(step)
        bounds = [convert_to_tensor(b).astype(step.dtype) for b in self.boundaries]
        values = [convert_to_tensor(v) for v in self.values]
        dtype = values[0].dtype
        result = jnp.asarray(0, dtype)
        result = result + (step <= bounds[0]).astype(dtype) * values[0]
        result = result + (step > bounds[-1]).astype(dtype) * values[-1]
        for low, high, value in zip(bounds[:-1], bounds[1:], values[1:-1]):
            inside = ((step > low) & (step <= high)).astype(dtype)
            result = result + inside * value
        return result

    def get_config(self) -> dict[str, Any]:
        return {
            "boundaries": self.boundaries,
            "values": self.values,
            "name": self.name,
        }
