"""``AdditiveAttention``: Bahdanau-style attention of a query over values."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax.layers.attention.attention import Attention
from kerax.registry import register


@register("keras.layers")
class AdditiveAttention(Attention):
    """Attention with scores ``sum(scale * tanh(query + key))`` over features.

    Inputs, masks, outputs and call arguments are those of ``Attention``.

    Args:
        use_scale: learn a per-feature ``scale`` of shape ``(dim,)``
            (glorot-uniform initialized); otherwise the scale is 1.
        dropout: dropout rate on the attention weights while training.
        seed: seed of the dropout.

    Example:
        >>> layer = AdditiveAttention()
        >>> layer([jnp.ones((2, 3, 4)), jnp.ones((2, 5, 4))]).shape
        (2, 3, 4)
    """

    def __init__(self, use_scale: bool = True, dropout: float = 0.0, **kwargs: Any):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape: Any) -> None:
        self.scale = None
        if self.use_scale:
            self.scale = self.add_weight(
                name="scale",
                shape=(tuple(input_shape[0])[-1],),
                initializer="glorot_uniform",
                trainable=True,
            )

    def _calculate_scores(self, query: jax.Array, key: jax.Array) -> jax.Array:
        pairs = jnp.tanh(jnp.expand_dims(query, -2) + jnp.expand_dims(key, -3))
        if self.scale is not None:
            scale = self.scale.value.astype(pairs.dtype)
            pairs = jnp.reshape(scale, (1,) * (pairs.ndim - 1) + scale.shape) * pairs
        return jnp.sum(pairs, axis=-1)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["score_mode"]
        return config
