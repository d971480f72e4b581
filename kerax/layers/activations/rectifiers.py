"""Rectifier layers: ``ReLU``, ``LeakyReLU`` and ``ELU``."""

from __future__ import annotations

import warnings
from typing import Any

import jax

from kerax import activations
from kerax.layers.layer import Layer
from kerax.registry import register


def _non_negative(value: Any, name: str, layer: str, allow_none: bool) -> Any:
    if value is None and allow_none:
        return None
    if value is None or isinstance(value, bool) or value < 0:
        raise ValueError(
            f"{layer}: `{name}` must be a non-negative number"
            f"{' or None' if allow_none else ''}. Received: {name}={value!r}."
        )
    return value


@register("keras.layers")
class ReLU(Layer):
    """``max_value``-capped ReLU: ``x`` above ``threshold``, else a leak.

    ``f(x) = min(x, max_value)`` for ``x >= threshold`` and
    ``negative_slope * (x - threshold)`` otherwise.

    Args:
        max_value: ceiling (non-negative) or ``None``.
        negative_slope: slope below the threshold (non-negative).
        threshold: where the unit switches on (non-negative).
    """

    def __init__(
        self,
        max_value: float | None = None,
        negative_slope: float = 0.0,
        threshold: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.max_value = _non_negative(max_value, "max_value", "ReLU", True)
        self.negative_slope = _non_negative(
            negative_slope, "negative_slope", "ReLU", False
        )
        self.threshold = _non_negative(threshold, "threshold", "ReLU", False)
        self.supports_masking = True

    def call(self, inputs: jax.Array) -> jax.Array:
        return activations.relu(
            inputs,
            negative_slope=self.negative_slope,
            max_value=self.max_value,
            threshold=self.threshold,
        )

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "max_value": self.max_value,
            "negative_slope": self.negative_slope,
            "threshold": self.threshold,
        }


@register("keras.layers")
class LeakyReLU(Layer):
    """``x`` for ``x >= 0``, ``negative_slope * x`` otherwise.

    Args:
        negative_slope: non-negative slope for ``x < 0`` (default 0.3). The
            Keras 2 name ``alpha`` is accepted too.
    """

    def __init__(self, negative_slope: float = 0.3, **kwargs: Any) -> None:
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn(
                "LeakyReLU: argument `alpha` is deprecated; use `negative_slope`.",
                stacklevel=2,
            )
        super().__init__(**kwargs)
        self.negative_slope = _non_negative(
            negative_slope, "negative_slope", "LeakyReLU", False
        )
        self.supports_masking = True

    def call(self, inputs: jax.Array) -> jax.Array:
        return activations.leaky_relu(inputs, negative_slope=self.negative_slope)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "negative_slope": self.negative_slope}


@register("keras.layers")
class ELU(Layer):
    """Exponential linear unit: ``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` else.

    Args:
        alpha: scale of the negative part.
    """

    def __init__(self, alpha: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.alpha = alpha
        self.supports_masking = True

    def call(self, inputs: jax.Array) -> jax.Array:
        return activations.elu(inputs, alpha=self.alpha)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "alpha": self.alpha}
