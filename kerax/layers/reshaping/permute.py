"""``Permute`` and ``RepeatVector``: reorder or repeat the axes of each sample."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax.backend.keras_tensor import KerasTensor
from kerax.layers.core._arguments import positive_int
from kerax.layers.input_spec import InputSpec
from kerax.layers.layer import Layer
from kerax.registry import register


@register("keras.layers")
class Permute(Layer):
    """Permutes the non-batch axes of the input.

    Args:
        dims: a permutation of ``1..rank-1`` (1-based: the batch axis is 0 and
            stays first). ``Permute((2, 1))`` swaps the two axes of a sequence.
    """

    def __init__(self, dims: Any, **kwargs: Any) -> None:
        dims = tuple(dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(
                "Permute: `dims` must be a permutation of 1..n (consecutive and "
                f"starting at 1; 0 is the batch axis). Received: dims={dims}"
            )
        super().__init__(**kwargs)
        self.dims = dims
        self.input_spec = InputSpec(ndim=len(dims) + 1)

    def call(self, inputs: jax.Array) -> jax.Array:
        return jnp.transpose(inputs, (0, *self.dims))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (input_shape[0], *(input_shape[d] for d in self.dims))

    def compute_output_spec(self, inputs: KerasTensor, **kwargs: Any) -> KerasTensor:
        return KerasTensor(self.compute_output_shape(inputs.shape), inputs.dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "dims": self.dims}


@register("keras.layers")
class RepeatVector(Layer):
    """Repeats a ``(batch, features)`` input ``n`` times: ``(batch, n, features)``.

    Args:
        n: positive int, the number of repetitions.
    """

    def __init__(self, n: int, **kwargs: Any) -> None:
        n = positive_int(n, "n", "RepeatVector")
        super().__init__(**kwargs)
        self.n = n
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs: jax.Array) -> jax.Array:
        return jnp.repeat(inputs[:, None, :], self.n, axis=1)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "n": self.n}
