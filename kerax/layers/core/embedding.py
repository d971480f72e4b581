"""``Embedding``: integer indices to dense vectors."""

from __future__ import annotations

import warnings
from typing import Any

import jax
import jax.numpy as jnp

from kerax import constraints, initializers, regularizers
from kerax.layers.core._arguments import positive_int
from kerax.layers.core._unsupported import reject_lora_and_quantization
from kerax.layers.layer import Layer
from kerax.registry import register


@register("keras.layers")
class Embedding(Layer):
    """Looks up rows of an ``(input_dim, output_dim)`` table by index.

    Args:
        input_dim: vocabulary size (largest index + 1).
        output_dim: size of each vector.
        embeddings_initializer: initializer of the table (default ``"uniform"``,
            i.e. uniform in [-0.05, 0.05]).
        embeddings_regularizer: penalty on the table.
        embeddings_constraint: constraint on the table.
        mask_zero: when True, index 0 is padding: the layer outputs a mask that
            is False where the input is 0.
        weights: optional initial table (``[array]`` or ``array``).
        lora_rank, lora_alpha, quantization_config: accepted only as ``None``.
        input_length: accepted for old code and ignored (with a warning).

    Input shape: ``(batch, ...)`` integers. Output: ``(batch, ..., output_dim)``.

    Example:
        >>> import numpy as np
        >>> layer = Embedding(10, 4)
        >>> layer(np.array([[1, 2, 3]])).shape
        (1, 3, 4)
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        embeddings_initializer: Any = "uniform",
        embeddings_regularizer: Any = None,
        embeddings_constraint: Any = None,
        mask_zero: bool = False,
        weights: Any = None,
        lora_rank: int | None = None,
        lora_alpha: float | None = None,
        quantization_config: Any = None,
        **kwargs: Any,
    ) -> None:
        input_dim = positive_int(input_dim, "input_dim", "Embedding")
        output_dim = positive_int(output_dim, "output_dim", "Embedding")
        reject_lora_and_quantization(
            "Embedding", lora_rank, lora_alpha, quantization_config
        )
        if kwargs.pop("input_length", None) is not None:
            warnings.warn(
                "Embedding: argument `input_length` is deprecated and ignored; "
                "remove it.",
                stacklevel=2,
            )
        super().__init__(**kwargs)
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.autocast = False
        if weights is not None:
            self.build()
            self.built = True
            if not (isinstance(weights, list) and len(weights) == 1):
                weights = [weights]
            self.set_weights(weights)

    def build(self, input_shape: Any = None) -> None:
        if self.built:
            return
        self.embeddings = self.add_weight(
            name="embeddings",
            shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer,
            regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint,
        )

    def call(self, inputs: jax.Array) -> jax.Array:
        if inputs.dtype not in (jnp.int32, jnp.int64):
            inputs = inputs.astype("int32")
        outputs = jnp.take(self.embeddings.value, inputs, axis=0)
        return outputs.astype(self.compute_dtype)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if not self.mask_zero:
            return None
        return jnp.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (*tuple(input_shape), self.output_dim)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(
                self.embeddings_initializer
            ),
            "embeddings_regularizer": regularizers.serialize(
                self.embeddings_regularizer
            ),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "quantization_config": None,
        }
