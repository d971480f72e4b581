"""Adadelta: step sizes from running averages of gradients and of updates."""

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
class Adadelta(Optimizer):
    """Adadelta, scaled by ``learning_rate`` as in Keras.

    ``E[g²] = rho E[g²] + (1 - rho) g²``; ``delta = -rms(E[dx²]) g /
    rms(E[g²])`` with ``rms(x) = sqrt(x + epsilon)``; ``E[dx²] = rho E[dx²] +
    (1 - rho) delta²``; ``w += learning_rate * delta``.

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        rho: decay of the running averages.
        epsilon: added inside the square roots (Keras's default, 1e-7).
        **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        rho: float = 0.95,
        epsilon: float = 1e-7,
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
        self.epsilon = epsilon

    def build(self, variables: Sequence[Variable]) -> None:
        if self.built:
            return
        super().build(variables)
        self._accumulated_grads, self._accumulated_delta_vars = (
            self.add_optimizer_variables(
                variables, ["accumulated_grad", "accumulated_delta_var"]
            )
        )

    def update_step(
        self, gradient: jax.Array, variable: Variable, learning_rate: Any
    ) -> None:
        lr = convert_to_tensor(learning_rate, variable.dtype)
        gradient = gradient.astype(variable.dtype)
        index = self._get_variable_index(variable)
        grads_sq = self._accumulated_grads[index]
        deltas_sq = self._accumulated_delta_vars[index]
        rho = self.rho

        def rms(x: jax.Array) -> jax.Array:
            return jnp.sqrt(x + self.epsilon)

        grads_sq.assign(rho * grads_sq.value + (1 - rho) * jnp.square(gradient))
        delta = -(rms(deltas_sq.value) * gradient / rms(grads_sq.value))
        deltas_sq.assign(rho * deltas_sq.value + (1 - rho) * jnp.square(delta))
        variable.assign_add(lr * delta)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
