"""``Activation``: applies an activation function."""

from __future__ import annotations

from typing import Any

import jax

from kerax import activations
from kerax.layers.layer import Layer
from kerax.registry import register


@register("keras.layers")
class Activation(Layer):
    """Applies ``activation`` (a name such as ``"relu"`` or a callable).

    Example:
        >>> import numpy as np
        >>> Activation("relu")(np.array([-1.0, 2.0])).tolist()
        [0.0, 2.0]
    """

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.supports_masking = True

    def call(self, inputs: jax.Array) -> jax.Array:
        return self.activation(inputs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "activation": activations.serialize(self.activation),
        }
