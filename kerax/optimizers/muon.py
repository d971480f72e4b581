"""Muon: orthogonalized momentum for matrices, AdamW for everything else."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp

from kerax.autodiff.variable import Variable
from kerax.backend.tensors import convert_to_tensor
from kerax.optimizers.optimizer import Optimizer
from kerax.registry import register


def _swap_last_axes(x: jax.Array) -> jax.Array:
    return jnp.swapaxes(x, -1, -2)


@register("keras.optimizers")
class Muon(Optimizer):
    """Muon: momentum orthogonalized by a Newton-Schulz iteration.

    2-D variables (except embeddings and ``exclude_layers``) follow Muon:
    momentum, ``ns_steps`` quintic Newton-Schulz iterations with coefficients
    ``(muon_a, muon_b, muon_c)``, and a step scaled by ``sqrt(max(n, m)) *
    rms_rate``. All other variables follow AdamW with
    ``learning_rate * adam_lr_ratio`` and ``adam_weight_decay``.

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        adam_beta_1: AdamW's first-moment decay.
        adam_beta_2: AdamW's second-moment decay.
        adam_weight_decay: weight decay of the AdamW variables.
        epsilon: AdamW's epsilon.
        weight_decay: weight decay of the Muon variables.
        exclude_layers: regular expressions; matching variable paths use AdamW.
        exclude_embeddings: embeddings (paths containing "embedding") use AdamW.
        muon_a: first Newton-Schulz coefficient.
        muon_b: second Newton-Schulz coefficient.
        muon_c: third Newton-Schulz coefficient.
        adam_lr_ratio: AdamW's learning rate relative to ``learning_rate``.
        momentum: Muon's momentum.
        ns_steps: Newton-Schulz iterations.
        nesterov: use Nesterov momentum.
        rms_rate: update RMS scale (None disables the shape adjustment).
        **kwargs: the other base ``Optimizer`` arguments (``clipnorm``, ...).
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        adam_beta_1: float = 0.9,
        adam_beta_2: float = 0.999,
        adam_weight_decay: float = 0.004,
        epsilon: float = 1e-7,
        weight_decay: float = 0.004,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: int | None = None,
        loss_scale_factor: float | None = None,
        gradient_accumulation_steps: int | None = None,
        name: str | None = None,
        exclude_layers: Sequence[str] | None = None,
        exclude_embeddings: bool = True,
        muon_a: float = 3.4445,
        muon_b: float = -4.7750,
        muon_c: float = 2.0315,
        adam_lr_ratio: float = 1,
        momentum: float = 0.95,
        ns_steps: int = 5,
        nesterov: bool = True,
        rms_rate: float | None = 0.2,
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
        self.adam_beta_1 = adam_beta_1
        self.adam_beta_2 = adam_beta_2
        self.adam_weight_decay = adam_weight_decay
        self.epsilon = epsilon
        self.exclude_layers = list(exclude_layers or [])
        self.exclude_embeddings = exclude_embeddings
        self.muon_a = muon_a
        self.muon_b = muon_b
        self.muon_c = muon_c
        self.adam_lr_ratio = adam_lr_ratio
        self.momentum = momentum
        self.ns_steps = ns_steps
        self.nesterov = nesterov
        self.rms_rate = rms_rate

    def _should_use_adamw(self, variable: Any) -> bool:
        if len(variable.shape) != 2:
            return True
        if self.exclude_embeddings and "embedding" in variable.path.lower():
            return True
        return any(re.search(pattern, variable.path) for pattern in self.exclude_layers)

    def build(self, variables: Sequence[Variable]) -> None:
        if self.built:
            return
        super().build(variables)
        self.momentums: list[Variable] = []
        self.adam_velocities: list[Variable | None] = []
        for variable in variables:
            self.momentums.append(
                self.add_variable_from_reference(variable, "momentum")
            )
            velocity = None
            if self._should_use_adamw(variable):
                velocity = self.add_variable_from_reference(variable, "velocity")
            self.adam_velocities.append(velocity)

    def update_step(
        self, gradient: jax.Array, variable: Variable, learning_rate: Any
    ) -> None:
        index = self._get_variable_index(variable)
        lr = convert_to_tensor(learning_rate)
        m, v = self.momentums[index], self.adam_velocities[index]
        if v is not None:
            self._adamw_step(gradient, variable, lr * self.adam_lr_ratio, m, v)
            return
        m.assign_add(gradient + m.value * (self.momentum - 1))
        direction = gradient + self.momentum * m.value if self.nesterov else m.value
        update = lr * self._newton_schulz(direction, self.ns_steps)
        if self.rms_rate is not None:
            scale = jnp.sqrt(jnp.asarray(max(update.shape[0], update.shape[1])))
            update = update * scale * self.rms_rate
        variable.assign_sub(update)

    def _adamw_step(
        self, gradient: jax.Array, variable: Variable, lr: Any, m: Variable, v: Variable
    ) -> None:
        dtype = variable.dtype
        lr = convert_to_tensor(lr, dtype)
        gradient = gradient.astype(dtype)
        step = (self._iteration() + 1).astype(dtype)
        beta_1_power = jnp.power(jnp.asarray(self.adam_beta_1, dtype), step)
        beta_2_power = jnp.power(jnp.asarray(self.adam_beta_2, dtype), step)
        alpha = lr * jnp.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        m.assign_add((gradient - m.value) * (1 - self.adam_beta_1))
        v.assign_add((jnp.square(gradient) - v.value) * (1 - self.adam_beta_2))
        variable.assign_sub(m.value * alpha / (jnp.sqrt(v.value) + self.epsilon))

    def _newton_schulz(self, x: jax.Array, steps: int) -> jax.Array:
        """Approximately orthogonalize ``x`` (quintic Newton-Schulz iteration)."""
        a, b, c = self.muon_a, self.muon_b, self.muon_c
        tall = x.shape[-2] > x.shape[-1]
        if tall:
            x = _swap_last_axes(x)
        x = x / (jnp.linalg.norm(x, axis=(-2, -1), keepdims=True) + 1e-7)
        for _ in range(steps):
            gram = x @ _swap_last_axes(x)
            poly = b * gram + c * gram @ gram
            x = a * x + poly @ x
        return _swap_last_axes(x) if tall else x

    def _apply_weight_decay(self, variables: Sequence[Any]) -> None:
        for variable in variables:
            if not self._use_weight_decay(variable):
                continue
            if self._should_use_adamw(variable):
                rate = self.adam_weight_decay
            else:
                rate = self.weight_decay
            if rate is not None:
                self._decay_variable(variable, rate)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "adam_beta_1": self.adam_beta_1,
                "adam_beta_2": self.adam_beta_2,
                "epsilon": self.epsilon,
                "exclude_layers": self.exclude_layers,
                "muon_a": self.muon_a,
                "muon_b": self.muon_b,
                "muon_c": self.muon_c,
                "adam_lr_ratio": self.adam_lr_ratio,
                "momentum": self.momentum,
                "ns_steps": self.ns_steps,
                "nesterov": self.nesterov,
                "exclude_embeddings": self.exclude_embeddings,
                "adam_weight_decay": self.adam_weight_decay,
                "rms_rate": self.rms_rate,
            }
        )
        return config
