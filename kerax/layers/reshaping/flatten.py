"""``Flatten``: one feature axis per sample."""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp

from kerax import config
from kerax.backend.keras_tensor import KerasTensor
from kerax.layers.input_spec import InputSpec
from kerax.layers.layer import Layer
from kerax.registry import register


@register("keras.layers")
class Flatten(Layer):
    """Flattens each sample: ``(batch, ...)`` becomes ``(batch, features)``.

    Args:
        data_format: ``"channels_last"`` or ``"channels_first"``; channels-first
            inputs are moved to channels-last before flattening, so the
            feature order matches a channels-last model. Default: the global
            image data format.
    """

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = config.standardize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs: jax.Array) -> jax.Array:
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = jnp.transpose(inputs, (0, *range(2, inputs.ndim), 1))
        return jnp.reshape(inputs, (inputs.shape[0], -1))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        rest = tuple(input_shape[1:])
        size = None if None in rest else math.prod(rest)
        return (input_shape[0], size)

    def compute_output_spec(self, inputs: KerasTensor, **kwargs: Any) -> KerasTensor:
        return KerasTensor(self.compute_output_shape(inputs.shape), inputs.dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format}
