"""``Identity``: returns its input unchanged."""

from __future__ import annotations

from typing import Any

from kerax.layers.layer import Layer
from kerax.registry import register


@register("keras.layers")
class Identity(Layer):
    """Returns its inputs unchanged (any structure); masks pass through."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs: Any) -> Any:
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape
