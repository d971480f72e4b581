"""``UnitNormalization``: scale each example to unit L2 norm over ``axis``."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax.layers.layer import Layer
from kerax.layers.normalization.layer_normalization import standardize_axis
from kerax.layers.normalization.normalization_utils import check_axes
from kerax.registry import register

_EPSILON = 1e-12


@register("keras.layers")
class UnitNormalization(Layer):
    """``x / max(||x||, 1e-12)``, the L2 norm taken over ``axis`` (int or list).

    Example:
        >>> UnitNormalization()(jax.numpy.array([[3.0, 4.0]]))
        Array([[0.6, 0.8]], dtype=float32)
    """

    def __init__(self, axis: Any = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = standardize_axis(axis, f"UnitNormalization layer {self.name!r}")
        self.supports_masking = True

    def call(self, inputs: jax.Array) -> jax.Array:
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        axes = check_axes(self, axes, tuple(inputs.shape))
        squares = jnp.sum(jnp.square(inputs), axis=tuple(axes), keepdims=True)
        return inputs * jnp.minimum(jax.lax.rsqrt(squares), 1.0 / _EPSILON)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        check_axes(self, axes, tuple(input_shape))
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}
