"""``Attention``: dot-product (Luong-style) attention of a query over values."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import random
from kerax.backend.keras_tensor import KerasTensor
from kerax.layers.attention import _masks
from kerax.layers.core._arguments import rate_in_unit_interval
from kerax.layers.layer import Layer
from kerax.registry import register

_SCORE_MODES = ("dot", "concat")


@register("keras.layers")
class Attention(Layer):
    """Attention of a ``(B, Tq, dim)`` query over ``(B, Tv, dim)`` values.

    Scores are ``query @ key^T`` (``score_mode="dot"``) or
    ``sum(tanh(query + key))`` (``"concat"``); their softmax over ``Tv``
    weights the values.

    Args:
        use_scale: learn a scalar ``scale`` multiplying the scores (inside the
            ``tanh`` for ``"concat"``).
        score_mode: ``"dot"`` or ``"concat"`` (which learns a scalar
            ``concat_score_weight``).
        dropout: dropout rate on the attention weights while training.
        seed: seed of the dropout.

    Call arguments:
        inputs: ``[query, value]`` or ``[query, value, key]`` (key defaults to
            value).
        mask: ``[query_mask, value_mask]``: masked values get no weight and
            masked query rows output zeros.
        training: apply dropout.
        return_attention_scores: also return the ``(B, Tq, Tv)`` weights
            (after dropout).
        use_causal_mask: query ``i`` attends only to values ``j <= i``.

    Example:
        >>> layer = Attention()
        >>> layer([jnp.ones((2, 3, 4)), jnp.ones((2, 5, 4))]).shape
        (2, 3, 4)
    """

    def __init__(
        self,
        use_scale: bool = False,
        score_mode: str = "dot",
        dropout: float = 0.0,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        layer = type(self).__name__
        if score_mode not in _SCORE_MODES:
            raise ValueError(
                f"{layer}: invalid `score_mode`. Expected one of {_SCORE_MODES}. "
                f"Received: score_mode={score_mode!r}"
            )
        rate_in_unit_interval(dropout, "dropout", layer)
        super().__init__(**kwargs)
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = dropout
        self.seed = seed
        if dropout > 0:
            self.seed_generator = random.SeedGenerator(seed)

    def _validate_inputs(self, inputs: Any, mask: Any = None) -> None:
        layer = f"{type(self).__name__} {self.name!r}"
        if not isinstance(inputs, (list, tuple)) or not 2 <= len(inputs) <= 3:
            raise ValueError(
                f"{layer} must be called on a list [query, value] or "
                f"[query, value, key]. Received: inputs={inputs!r}"
            )
        if mask is not None and (
            not isinstance(mask, (list, tuple)) or not 2 <= len(mask) <= 3
        ):
            raise ValueError(
                f"{layer}: `mask` must be a list [query_mask, value_mask]. "
                f"Received: mask={mask!r}"
            )
        shapes = [tuple(x.shape) for x in inputs]
        query_shape, value_shape = shapes[0], shapes[1]
        key_shape = shapes[2] if len(shapes) == 3 else value_shape
        if len(query_shape) < 2 or query_shape[-1] != key_shape[-1]:
            raise ValueError(
                f"{layer}: `query` and `key` must have the same last dimension "
                f"(key is value unless given). Received: query_shape={query_shape}"
                f", key_shape={key_shape}"
            )
        if value_shape[:-1] != key_shape[:-1]:
            raise ValueError(
                f"{layer}: `value` and `key` must have the same shape except for "
                f"the last dimension. Received: value_shape={value_shape}, "
                f"key_shape={key_shape}"
            )

    def build(self, input_shape: Any) -> None:
        self.scale = None
        self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(
                name="scale", shape=(), initializer="ones", trainable=True
            )
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(
                name="concat_score_weight", shape=(), initializer="ones"
            )

    def _calculate_scores(self, query: jax.Array, key: jax.Array) -> jax.Array:
        """``(B, Tq, Tv)`` scores of each query against each key."""
        dtype = query.dtype
        if self.score_mode == "dot":
            scores = jnp.matmul(query, jnp.swapaxes(key, -2, -1))
            if self.scale is None:
                return scores
            return scores * self.scale.value.astype(dtype)
        pairs = jnp.expand_dims(query, -2) + jnp.expand_dims(key, -3)
        if self.scale is not None:
            pairs = self.scale.value.astype(dtype) * pairs
        weight = self.concat_score_weight.value.astype(dtype)
        return weight * jnp.sum(jnp.tanh(pairs), axis=-1)

    def call(
        self,
        inputs: list,
        mask: list | None = None,
        training: Any = False,
        return_attention_scores: bool = False,
        use_causal_mask: bool = False,
    ) -> Any:
        self._validate_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) == 3 else value
        query_mask = mask[0] if mask else None
        value_mask = mask[1] if mask else None
        scores = self._calculate_scores(query, key)
        keep = None
        if value_mask is not None:
            keep = jnp.expand_dims(jnp.asarray(value_mask, bool), -2)
        if use_causal_mask:
            causal = _masks.causal_mask(scores.shape[-2], scores.shape[-1])
            keep = _masks.logical_and(keep, causal)
        if keep is not None:
            keep = _masks.expand_to_rank(keep, scores.ndim, 0)
            # As in Keras, masked scores are lowered by 1e9 (65504 in float16),
            # not replaced, so a fully masked row gets near-uniform weights.
            penalty = 65504.0 if scores.dtype == jnp.float16 else 1e9
            scores = jnp.where(keep, scores, scores - penalty)
        weights = jax.nn.softmax(scores, axis=-1)
        if training and self.dropout > 0:
            weights = random.dropout(weights, self.dropout, seed=self.seed_generator)
        output = jnp.matmul(weights, value)
        if query_mask is not None:
            rows = jnp.expand_dims(jnp.asarray(query_mask, bool), -1)
            output = jnp.where(rows, output, jnp.zeros((), output.dtype))
        return (output, weights) if return_attention_scores else output

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The output's mask is the query's mask."""
        self._validate_inputs(inputs, mask)
        if mask is None or mask[0] is None:
            return None
        return jnp.asarray(mask[0])

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (*tuple(input_shape[0])[:-1], tuple(input_shape[1])[-1])

    def compute_output_spec(
        self,
        inputs: list,
        mask: list | None = None,
        return_attention_scores: bool = False,
        training: Any = None,
        use_causal_mask: bool = False,
    ) -> Any:
        self._validate_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) == 3 else value
        output = KerasTensor(
            self.compute_output_shape([query.shape, value.shape]), self.compute_dtype
        )
        if not return_attention_scores:
            return output
        scores = (*query.shape[:-1], key.shape[-2])
        return output, KerasTensor(scores, self.compute_dtype)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "use_scale": self.use_scale,
            "score_mode": self.score_mode,
            "dropout": self.dropout,
            "seed": self.seed,
        }
