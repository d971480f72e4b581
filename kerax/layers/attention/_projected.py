"""Shared machinery of the projected (multi-head) attention layers.

``MultiHeadAttention`` and ``GroupedQueryAttention`` both project query, key
and value with ``EinsumDense`` sublayers, mask, take a softmax over the
attention axes, drop attention weights while training and project back. This
private base holds that machinery; the subclasses choose the equations.

Masks: kerax arrays carry no ``_keras_mask``, so these layers take masks only
through the explicit ``query_mask``/``value_mask``/``key_mask`` and
``attention_mask`` call arguments (in a Functional model, pass mask tensors to
them like any other input).
"""

from __future__ import annotations

import inspect
import math
from typing import Any

import jax
import jax.numpy as jnp

from kerax import constraints, initializers, random, regularizers
from kerax.layers.attention import _masks
from kerax.layers.core._arguments import rate_in_unit_interval
from kerax.layers.core.einsum_dense import EinsumDense
from kerax.layers.layer import Layer, name_scope_if_nested, state_scope_allow_creation

_TENSOR_ARGUMENTS = ("query", "value", "key")


def _clone_initializer(initializer: Any) -> Any:
    """A fresh copy, so no two sublayers share an initializer object."""
    if hasattr(initializer, "get_config") and hasattr(initializer, "from_config"):
        return type(initializer).from_config(initializer.get_config())
    return initializer


