"""Cosine decay (with optional linear warmup) and cosine decay with warm restarts."""

from __future__ import annotations

import math
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
class CosineDecay(LearningRateSchedule):
    """Cosine decay over ``decay_steps``, optionally after a linear warmup.

    Without ``warmup_target`` the rate falls from ``initial_learning_rate`` to
    ``initial_learning_rate * alpha`` along half a cosine. With it, the rate
    first rises linearly from ``initial_learning_rate`` to ``warmup_target``
    over ``warmup_steps``, then decays from ``warmup_target`` to
    ``warmup_target * alpha``.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: positive number of decay steps.
        alpha: the final rate as a fraction of the decay's starting rate.
        name: the schedule's name.
        warmup_target: the rate reached at the end of the warmup, or None.
        warmup_steps: the length of the warmup in steps.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        alpha: float = 0.0,
        name: str = "CosineDecay",
        warmup_target: float | None = None,
        warmup_steps: int = 0,
    ) -> None:
        require_positive_steps(decay_steps, "decay_steps")
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps

    def _decay(self, step: Any, decay_steps: Any, start: Any, dtype: Any) -> Any:
        fraction = step / decay_steps
        cosine = 0.5 * (1.0 + jnp.cos(jnp.asarray(math.pi, dtype) * fraction))
        return start * ((1 - self.alpha) * cosine + self.alpha)

    def __call__(self, step: Any) -> jax.Array:
        initial = convert_to_tensor(self.initial_learning_rate)
        dtype = initial.dtype
        decay_steps = jnp.asarray(self.decay_steps, dtype)
        step = convert_to_tensor(step).astype(dtype)
        if self.warmup_target is None:
            step = jnp.minimum(step, decay_steps)
            return self._decay(step, decay_steps, initial, dtype)
        target = jnp.asarray(self.warmup_target, dtype)
        warmup_steps = jnp.asarray(self.warmup_steps, dtype)
        step = jnp.minimum(step, decay_steps + warmup_steps)
        warming = (target - initial) * (step / warmup_steps) + initial
        decaying = self._decay(step - warmup_steps, decay_steps, target, dtype)
        return jnp.where(step < warmup_steps, warming, decaying)

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


@register(NAMESPACE)
class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR).

    The multiplier decays from 1 to ``alpha`` over ``first_decay_steps``, then
    restarts; each period lasts ``t_mul`` times longer than the previous one
    and starts ``m_mul`` times lower.

    Args:
        initial_learning_rate: the rate at step 0.
        first_decay_steps: positive length of the first period.
        t_mul: growth factor of the period length.
        m_mul: factor applied to the starting rate at each restart.
        alpha: the minimum rate as a fraction of ``initial_learning_rate``.
        name: the schedule's name.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        first_decay_steps: int,
        t_mul: float = 2.0,
        m_mul: float = 1.0,
        alpha: float = 0.0,
        name: str = "SGDRDecay",
    ) -> None:
        require_positive_steps(first_decay_steps, "first_decay_steps")
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step: Any) -> jax.Array:
        initial = convert_to_tensor(self.initial_learning_rate)
        dtype = initial.dtype
        alpha = jnp.asarray(self.alpha, dtype)
        t_mul = jnp.asarray(self._t_mul, dtype)
        m_mul = jnp.asarray(self._m_mul, dtype)
        step = convert_to_tensor(step).astype(dtype)
        fraction = step / jnp.asarray(self.first_decay_steps, dtype)
        if self._t_mul == 1.0:
            restart = jnp.floor(fraction)
            fraction = fraction - restart
        else:
            restart = jnp.floor(
                jnp.log((1.0 - fraction * (1.0 - t_mul)).astype(dtype)) / jnp.log(t_mul)
            )
            done = (1.0 - jnp.power(t_mul, restart)) / (1.0 - t_mul)
            fraction = (fraction - done) / jnp.power(t_mul, restart)
        cosine = (
            0.5
            * jnp.power(m_mul, restart)
            * (1.0 + jnp.cos(jnp.asarray(math.pi, dtype) * fraction))
        )
        return initial * ((1 - alpha) * cosine + alpha)

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self._t_mul,
            "m_mul": self._m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }
