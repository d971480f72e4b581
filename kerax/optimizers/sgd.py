"""Stochastic gradient descent, with optional (Nesterov) momentum."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax

from kerax.autodiff.variable import Variable
from kerax.backend.tensors import convert_to_tensor
from kerax.optimizers.optimizer import Optimizer
from kerax.registry import register


@register("keras.optimizers")
class SGD(Optimizer):
    """Gradient descent with momentum.

    Without momentum: ``w -= learning_rate * g``. With momentum:
    ``velocity = momentum * velocity - learning_rate * g`` then ``w +=
    velocity``; Nesterov adds ``momentum * velocity - learning_rate * g``
    instead.

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.01.
        momentum: float in [0, 1]; 0 is plain gradient descent.
        nesterov: use Nesterov momentum.
        **kwargs: the base ``Optimizer`` arguments (``weight_decay``,
            ``clipnorm``, ``use_ema``, ``name``, ...).

    Example:
        >>> import jax.numpy as jnp
        >>> import kerax
        >>> w = kerax.Variable([1.0, 2.0])
        >>> SGD(learning_rate=0.1).apply([jnp.ones(2)], [w])
        >>> w.numpy()
        array([0.9, 1.9], dtype=float32)
    """

    def __init__(
        self,
        learning_rate: Any = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
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
        if not isinstance(momentum, float) or not 0 <= momentum <= 1:
            raise ValueError(
                f"`momentum` must be a float between [0, 1]. Received: {momentum!r}"
            )
        self.momentum = momentum
        self.nesterov = nesterov

    def build(self, variables: Sequence[Variable]) -> None:
        if self.built:
            return
        super().build(variables)
        self.momentums: list[Variable] = []
        if self.momentum != 0:
            self.momentums = self.add_optimizer_variables(variables, "momentum")

    def update_step(
        self, gradient: jax.Array, variable: Variable, learning_rate: Any
    ) -> None:
        lr = convert_to_tensor(learning_rate, variable.dtype)
        gradient = gradient.astype(variable.dtype)
        if self.momentum == 0:
            variable.assign_sub(gradient * lr)
            return
        velocity = self.momentums[self._get_variable_index(variable)]
        momentum = convert_to_tensor(self.momentum, variable.dtype)
        velocity.assign(velocity.value * momentum - gradient * lr)
        if self.nesterov:
            variable.assign_add(velocity.value * momentum - gradient * lr)
        else:
            variable.assign_add(velocity.value)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
