"""Adafactor: Adam-like steps with a factored (row x column) second moment."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp

from kerax.autodiff.variable import Variable
from kerax.backend.tensors import convert_to_tensor
from kerax.optimizers.optimizer import Optimizer
from kerax.registry import register


def _rms(x: jax.Array) -> jax.Array:
    return jnp.sqrt(jnp.mean(jnp.square(x)))


@register("keras.optimizers")
class Adafactor(Optimizer):
    """Adafactor: memory-light adaptive steps for large matrices.

    For variables of rank >= 2 the second moment is stored as running row and
    column means of ``g² + epsilon_1``; vectors keep a full one. The step is
    scaled by ``max(epsilon_2, rms(w))`` and clipped so its RMS is at most
    ``clip_threshold``.

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        beta_2_decay: decay exponent of the second moment (``1 - t^decay``).
        epsilon_1: added to squared gradients.
        epsilon_2: lower bound of the weight RMS used as step scale.
        clip_threshold: the update's RMS bound.
        relative_step: with a float learning rate, cap it at ``1 / sqrt(t)``.
        **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_2_decay: float = -0.8,
        epsilon_1: float = 1e-30,
        epsilon_2: float = 1e-3,
        clip_threshold: float = 1.0,
        relative_step: bool = True,
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
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    def build(self, variables: Sequence[Variable]) -> None:
        if self.built:
            return
        super().build(variables)
        self._r: list[Variable] = []
        self._c: list[Variable] = []
        self._v: list[Variable] = []
        for variable in variables:
            shape, dtype = tuple(variable.shape), variable.dtype
            if len(shape) < 2:  # unused placeholders, kept for Keras's layout
                row_shape, col_shape, dtype = (), (), "int32"
            else:
                row_shape, col_shape = shape[:-1], shape[:-2] + shape[-1:]
            self._r.append(
                self.add_variable(row_shape, dtype=dtype, name=variable.name)
            )
            self._c.append(
                self.add_variable(col_shape, dtype=dtype, name=variable.name)
            )
            self._v.append(self.add_variable_from_reference(variable, "velocity"))

    def update_step(
        self, gradient: jax.Array, variable: Variable, learning_rate: Any
    ) -> None:
        dtype = variable.dtype
        lr = convert_to_tensor(learning_rate, dtype)
        gradient = gradient.astype(dtype)
        epsilon_2 = jnp.asarray(self.epsilon_2, dtype)
        one = jnp.asarray(1.0, dtype)
        step = (self._iteration() + 1).astype(dtype)
        if not callable(self._learning_rate) and self.relative_step:
            lr = jnp.minimum(lr, 1 / jnp.sqrt(step))
        index = self._get_variable_index(variable)
        r, c, v = self._r[index], self._c[index], self._v[index]
        rho_t = jnp.minimum(lr, 1 / jnp.sqrt(step))
        alpha_t = jnp.maximum(epsilon_2, _rms(variable.value)) * rho_t
        grad_sq = jnp.square(gradient) + self.epsilon_1
        beta_2_t = 1 - jnp.power(step, self.beta_2_decay)
        if len(variable.shape) >= 2:
            r.assign(beta_2_t * r.value + (1 - beta_2_t) * jnp.mean(grad_sq, axis=-1))
            c.assign(beta_2_t * c.value + (1 - beta_2_t) * jnp.mean(grad_sq, axis=-2))
            row = r.value / jnp.mean(r.value, axis=-1, keepdims=True)
            v.assign(jnp.expand_dims(row, -1) * jnp.expand_dims(c.value, -2))
        else:
            v.assign(beta_2_t * v.value + (1 - beta_2_t) * grad_sq)
        u_t = gradient / jnp.sqrt(v.value)
        u_t_hat = u_t / jnp.maximum(one, _rms(u_t) / self.clip_threshold)
        variable.assign_sub(alpha_t * u_t_hat)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "beta_2_decay": self.beta_2_decay,
                "epsilon_1": self.epsilon_1,
                "epsilon_2": self.epsilon_2,
                "clip_threshold": self.clip_threshold,
                "relative_step": self.relative_step,
            }
        )
        return config
