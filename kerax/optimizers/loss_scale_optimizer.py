"""``LossScaleOptimizer``: dynamic loss scaling around another optimizer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp

from kerax.autodiff.variable import Variable
from kerax.backend.tensors import convert_to_tensor
from kerax.optimizers.optimizer import Optimizer
from kerax.optimizers.serialization import deserialize, serialize
from kerax.registry import register

_INNER_ONLY = {
    "weight_decay": None,
    "clipnorm": None,
    "global_clipnorm": None,
    "clipvalue": None,
    "use_ema": False,
    "ema_momentum": 0.99,
    "ema_overwrite_frequency": None,
    "loss_scale_factor": None,
    "gradient_accumulation_steps": None,
}


@register("keras.optimizers")
class LossScaleOptimizer(Optimizer):
    """Scale the loss up to keep float16 gradients from underflowing.

    ``scale_loss(loss)`` multiplies by the current scale; ``apply`` divides
    the gradients by it and lets the inner optimizer step. If any gradient is
    not finite the step is skipped (variables and inner state unchanged) and
    the scale halves; after ``dynamic_growth_steps`` finite steps in a row it
    doubles.

    Args:
        inner_optimizer: the optimizer that takes the steps.
        initial_scale: the starting scale.
        dynamic_growth_steps: finite steps between doublings.
        name: the optimizer's name.
    """

    def __init__(
        self,
        inner_optimizer: Optimizer,
        initial_scale: float = 2.0**15,
        dynamic_growth_steps: int = 2000,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        if not kwargs.pop("dynamic", True):
            raise ValueError(
                "LossScaleOptimizer no longer supports `dynamic=False`. Instead, "
                "simply set `loss_scale_factor` directly on the `inner_optimizer`."
            )
        for argument, default in _INNER_ONLY.items():
            if argument in kwargs and kwargs.pop(argument) != default:
                raise ValueError(
                    f"LossScaleOptimizer does not support `{argument}`. Instead, "
                    f"set `{argument}` on the `inner_optimizer`."
                )
        if kwargs:
            raise ValueError(
                f"LossScaleOptimizer does not support arguments: {sorted(kwargs)}."
            )
        if not isinstance(inner_optimizer, Optimizer):
            raise TypeError(
                "LossScaleOptimizer expects a kerax Optimizer as `inner_optimizer`, "
                f"received {inner_optimizer!r}."
            )
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = dynamic_growth_steps
        self.inner_optimizer.loss_scale_factor = None

    def build(self, variables: Sequence[Variable]) -> None:
        if self.built:
            return
        self.step_counter = self.add_variable((), "zeros", "int32", name="step_counter")
        self.dynamic_scale = self.add_variable(
            (), float(self.initial_scale), "float32", name="dynamic_scale"
        )
        self.inner_optimizer.build(variables)
        super().build(variables)

    @property
    def variables(self) -> list[Variable]:
        """Own state (step counter, scale) followed by the inner optimizer's."""
        return self._variables + self.inner_optimizer.variables

    def check_finite(self, grads: Sequence[Any]) -> jax.Array:
        """True when every (non-None) gradient is finite everywhere."""
        checks = [
            jnp.all(jnp.isfinite(convert_to_tensor(g))) for g in grads if g is not None
        ]
        return jnp.all(jnp.stack(checks))

    def apply(
        self, grads: Sequence[Any], trainable_variables: Sequence[Any] | None = None
    ) -> None:
        """Unscale and apply finite gradients; skip the step otherwise."""
        grads = list(grads)
        if not self.built:
            if trainable_variables is None:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must "
                    "already be built on a list of variables. Call "
                    "`optimizer.build(trainable_variables)` first."
                )
            self.build(trainable_variables)
        finite = self.check_finite(grads)
        variables = (
            self._trainable_variables
            if trainable_variables is None
            else list(trainable_variables)
        )
        touched = variables + self.inner_optimizer.variables
        before = [v.value for v in touched]
        scale = self.dynamic_scale.value
        unscaled = [None if g is None else convert_to_tensor(g) / scale for g in grads]
        self.inner_optimizer.apply(unscaled, trainable_variables)
        for variable, old in zip(touched, before):
            variable.assign(jnp.where(finite, variable.value, old))
        grow = self.step_counter.value == self.dynamic_growth_steps - 1
        counter = jnp.where(finite & ~grow, self.step_counter.value + 1, 0)
        self.step_counter.assign(counter)
        grown = jnp.where(grow, scale * 2.0, scale)
        self.dynamic_scale.assign(jnp.where(finite, grown, scale * 0.5))

    @property
    def learning_rate(self) -> Any:
        """The inner optimizer's learning rate."""
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, learning_rate: Any) -> None:
        self.inner_optimizer.learning_rate = learning_rate

    @property
    def iterations(self) -> Any:
        """The inner optimizer's step count (skipped steps do not count)."""
        return self.inner_optimizer.iterations

    def scale_loss(self, loss: Any) -> Any:
        """Multiply ``loss`` by the current scale."""
        scale = self.dynamic_scale.value if self.built else self.initial_scale
        return loss * scale

    def finalize_variable_values(self, var_list: Sequence[Any]) -> None:
        self.inner_optimizer.finalize_variable_values(var_list)

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "inner_optimizer": serialize(self.inner_optimizer),
            "initial_scale": self.initial_scale,
            "dynamic_growth_steps": self.dynamic_growth_steps,
        }

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None
    ) -> LossScaleOptimizer:
        config = dict(config)
        inner = deserialize(config.pop("inner_optimizer"), custom_objects)
        return cls(inner, **config)
