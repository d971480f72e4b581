"""``ActivityRegularization``: adds an L1/L2 penalty on its input to the loss."""

from __future__ import annotations

from typing import Any

import jax

from kerax import regularizers
from kerax.layers.layer import Layer
from kerax.registry import register


@register("keras.layers")
class ActivityRegularization(Layer):
    """Returns its input unchanged and adds ``l1 * sum|x| + l2 * sum x^2`` to
    ``layer.losses``.

    Args:
        l1: L1 factor (non-negative).
        l2: L2 factor (non-negative).
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs: Any) -> None:
        for name, value in (("l1", l1), ("l2", l2)):
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or (value < 0)
            ):
                raise ValueError(
                    f"ActivityRegularization: `{name}` must be a non-negative "
                    f"number. Received: {name}={value!r}"
                )
        kwargs.pop("activity_regularizer", None)
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1 = l1
        self.l2 = l2
        self.supports_masking = True

    def call(self, inputs: jax.Array) -> jax.Array:
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.pop("activity_regularizer", None)
        return {**config, "l1": self.l1, "l2": self.l2}
