"""``ReversibleEmbedding``: an embedding that can also map vectors back to logits."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax.backend.keras_tensor import KerasTensor
from kerax.layers.core.embedding import Embedding
from kerax.registry import register


@register("keras.layers")
class ReversibleEmbedding(Embedding):
    """An ``Embedding`` whose ``reverse=True`` call projects vectors to logits.

    ``layer(ids)`` looks vectors up as ``Embedding`` does; ``layer(x,
    reverse=True)`` computes ``x @ embeddings.T`` (or a separate
    ``reverse_embeddings`` kernel when ``tie_weights=False``): the usual
    tied input/output embedding of language models.

    Args:
        input_dim, output_dim, embeddings_initializer, embeddings_regularizer,
        embeddings_constraint, mask_zero: as in ``Embedding``.
        tie_weights: reuse the embedding table for the reverse projection.
        reverse_dtype: dtype of the reverse matmul (default: compute dtype).
        logit_soft_cap: if set, logits become ``cap * tanh(logits / cap)``.
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        tie_weights: bool = True,
        embeddings_initializer: Any = "uniform",
        embeddings_regularizer: Any = None,
        embeddings_constraint: Any = None,
        mask_zero: bool = False,
        reverse_dtype: Any = None,
        logit_soft_cap: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            input_dim,
            output_dim,
            embeddings_initializer=embeddings_initializer,
            embeddings_regularizer=embeddings_regularizer,
            embeddings_constraint=embeddings_constraint,
            mask_zero=mask_zero,
            **kwargs,
        )
        self.tie_weights = bool(tie_weights)
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = logit_soft_cap

    def build(self, input_shape: Any = None) -> None:
        if self.built:
            return
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(
                name="reverse_embeddings",
                shape=(self.output_dim, self.input_dim),
                initializer=self.embeddings_initializer,
            )

    def call(self, inputs: jax.Array, reverse: bool = False) -> jax.Array:
        if not reverse:
            return super().call(inputs)
        if self.tie_weights:
            kernel = jnp.transpose(self.embeddings.value)
        else:
            kernel = self.reverse_embeddings.value
        dtype = self.reverse_dtype or self.compute_dtype
        logits = jnp.matmul(inputs.astype(dtype), kernel.astype(dtype))
        if self.logit_soft_cap is not None:
            cap = self.logit_soft_cap
            logits = jnp.tanh(logits / cap) * cap
        return logits

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if not jnp.issubdtype(jnp.asarray(inputs).dtype, jnp.integer):
            return None
        return super().compute_mask(inputs, mask)

    def compute_output_shape(self, input_shape: Any, reverse: bool = False) -> tuple:
        if reverse:
            return (*tuple(input_shape)[:-1], self.input_dim)
        return super().compute_output_shape(input_shape)

    def compute_output_spec(
        self, inputs: KerasTensor, reverse: bool = False
    ) -> KerasTensor:
        shape = self.compute_output_shape(inputs.shape, reverse=reverse)
        dtype = (self.reverse_dtype or self.compute_dtype) if reverse else None
        return KerasTensor(shape, dtype or self.compute_dtype)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "tie_weights": self.tie_weights,
            "reverse_dtype": self.reverse_dtype,
            "logit_soft_cap": self.logit_soft_cap,
        }
