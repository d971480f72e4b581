"""Nadam: Adam with Nesterov momentum."""

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
class Nadam(Optimizer):
    """Nadam, with the momentum schedule ``u_t = beta_1 (1 - 0.5 * 0.96^t)``.

    A scalar slot holds the running product of ``u_t`` (Keras's last optimizer
    variable).

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        beta_1: decay of the first moment.
        beta_2: decay of the second moment.
        epsilon: added to ``sqrt(v_hat)`` (Keras's default, 1e-7).
        **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
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
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, variables: Sequence[Variable]) -> None:
        if self.built:
            return
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(
            variables, ["momentum", "velocity"]
        )
        dtype = variables[0].dtype if variables else None
        self._u_product = self.add_variable((), "ones", dtype, name="u_product")

    def _backend_update_step(
        self, grads: Sequence[Any], variables: Sequence[Any], learning_rate: Any
    ) -> None:
        step = (self._iteration() + 1).astype(self._u_product.dtype)
        momentum = 1.0 - 0.5 * jnp.power(0.96, step)
        self._u_product.assign(self._u_product.value * self.beta_1 * momentum)
        super()._backend_update_step(grads, variables, learning_rate)

    def update_step(
        self, gradient: jax.Array, variable: Variable, learning_rate: Any
    ) -> None:
        dtype = variable.dtype
        lr = convert_to_tensor(learning_rate, dtype)
        gradient = gradient.astype(dtype)
        step = (self._iteration() + 1).astype(dtype)
        next_step = (self._iteration() + 2).astype(dtype)
        decay = jnp.asarray(0.96, dtype)
        beta_1 = jnp.asarray(self.beta_1, dtype)
        beta_2 = jnp.asarray(self.beta_2, dtype)
        u_t = beta_1 * (1.0 - 0.5 * jnp.power(decay, step))
        u_t_1 = beta_1 * (1.0 - 0.5 * jnp.power(decay, next_step))
        u_product_t = self._u_product.value.astype(dtype)
        u_product_t_1 = u_product_t * u_t_1
        beta_2_power = jnp.power(beta_2, step)
        index = self._get_variable_index(variable)
        m, v = self._momentums[index], self._velocities[index]
        m.assign_add((gradient - m.value) * (1 - beta_1))
        v.assign_add((jnp.square(gradient) - v.value) * (1 - beta_2))
        m_hat = u_t_1 * m.value / (1 - u_product_t_1) + (1 - u_t) * gradient / (
            1 - u_product_t
        )
        v_hat = v.value / (1 - beta_2_power)
        variable.assign_sub(m_hat * lr / (jnp.sqrt(v_hat) + self.epsilon))

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
        )
        return config
