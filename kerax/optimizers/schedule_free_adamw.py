"""Schedule-free AdamW: Adam steps on an iterate whose running average is used."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp

from kerax.autodiff.variable import Variable
from kerax.backend.tensors import convert_to_tensor
from kerax.optimizers.optimizer import Optimizer
from kerax.registry import register


@register("keras.optimizers")
class ScheduleFreeAdamW(Optimizer):
    """Schedule-free AdamW (Defazio et al., 2024): no learning-rate decay needed.

    Keeps ``z`` (the "momentum" slot, starting at the weights) which takes
    Adam-normalized steps, and an average ``x`` of the ``z`` iterates; the
    variable holds the interpolation ``y = (1 - beta_1) z + beta_1 x`` where
    gradients are evaluated. ``x`` is recovered from ``y`` and ``z``.

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.0025.
        beta_1: interpolation between ``z`` and ``x``.
        beta_2: decay of the second moment.
        epsilon: added to the normalizer (1e-8 here, unlike Adam).
        warmup_steps: linear learning-rate warmup length.
        **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(
        self,
        learning_rate: Any = 0.0025,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        warmup_steps: int = 0,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: int | None = None,
        loss_scale_factor: float | None = None,
        gradient_accumulation_steps: int | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            learning_rate=learning_rate,
            weight_decay=weight_decay,
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            global_clipnorm=global_clipnorm,
            use_ema=use_ema,
            ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps,
            name=name,
            **kwargs,
        )
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.warmup_steps = warmup_steps

    def build(self, variables: Sequence[Variable]) -> None:
        if self.built:
            return
        super().build(variables)
        self._momentums, self._velocities = [], []
        for variable in variables:
            start = variable.value  # z starts at the weights (its own buffer)
            self._momentums.append(
                self.add_variable_from_reference(
                    variable,
                    "momentum",
                    lambda shape, dtype, x=start: jnp.array(x, dtype=dtype, copy=True),
                )
            )
            self._velocities.append(
                self.add_variable_from_reference(variable, "velocity")
            )

    def update_step(
        self, gradient: jax.Array, variable: Variable, learning_rate: Any
    ) -> None:
        dtype = variable.dtype
        lr = convert_to_tensor(learning_rate, dtype)
        gradient = gradient.astype(dtype)
        step = (self._iteration() + 1).astype(dtype)
        beta_1 = jnp.asarray(self.beta_1, dtype)
        beta_2 = jnp.asarray(self.beta_2, dtype)
        if self.warmup_steps > 0:
            lr = lr * jnp.minimum(step / jnp.asarray(self.warmup_steps, dtype), 1.0)
        index = self._get_variable_index(variable)
        z, v = self._momentums[index], self._velocities[index]
        z_old, y_old = z.value, variable.value
        v.assign_add((jnp.square(gradient) - v.value) * (1 - beta_2))
        denominator = jnp.sqrt(v.value / (1 - jnp.power(beta_2, step))) + self.epsilon
        z.assign_sub(lr * gradient / denominator)
        weight = 1.0 / step
        x_old = (y_old - (1 - beta_1) * z_old) / beta_1
        x_new = (1 - weight) * x_old + weight * z.value
        variable.assign((1 - beta_1) * z.value + beta_1 * x_new)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "beta_1": self.beta_1,
                "beta_2": self.beta_2,
                "epsilon": self.epsilon,
                "warmup_steps": self.warmup_steps,
            }
        )
        return config
