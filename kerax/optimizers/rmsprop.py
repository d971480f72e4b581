"""RMSprop: divide the gradient by a running root mean square."""

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
class RMSprop(Optimizer):
    """RMSprop, optionally centered and with momentum.

    ``v = rho * v + (1 - rho) * g²``; the step is ``learning_rate * g /
    sqrt(v + epsilon)`` (centered: ``sqrt(v - mean_g² + epsilon)`` with ``mean_g``
    a running mean of ``g``); with momentum the step feeds a velocity first.

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        rho: decay of the running averages.
        momentum: momentum of the step (0 disables it).
        epsilon: added inside the square root (Keras's default, 1e-7).
        centered: normalize by the gradient's estimated variance.
        **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
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
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def build(self, variables: Sequence[Variable]) -> None:
        if self.built:
            return
        super().build(variables)
        self._velocities = self.add_optimizer_variables(variables, "velocity")
        self._momentums: list[Variable] = []
        if self.momentum > 0:
            self._momentums = self.add_optimizer_variables(variables, "momentum")
        self._average_gradients: list[Variable] = []
        if self.centered:
            self._average_gradients = self.add_optimizer_variables(
                variables, "average_gradient"
            )

    def update_step(
        self, gradient: jax.Array, variable: Variable, learning_rate: Any
    ) -> None:
        lr = convert_to_tensor(learning_rate, variable.dtype)
        gradient = gradient.astype(variable.dtype)
        index = self._get_variable_index(variable)
        rho = self.rho
        velocity = self._velocities[index]
        velocity.assign(rho * velocity.value + (1 - rho) * jnp.square(gradient))
        if self.centered:
            average = self._average_gradients[index]
            average.assign(rho * average.value + (1 - rho) * gradient)
            denominator = velocity.value - jnp.square(average.value) + self.epsilon
        else:
            denominator = velocity.value + self.epsilon
        increment = lr * gradient / jnp.sqrt(denominator)
        if self.momentum > 0:
            momentum = self._momentums[index]
            momentum.assign(self.momentum * momentum.value + increment)
            variable.assign_sub(momentum.value)
        else:
            variable.assign_sub(increment)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "rho": self.rho,
                "momentum": self.momentum,
                "epsilon": self.epsilon,
                "centered": self.centered,
            }
        )
        return config
