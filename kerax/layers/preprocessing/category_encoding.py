"""``CategoryEncoding``: integer features to one-hot, multi-hot or counts."""

from __future__ import annotations

from typing import Any

import jax

from kerax.layers.core._arguments import is_int
from kerax.layers.layer import Layer
from kerax.layers.preprocessing._encoding import (
    check_output_mode,
    encode,
    encoded_shape,
)
from kerax.registry import register


@register("keras.layers")
class CategoryEncoding(Layer):
    """Encodes integer category indices in ``[0, num_tokens)``.

    Args:
        num_tokens: the number of categories.
        output_mode: ``"one_hot"`` (a vector per index), ``"multi_hot"``
            (one vector per sample marking the indices present) or
            ``"count"`` (how often each index occurs; ``count_weights`` in
            ``call`` weighs them).
        sparse: not supported on JAX (must be False).

    Example:
        >>> layer = kerax.layers.CategoryEncoding(4, output_mode="count")
        >>> layer(np.array([[0, 1, 1], [3, 3, 2]]))
        Array([[1., 2., 0., 0.],
               [0., 0., 1., 2.]], dtype=float32)
    """

    def __init__(
        self,
        num_tokens: int | None = None,
        output_mode: str = "multi_hot",
        sparse: bool = False,
        **kwargs: Any,
    ) -> None:
        layer = type(self).__name__
        output_mode = check_output_mode(
            output_mode, layer, ("one_hot", "multi_hot", "count")
        )
        if num_tokens is None:
            raise ValueError(
                f"{layer}: `num_tokens` must be set. If the number of tokens is "
                "not known beforehand, use the IntegerLookup layer instead."
            )
        if not is_int(num_tokens) or num_tokens < 1:
            raise ValueError(
                f"{layer}: `num_tokens` must be an integer >= 1. Received: "
                f"num_tokens={num_tokens!r}."
            )
        if sparse:
            raise ValueError(f"{layer}: `sparse=True` is not supported on JAX.")
        super().__init__(**kwargs)
        self.num_tokens = int(num_tokens)
        self.output_mode = output_mode
        self.sparse = sparse

    def call(self, inputs: jax.Array, count_weights: Any = None) -> jax.Array:
        if count_weights is not None and self.output_mode != "count":
            raise ValueError(
                "CategoryEncoding: `count_weights` is only used when "
                f"`output_mode='count'`. Received output_mode={self.output_mode!r}."
            )
        return encode(
            inputs, self.output_mode, self.num_tokens, self.compute_dtype, count_weights
        )

    def compute_output_shape(self, input_shape: Any) -> Any:
        return encoded_shape(input_shape, self.output_mode, self.num_tokens)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_tokens": self.num_tokens,
            "output_mode": self.output_mode,
        }
