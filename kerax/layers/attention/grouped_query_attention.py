"""``GroupQueryAttention``: attention where groups of query heads share keys."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax.backend.keras_tensor import KerasTensor
from kerax.layers.attention._projected import ProjectedAttention
from kerax.registry import register

# (key, query) -> scores and (scores, value) -> output, as `_attend` expects.
_EQUATIONS = ("bkuh,bquh->buqk", "buqk,bkuh->bquh")


@register("keras.layers", "GroupQueryAttention")
class GroupedQueryAttention(ProjectedAttention):
    """Grouped-query attention (Ainslie et al., 2023).

    ``num_query_heads`` query heads share ``num_key_value_heads`` key/value
    heads: query head ``u`` attends with key/value head
    ``u // (num_query_heads // num_key_value_heads)``. One key/value head is
    multi-query attention; as many as query heads is multi-head attention.

    Args:
        head_dim: size of every head.
        num_query_heads: number of query heads.
        num_key_value_heads: number of key/value heads; divides
            ``num_query_heads``.
        dropout, use_bias, sliding_window, flash_attention,
        kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, activity_regularizer, kernel_constraint,
        bias_constraint, use_gate, seed: as in ``MultiHeadAttention``.

    Call arguments: as ``MultiHeadAttention``, for ``(B, T, dim)`` queries and
    ``(B, S, dim)`` keys and values; the scores have shape
    ``(B, num_query_heads, T, S)``.

    Example:
        >>> layer = GroupQueryAttention(head_dim=4, num_query_heads=4,
        ...                             num_key_value_heads=2)
        >>> layer(jnp.ones((1, 3, 8)), jnp.ones((1, 5, 8))).shape
        (1, 3, 8)
    """

    def __init__(
        self,
        head_dim: int,
        num_query_heads: int,
        num_key_value_heads: int,
        dropout: float = 0.0,
        use_bias: bool = True,
        sliding_window: int | None = None,
        flash_attention: bool | None = None,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        use_gate: bool = False,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        for name, value in (
            ("head_dim", head_dim),
            ("num_query_heads", num_query_heads),
            ("num_key_value_heads", num_key_value_heads),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(
                    f"GroupQueryAttention: `{name}` must be a positive integer. "
                    f"Received: {name}={value!r}"
                )
        if num_query_heads % num_key_value_heads:
            raise ValueError(
                "GroupQueryAttention: `num_query_heads` must be divisible by "
                f"`num_key_value_heads`. Received: num_query_heads="
                f"{num_query_heads}, num_key_value_heads={num_key_value_heads}"
            )
        super().__init__(
            dropout=dropout,
            use_bias=use_bias,
            sliding_window=sliding_window,
            flash_attention=flash_attention,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            use_gate=use_gate,
            seed=seed,
            **kwargs,
        )
        # As in Keras, the activity regularizer also applies to this layer's
        # own outputs, not only to its projections.
        self.activity_regularizer = self._activity_regularizer
        self.head_dim = head_dim
        self.num_query_heads = num_query_heads
        self.num_key_value_heads = num_key_value_heads
        self.num_repeats = num_query_heads // num_key_value_heads

    # Read-only views of the arguments, as Keras exposes them.
    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    use_gate = property(lambda self: self._use_gate)
    sliding_window = property(lambda self: self._sliding_window)

    def _check_shapes(
        self, query_shape: tuple, value_shape: tuple, key_shape: Any
    ) -> tuple:
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        for name, shape in (("query", query_shape), ("value", value_shape)):
            if len(shape) != 3:
                raise ValueError(
                    f"GroupQueryAttention {self.name!r}: `{name}` must have rank 3 "
                    f"(batch, length, features). Received: {name}_shape="
                    f"{tuple(shape)}"
                )
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError(
                f"GroupQueryAttention {self.name!r}: all dimensions of `value` and "
                "`key`, except the last one, must be equal. Received: "
                f"value_shape={tuple(value_shape)} and key_shape={key_shape}"
            )
        return key_shape

    def build(
        self, query_shape: tuple, value_shape: tuple, key_shape: tuple | None = None
    ) -> None:
        full_key_shape = self._check_shapes(query_shape, value_shape, key_shape)
        self.feature_dim = query_shape[-1]
        query_heads = [None, self.num_query_heads, self.head_dim]
        kv_heads = [None, self.num_key_value_heads, self.head_dim]
        self._query_dense = self._built_dense(
            "query", "bqm,muh->bquh", query_heads, "uh", query_shape
        )
        self._key_dense = self._built_dense(
            "key", "bkm,mvh->bkvh", kv_heads, "vh", full_key_shape
        )
        if self._use_gate:
            self._gate_dense = self._built_dense(
                "gate",
                "bqm,muh->bquh",
                query_heads,
                "uh",
                query_shape,
                activation="sigmoid",
            )
        self._value_dense = self._built_dense(
            "value", "bkm,mvh->bkvh", kv_heads, "vh", value_shape
        )
        self._output_dense = self._built_dense(
            "attention_output",
            "bquh,uhm->bqm",
            [None, self.feature_dim],
            "m",
            (None, None, self.num_query_heads, self.head_dim),
        )
        self._finish_build(query_shape, value_shape, key_shape)

    def call(
        self,
        query: jax.Array,
        value: jax.Array,
        key: jax.Array | None = None,
        query_mask: Any = None,
        value_mask: Any = None,
        key_mask: Any = None,
        attention_mask: Any = None,
        return_attention_scores: bool = False,
        training: Any = None,
        use_causal_mask: bool = False,
    ) -> Any:
        self._check_scores_request(return_attention_scores)
        key = value if key is None else key
        self._check_shapes(query.shape, value.shape, key.shape)
        mask = self._attention_mask(
            query,
            value,
            query_mask,
            value_mask,
            key_mask,
            attention_mask,
            use_causal_mask,
        )
        gate = self._gate_dense(query) if self._use_gate else None
        output, weights = self._attend(
            self._query_dense(query),
            jnp.repeat(self._key_dense(key), self.num_repeats, axis=2),
            jnp.repeat(self._value_dense(value), self.num_repeats, axis=2),
            mask,
            _EQUATIONS,
            1,
            self.head_dim,
            # Keras's fused path (no dropout, no scores) gives fully masked
            # rows uniform weights; its softmax path gives them zeros.
            zero_masked=bool(self._dropout > 0 or return_attention_scores),
            training=training,
        )
        if gate is not None:
            output = output * gate
        output = self._output_dense(output)
        return (output, weights) if return_attention_scores else output

    def compute_output_shape(
        self, query_shape: tuple, value_shape: tuple, key_shape: tuple | None = None
    ) -> tuple:
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        if query_shape[-1] != value_shape[-1]:
            raise ValueError(
                f"GroupQueryAttention {self.name!r}: the last dimension of "
                f"`query_shape` and `value_shape` must be equal, but are "
                f"{query_shape[-1]} and {value_shape[-1]}. Received: "
                f"query_shape={query_shape}, value_shape={value_shape}"
            )
        self._check_shapes(query_shape, value_shape, key_shape)
        return query_shape

    def compute_output_spec(
        self,
        query: KerasTensor,
        value: KerasTensor,
        key: KerasTensor | None = None,
        query_mask: Any = None,
        value_mask: Any = None,
        key_mask: Any = None,
        attention_mask: Any = None,
        return_attention_scores: bool = False,
        training: Any = None,
        use_causal_mask: bool = False,
    ) -> Any:
        self._check_scores_request(return_attention_scores)
        key_shape = None if key is None else key.shape
        output = KerasTensor(
            self.compute_output_shape(query.shape, value.shape, key_shape),
            self.compute_dtype,
        )
        if not return_attention_scores:
            return output
        length = (value if key is None else key).shape[1]
        scores = (query.shape[0], self.num_query_heads, query.shape[1], length)
        return output, KerasTensor(scores, self.compute_dtype)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.pop("activity_regularizer", None)
        return {
            **config,
            "head_dim": self.head_dim,
            "num_query_heads": self.num_query_heads,
            "num_key_value_heads": self.num_key_value_heads,
            "use_bias": self._use_bias,
            "use_gate": self._use_gate,
            "sliding_window": self._sliding_window,
            "dropout": self._dropout,
            **self._common_config(),
        }
