"""``Reshape``: gives each sample a new shape."""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp

from kerax.backend.keras_tensor import KerasTensor
from kerax.layers.core._arguments import is_int
from kerax.layers.layer import Layer
from kerax.registry import register


def resolve_target_shape(layer: str, input_shape: tuple, target_shape: tuple) -> tuple:
    """``target_shape`` with its ``-1`` filled in (``None`` when unknowable)."""
    if None in input_shape:
        return tuple(None if d == -1 else d for d in target_shape)
    size = math.prod(input_shape)
    known = math.prod(d for d in target_shape if d != -1)
    if -1 not in target_shape:
        if size != known:
            raise ValueError(
                f"{layer}: the total size must be unchanged. Received: "
                f"input_shape={input_shape}, target_shape={target_shape}"
            )
        return target_shape
    if known == 0 or size % known:
        raise ValueError(
            f"{layer}: the input size {size} cannot be divided into "
            f"target_shape={target_shape}. Received: input_shape={input_shape}"
        )
    return tuple(size // known if d == -1 else d for d in target_shape)


@register("keras.layers")
class Reshape(Layer):
    """Reshapes each sample to ``target_shape`` (the batch axis is kept).

    Args:
        target_shape: the new shape without the batch axis; one entry may be
            ``-1``, inferred from the input size.

    Example:
        >>> import numpy as np
        >>> Reshape((3, -1))(np.ones((2, 12))).shape
        (2, 3, 4)
    """

    def __init__(self, target_shape: Any, **kwargs: Any) -> None:
        try:
            target_shape = tuple(target_shape)
        except TypeError:
            raise ValueError(
                "Reshape: `target_shape` must be a tuple of ints. Received: "
                f"target_shape={target_shape!r}"
            ) from None
        if (
            not all(is_int(d) and d >= -1 for d in target_shape)
            or target_shape.count(-1) > 1
        ):
            raise ValueError(
                "Reshape: each entry of `target_shape` must be a non-negative "
                "int, or -1 for at most one unknown size. Received: "
                f"target_shape={target_shape!r}"
            )
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (
            input_shape[0],
            *resolve_target_shape(
                f"Reshape {self.name!r}", tuple(input_shape[1:]), self.target_shape
            ),
        )

    def compute_output_spec(self, inputs: KerasTensor, **kwargs: Any) -> KerasTensor:
        return KerasTensor(self.compute_output_shape(inputs.shape), inputs.dtype)

    def call(self, inputs: jax.Array) -> jax.Array:
        return jnp.reshape(inputs, self.compute_output_shape(inputs.shape))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "target_shape": self.target_shape}
