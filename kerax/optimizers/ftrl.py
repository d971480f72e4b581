"""FTRL-proximal (follow the regularized leader), as used for wide linear models."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp

from kerax.autodiff.variable import Variable
from kerax.backend.tensors import convert_to_tensor
from kerax.optimizers.optimizer import Optimizer
from kerax.registry import register


def _check_sign(value: float, argument: str, sign: str) -> None:
    bad = value > 0.0 if sign == "negative" else value < 0.0
    if bad:
        raise ValueError(
            f"`{argument}` needs to be {sign} or zero. Received: {argument}={value}."
        )


@register("keras.optimizers")
class Ftrl(Optimizer):
    """FTRL-proximal with L1, L2 and L2-shrinkage regularization.

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        learning_rate_power: power of the accumulator in the step (<= 0).
        initial_accumulator_value: the accumulators' starting value (>= 0).
        l1_regularization_strength: L1 strength (>= 0).
        l2_regularization_strength: L2 strength (>= 0).
        l2_shrinkage_regularization_strength: L2 penalty on the weights added
            to the gradient (>= 0).
        beta: the FTRL-proximal beta (added to L2 as ``beta / (2 lr)``).
        **kwargs: the base ``Optimizer`` arguments.
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        learning_rate_power: float = -0.5,
        initial_accumulator_value: float = 0.1,
        l1_regularization_strength: float = 0.0,
        l2_regularization_strength: float = 0.0,
        l2_shrinkage_regularization_strength: float = 0.0,
        beta: float = 0.0,
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
        _check_sign(initial_accumulator_value, "initial_accumulator_value", "positive")
        _check_sign(learning_rate_power, "learning_rate_power", "negative")
        _check_sign(
            l1_regularization_strength, "l1_regularization_strength", "positive"
        )
        _check_sign(
            l2_regularization_strength, "l2_regularization_strength", "positive"
        )
        _check_sign(
            l2_shrinkage_regularization_strength,
            "l2_shrinkage_regularization_strength",
            "positive",
        )
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, variables: Sequence[Variable]) -> None:
        if self.built:
            return
        super().build(variables)
        fill = functools.partial(jnp.full, fill_value=self.initial_accumulator_value)
        self._accumulators, self._linears = self.add_optimizer_variables(
            variables, ["accumulator", "linear"], initializer=[fill, "zeros"]
        )

    def update_step(
        self, gradient: jax.Array, variable: Variable, learning_rate: Any
    ) -> None:
        dtype = variable.dtype
        lr = convert_to_tensor(learning_rate, dtype)
        gradient = gradient.astype(dtype)
        index = self._get_variable_index(variable)
        accumulator, linear = self._accumulators[index], self._linears[index]
        power = jnp.asarray(-self.learning_rate_power, dtype)
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)
        shrinkage = 2 * self.l2_shrinkage_regularization_strength
        w = variable.value
        new_accumulator = accumulator.value + jnp.square(gradient)
        sigma = (
            jnp.power(new_accumulator, power) - jnp.power(accumulator.value, power)
        ) / lr
        linear.assign_add(gradient + shrinkage * w - sigma * w)
        quadratic = jnp.power(new_accumulator, power) / lr + 2 * l2
        l1 = self.l1_regularization_strength
        clipped = jnp.clip(linear.value, -l1, l1)
        variable.assign((clipped - linear.value) / quadratic)
        accumulator.assign(new_accumulator)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength": (
                    self.l2_shrinkage_regularization_strength
                ),
                "beta": self.beta,
            }
        )
        return config
