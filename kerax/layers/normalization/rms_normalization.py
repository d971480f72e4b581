"""``RMSNormalization``: divide by the root mean square, then scale."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax.layers.layer import Layer
from kerax.layers.normalization.layer_normalization import standardize_axis
from kerax.layers.normalization.normalization_utils import (
    broadcast_to_axes,
    check_axes,
    compute_dtype_of,
)
from kerax.registry import register


@register("keras.layers")
class RMSNormalization(Layer):
    """``x / sqrt(mean(x ** 2) + epsilon) * scale``, the mean taken over ``axis``.

    The weight ``scale`` has the sizes of the normalized axes.

    Example:
        >>> RMSNormalization()(jax.numpy.ones((2, 4))).shape
        (2, 4)
    """

    def __init__(self, axis: Any = -1, epsilon: float = 1e-6, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = standardize_axis(axis, f"RMSNormalization layer {self.name!r}")
        self.epsilon = epsilon

    def build(self, input_shape: Any) -> None:
        input_shape = tuple(input_shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        check_axes(self, axes, input_shape)
        self.axis = sorted(axes)
        self.scale = self.add_weight(
            name="scale",
            shape=tuple(input_shape[a] for a in self.axis),
            initializer="ones",
        )

    def call(self, inputs: jax.Array) -> jax.Array:
        x = inputs.astype(compute_dtype_of(inputs))
        axes = check_axes(self, self.axis, tuple(x.shape))
        mean_square = jnp.mean(jnp.square(x), axis=tuple(axes), keepdims=True)
        # ``scale`` is an autocast weight: read in the compute dtype, as in Keras.
        scale = self.scale.value.astype(self.compute_dtype).astype(x.dtype)
        scale = broadcast_to_axes(scale, axes, x.shape)
        outputs = x * jax.lax.rsqrt(mean_square + self.epsilon) * scale
        return outputs.astype(inputs.dtype)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        check_axes(self, axes, tuple(input_shape))
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}