class ProjectedAttention(Layer):
    """Base of layers that attend between einsum projections of their inputs.

    Subclasses define ``build(query_shape, value_shape, key_shape=None)`` and
    ``call``; this base builds them from the shapes of the ``query``,
    ``value`` and ``key`` call arguments (as Keras names build arguments).
    """

    def __init__(
        self,
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
        layer = type(self).__name__
        rate_in_unit_interval(dropout, "dropout", layer)
        if sliding_window is not None and (
            isinstance(sliding_window, bool)
            or not isinstance(sliding_window, int)
            or sliding_window <= 0
        ):
            raise ValueError(
                f"{layer}: `sliding_window` must be None or a positive integer. "
                f"Received: sliding_window={sliding_window!r}"
            )
        if flash_attention and dropout > 0:
            raise ValueError(
                f"{layer}: dropout is not supported when flash attention is "
                f"enabled. Received: flash_attention={flash_attention}, "
                f"dropout={dropout}; set dropout=0.0 or flash_attention=None."
            )
        super().__init__(**kwargs)
        self.supports_masking = True
        self._dropout = dropout
        self._use_bias = use_bias
        self._use_gate = use_gate
        self._sliding_window = sliding_window
        self._flash_attention = bool(flash_attention)
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        if dropout > 0:
            self.seed_generator = random.SeedGenerator(seed)

    # -- building from the query/value/key shapes ------------------------------
    def _maybe_build(self, args: tuple, kwargs: dict) -> None:
        if self.built:
            return
        try:
            bound = inspect.signature(self.call).bind(*args, **kwargs).arguments
        except TypeError as error:
            raise TypeError(f"{type(self).__name__} {self.name!r}: {error}") from None
        shapes = {
            f"{name}_shape": tuple(bound[name].shape)
            for name in _TENSOR_ARGUMENTS
            if bound.get(name) is not None
        }
        self.build_from_config({"shapes_dict": shapes})
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def get_build_config(self) -> dict[str, Any] | None:
        if self._build_shapes_dict is None:
            return None
        return {"shapes_dict": dict(self._build_shapes_dict)}

    def build_from_config(self, config: dict[str, Any] | None) -> None:
        if not config or self.built:
            return
        shapes = {k: tuple(v) for k, v in config["shapes_dict"].items()}
        with name_scope_if_nested(self.name), state_scope_allow_creation():
            self.build(**shapes)

    def _finish_build(
        self, query_shape: tuple, value_shape: tuple, key_shape: Any
    ) -> None:
        """Mark the layer built (also after a direct ``build`` call)."""
        shapes = {"query_shape": tuple(query_shape), "value_shape": tuple(value_shape)}
        if key_shape is not None:
            shapes["key_shape"] = tuple(key_shape)
        self._build_shapes_dict = shapes
        self.built = True

    def _sublayer_kwargs(self) -> dict[str, Any]:
        return {
            "kernel_initializer": _clone_initializer(self._kernel_initializer),
            "bias_initializer": _clone_initializer(self._bias_initializer),
            "kernel_regularizer": self._kernel_regularizer,
            "bias_regularizer": self._bias_regularizer,
            "activity_regularizer": self._activity_regularizer,
            "kernel_constraint": self._kernel_constraint,
            "bias_constraint": self._bias_constraint,
            "dtype": self.dtype_policy,
        }

    def _built_dense(
        self,
        name: str,
        equation: str,
        output_shape: list,
        bias_axes: str,
        input_shape: tuple,
        activation: Any = None,
    ) -> EinsumDense:
        """An ``EinsumDense`` sublayer built for ``input_shape``."""
        dense = EinsumDense(
            equation,
            output_shape=output_shape,
            bias_axes=bias_axes if self._use_bias else None,
            activation=activation,
            name=name,
            **self._sublayer_kwargs(),
        )
        dense.build(input_shape)
        dense._build_shapes_dict = input_shape
        dense.built = True
        return dense

    # -- the attention computation --------------------------------------------
    def _attention_mask(
        self,
        query: jax.Array,
        value: jax.Array,
        query_mask: Any,
        value_mask: Any,
        key_mask: Any,
        attention_mask: Any,
        use_causal_mask: bool,
    ) -> jax.Array | None:
        return _masks.combine_masks(
            query.shape[1],
            value.shape[1],
            query_mask=query_mask,
            value_mask=value_mask,
            key_mask=key_mask,
            attention_mask=attention_mask,
            use_causal_mask=use_causal_mask,
            sliding_window=self._sliding_window,
        )

    def _check_scores_request(self, return_attention_scores: bool) -> None:
        if self._flash_attention and return_attention_scores:
            raise ValueError(
                f"{type(self).__name__} {self.name!r}: attention scores cannot be "
                "returned when flash attention is enabled. Pass "
                "flash_attention=None to get return_attention_scores=True."
            )

    def _attend(
        self,
        query: jax.Array,
        key: jax.Array,
        value: jax.Array,
        mask: jax.Array | None,
        equations: tuple[str, str],
        num_axes: int,
        depth: int,
        zero_masked: bool,
        training: Any,
    ) -> tuple[jax.Array, jax.Array]:
        """``(output, weights)`` of scaled dot-product attention over projections.

        ``weights`` are the softmax before dropout; a fully masked row gets
        zero weights when ``zero_masked``, else uniform weights.
        """
        dot_product, combine = equations
        query = query * jnp.asarray(1.0 / math.sqrt(float(depth)), query.dtype)
        scores = jnp.einsum(dot_product, key, query)
        if mask is not None:
            mask = self._mask_for_scores(mask, scores.shape, num_axes)
        axes = tuple(range(scores.ndim - num_axes, scores.ndim))
        weights = _masks.masked_softmax(scores, mask, axes, zero_masked)
        kept = weights
        if training and self._dropout > 0:
            kept = random.dropout(weights, self._dropout, seed=self.seed_generator)
        return jnp.einsum(combine, kept, value), weights

    def _mask_for_scores(self, mask: jax.Array, shape: tuple, num_axes: int) -> Any:
        """The mask with size-1 axes for heads and batch axes it lacks."""
        if mask.ndim <= len(shape):
            mask = _masks.expand_to_rank(mask, len(shape), -2 * num_axes - 1)
        if mask.ndim != len(shape) or any(
            m not in (1, s) for m, s in zip(mask.shape, shape)
        ):
            raise ValueError(
                f"{type(self).__name__} {self.name!r}: the attention mask (from "
                "attention_mask, query_mask, value_mask, key_mask and the causal "
                f"mask) has shape {tuple(mask.shape)}, which does not broadcast to "
                f"the attention scores of shape {tuple(shape)}. Expected a mask "
                "of shape (batch, query_length, key_length)."
            )
        return mask

    def compute_mask(self, query: Any, mask: Any = None) -> Any:
        """The output's mask is the query's mask."""
        if isinstance(mask, (list, tuple)):
            return mask[0] if mask else None
        return mask

    def _common_config(self) -> dict[str, Any]:
        return {
            "kernel_initializer": initializers.serialize(self._kernel_initializer),
            "bias_initializer": initializers.serialize(self._bias_initializer),
            "kernel_regularizer": regularizers.serialize(self._kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self._bias_regularizer),
            "activity_regularizer": regularizers.serialize(self._activity_regularizer),
            "kernel_constraint": constraints.serialize(self._kernel_constraint),
            "bias_constraint": constraints.serialize(self._bias_constraint),
            "seed": self.seed,
        }
