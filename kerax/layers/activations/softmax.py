"""``Softmax``: normalized exponentials along an axis, with an optional mask."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import activations
from kerax.backend.dtypes import standardize_dtype
from kerax.layers.layer import Layer
from kerax.registry import register


def _large_negative(dtype: Any) -> float:
    return -3e4 if standardize_dtype(dtype) == "float16" else -1e9


@register("keras.layers")
class Softmax(Layer):
    """``exp(x) / sum(exp(x))`` along ``axis`` (an int or a tuple of ints).

    Call arguments:
        inputs: the logits.
        mask: booleans (or 0/1 values) broadcastable to ``inputs``; masked
            entries get probability 0 and do not count in the sum.
    """

    def __init__(self, axis: int | tuple[int, ...] = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True

    def _broadcast_mask(self, inputs: jax.Array, mask: Any) -> jax.Array:
        mask = jnp.asarray(mask)
        if mask.ndim > inputs.ndim or any(
            m not in (1, i) for m, i in zip(mask.shape[::-1], inputs.shape[::-1])
        ):
            raise ValueError(
                f"Softmax {self.name!r}: the mask must broadcast to the inputs; "
                f"received inputs.shape={tuple(inputs.shape)}, "
                f"mask.shape={tuple(mask.shape)}."
            )
        if mask.dtype != jnp.bool_:
            mask = mask > 0.5
        mask = jnp.reshape(mask, (1,) * (inputs.ndim - mask.ndim) + mask.shape)
        return jnp.broadcast_to(mask, inputs.shape)

    def call(self, inputs: jax.Array, mask: Any = None) -> jax.Array:
        if mask is not None:
            mask = self._broadcast_mask(inputs, mask)
            fill = jnp.full_like(inputs, _large_negative(inputs.dtype))
            inputs = jnp.where(mask, inputs, fill)
        if isinstance(self.axis, (tuple, list)) and len(self.axis) > 1:
            axis = tuple(self.axis)
            outputs = jnp.exp(
                inputs - jax.nn.logsumexp(inputs, axis=axis, keepdims=True)
            )
        else:
            axis = self.axis[0] if isinstance(self.axis, (tuple, list)) else self.axis
            outputs = activations.softmax(inputs, axis=axis)
        if mask is not None:
            outputs = jnp.where(mask, outputs, jnp.zeros_like(outputs))
        return outputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}
