"""``MultiHeadAttention``: scaled dot-product attention over several heads."""

from __future__ import annotations

from typing import Any

import jax

from kerax.backend.keras_tensor import KerasTensor
from kerax.layers.attention import _equations
from kerax.layers.attention._projected import ProjectedAttention
from kerax.registry import register


def _positive_int(value: Any, name: str, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        expected = "a positive integer" + (" or None" if allow_none else "")
        raise ValueError(
            f"MultiHeadAttention: `{name}` must be {expected}. "
            f"Received: {name}={value!r}"
        )


@register("keras.layers")
class MultiHeadAttention(ProjectedAttention):
    """Multi-head attention (Vaswani et al., 2017).

    Projects ``query`` to ``(..., num_heads, key_dim)``, ``key`` likewise and
    ``value`` to ``(..., num_heads, value_dim)``, attends with
    ``softmax(q k^T / sqrt(key_dim))`` over ``attention_axes`` in each head,
    and projects the heads back to ``output_shape`` (the query's last size by
    default).

    Args:
        num_heads: number of attention heads.
        key_dim: size of each head for query and key.
        value_dim: size of each head for value; ``key_dim`` by default.
        dropout: dropout rate on the attention weights while training.
        use_bias: whether the projections have biases.
        output_shape: the output's trailing shape (an int or tuple).
        attention_axes: input axes attended over; all axes between the batch
            axis and the features by default.
        sliding_window: if set, query ``i`` sees only keys with
            ``|i - j| < sliding_window``.
        flash_attention: accepted for Keras compatibility; XLA fuses the
            computation either way. ``True`` forbids dropout and returning
            scores, as in Keras.
        kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, activity_regularizer, kernel_constraint,
        bias_constraint: settings of the projection sublayers.
        use_gate: if True, a sigmoid gate projected from the query multiplies
            the attended values before the output projection.
        seed: seed of the dropout.

    Call arguments:
        query: ``(B, T, dim)`` (or more axes with ``attention_axes``).
        value: ``(B, S, dim)``.
        key: ``(B, S, dim)``; ``value`` by default.
        query_mask, value_mask, key_mask: boolean ``(B, T)`` / ``(B, S)``
            masks; masks are only taken from these arguments in kerax.
        attention_mask: boolean ``(B, T, S)``; True attends.
        return_attention_scores: also return the ``(B, num_heads, T, S)``
            attention weights (before dropout).
        training: apply dropout.
        use_causal_mask: query ``i`` attends only to keys ``j <= i``.

    Example:
        >>> layer = MultiHeadAttention(num_heads=2, key_dim=4)
        >>> layer(jnp.ones((1, 3, 8)), jnp.ones((1, 5, 8))).shape
        (1, 3, 8)
    """

    def __init__(
        self,
        num_heads: int,
        key_dim: int,
        value_dim: int | None = None,
        dropout: float = 0.0,
        use_bias: bool = True,
        output_shape: Any = None,
        attention_axes: Any = None,
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
        _positive_int(num_heads, "num_heads")
        _positive_int(key_dim, "key_dim")
        _positive_int(value_dim, "value_dim", allow_none=True)
        if output_shape:
            if isinstance(output_shape, int):
                output_shape = (output_shape,)
            if not isinstance(output_shape, (tuple, list)):
                raise ValueError(
                    "MultiHeadAttention: `output_shape` must be an int, tuple or "
                    f"list. Received: output_shape={output_shape!r}"
                )
            output_shape = tuple(output_shape)
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes and not isinstance(attention_axes, (list, tuple)):
            raise ValueError(
                "MultiHeadAttention: `attention_axes` must be an int, list or "
                f"tuple. Received: attention_axes={attention_axes!r}"
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
        self._num_heads = num_heads
        self._key_dim = key_dim
        self._value_dim = value_dim if value_dim else key_dim
        self._output_shape = output_shape
        self._attention_axes = attention_axes

    # Read-only views of the arguments and sublayers, as Keras exposes them.
    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    attention_axes = property(lambda self: self._attention_axes)
    query_dense = property(lambda self: self._query_dense)
    key_dense = property(lambda self: self._key_dense)
    value_dense = property(lambda self: self._value_dense)
    output_dense = property(lambda self: self._output_dense)

    def _normalized_axes(self, query_rank: int) -> tuple[int, ...]:
        """Attention axes as non-negative input axes, checked against the rank."""
        if self._attention_axes is None:
            return tuple(range(1, query_rank - 1))
        axes = tuple(a if a >= 0 else query_rank + a for a in self._attention_axes)
        if any(not 1 <= a <= query_rank - 2 for a in axes) or len(set(axes)) < len(
            axes
        ):
            raise ValueError(
                f"MultiHeadAttention {self.name!r}: `attention_axes` must be "
                f"distinct axes between 1 and {query_rank - 2} (not the batch or "
                f"feature axis) for a query of rank {query_rank}. Received: "
                f"attention_axes={self._attention_axes}"
            )
        return axes

    def _check_shapes(
        self, query_shape: tuple, value_shape: tuple, key_shape: Any
    ) -> tuple:
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if len(query_shape) < 3:
            raise ValueError(
                f"MultiHeadAttention {self.name!r}: `query` must have rank >= 3 "
                f"(batch, ..., features). Received: query_shape={query_shape}"
            )
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError(
                f"MultiHeadAttention {self.name!r}: all dimensions of `value` and "
                "`key`, except the last one, must be equal. Received: "
                f"value_shape={tuple(value_shape)} and key_shape={key_shape}"
            )
        return key_shape

    def build(
        self, query_shape: tuple, value_shape: tuple, key_shape: tuple | None = None
    ) -> None:
        full_key_shape = self._check_shapes(query_shape, value_shape, key_shape)
        heads = self._num_heads
        for name, shape, depth in (
            ("query", query_shape, self._key_dim),
            ("key", full_key_shape, self._key_dim),
            ("gate", query_shape, self._value_dim),
            ("value", value_shape, self._value_dim),
        ):
            if name == "gate" and not self._use_gate:
                continue
            equation, bias_axes, rank = _equations.projection_equation(
                len(shape) - 1, 1, 2
            )
            dense = self._built_dense(
                name,
                equation,
                [None] * (rank - 3) + [heads, depth],
                bias_axes,
                shape,
                activation="sigmoid" if name == "gate" else None,
            )
            setattr(self, f"_{name}_dense", dense)
        axes = self._normalized_axes(len(query_shape))
        self._attention_axes = axes
        self._equations = _equations.attention_equations(len(query_shape) + 1, axes)
        output_shape = self._output_shape or (query_shape[-1],)
        equation, bias_axes, rank = _equations.projection_equation(
            len(query_shape) - 1, 2, len(output_shape)
        )
        self._output_dense = self._built_dense(
            "attention_output",
            equation,
            [None] * (rank - 1 - len(output_shape)) + list(output_shape),
            bias_axes,
            tuple(query_shape[:-1]) + (heads, self._value_dim),
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
        projected = self._query_dense(query)
        output, weights = self._attend(
            projected,
            self._key_dense(key),
            self._value_dense(value),
            mask,
            self._equations,
            len(self._attention_axes),
            self._key_dim,
            # Keras's fused path (no dropout, no scores, one attention axis)
            # gives fully masked rows uniform weights; its softmax path zeros.
            zero_masked=bool(
                self._dropout > 0 or return_attention_scores or projected.ndim != 4
            ),
            training=training,
        )
        if gate is not None:
            output = output * gate
        output = self._output_dense(output)
        return (output, weights) if return_attention_scores else output

    def compute_output_shape(
        self, query_shape: tuple, value_shape: tuple, key_shape: tuple | None = None
    ) -> tuple:
        query_shape = tuple(query_shape)
        self._check_shapes(query_shape, tuple(value_shape), key_shape)
        if self._output_shape:
            return query_shape[:-1] + tuple(self._output_shape)
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
        heads = (self._num_heads, self._key_dim)
        scores = _equations.scores_shape(
            tuple(query.shape[:-1]) + heads,
            tuple((value if key is None else key).shape[:-1]) + heads,
            self._normalized_axes(len(query.shape)),
        )
        return output, KerasTensor(scores, self.compute_dtype)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_heads": self._num_heads,
            "key_dim": self._key_dim,
            "value_dim": self._value_dim,
            "dropout": self._dropout,
            "use_bias": self._use_bias,
            "use_gate": self._use_gate,
            "output_shape": self._output_shape,
            "attention_axes": self._attention_axes,
            "sliding_window": self._sliding_window,
            **self._common_config(),
        }
