"""Elementwise merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from kerax.layers.merging.base_merge import Merge, expand_mask
from kerax.registry import register


@register("keras.layers")
class Add(Merge):
    """Sums a list of tensors of the same (or broadcastable) shape."""

    def _merge_function(self, inputs: list, masks: list | None) -> jax.Array:
        output = inputs[0]
        for x in inputs[1:]:
            output = output + x
        return output


@register("keras.layers")
class Subtract(Merge):
    """``inputs[0] - inputs[1]`` for exactly two tensors."""

    def build(self, input_shape: Any) -> None:
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError(
                f'Layer "{self.name}" (Subtract) should be called on exactly 2 '
                f"inputs. Received: input_shape={input_shape}"
            )

    def _merge_function(self, inputs: list, masks: list | None) -> jax.Array:
        if len(inputs) != 2:
            raise ValueError(
                f'Layer "{self.name}" (Subtract) should be called on exactly 2 '
                f"inputs. Received {len(inputs)} inputs."
            )
        return inputs[0] - inputs[1]


@register("keras.layers")
class Multiply(Merge):
    """Elementwise product of a list of tensors.

    With masks, masked entries count as 1 in the product; where every input is
    masked the output is 0.
    """

    def _merge_function(self, inputs: list, masks: list | None) -> jax.Array:
        masks = masks or [None] * len(inputs)
        all_masked = all(m is not None for m in masks)
        output, output_mask = None, None
        for x, mask in zip(inputs, masks):
            if mask is not None:
                mask = expand_mask(mask, x)
                x = jnp.where(mask, x, jnp.ones_like(x))
                if all_masked:
                    output_mask = mask if output_mask is None else output_mask | mask
            output = x if output is None else output * x
        if output_mask is not None:
            output = jnp.where(output_mask, output, jnp.zeros_like(output))
        return output


@register("keras.layers")
class Average(Merge):
    """Elementwise mean of a list of tensors."""

    def _merge_function(self, inputs: list, masks: list | None) -> jax.Array:
        output = inputs[0]
        for x in inputs[1:]:
            output = output + x
        return output / len(inputs)


def _masked_reduce(
    op: Callable[[jax.Array, jax.Array], jax.Array],
    inputs: list,
    masks: list | None,
) -> jax.Array:
    """Combine with ``op``, letting masked entries take the other operand's value."""
    masks = masks or [None] * len(inputs)
    output, output_mask = None, None
    for x, mask in zip(inputs, masks):
        if mask is not None:
            mask = expand_mask(mask, x)
        if output is None:
            output, output_mask = x, mask
            continue
        if mask is not None:
            x = jnp.where(mask, x, output)
        if output_mask is not None:
            output = jnp.where(output_mask, output, x)
        output_mask = (
            output_mask | mask if mask is not None and output_mask is not None else None
        )
        output = op(output, x)
    return output


@register("keras.layers")
class Maximum(Merge):
    """Elementwise maximum of a list of tensors (masked entries are skipped)."""

    def _merge_function(self, inputs: list, masks: list | None) -> jax.Array:
        return _masked_reduce(jnp.maximum, inputs, masks)


@register("keras.layers")
class Minimum(Merge):
    """Elementwise minimum of a list of tensors (masked entries are skipped)."""

    def _merge_function(self, inputs: list, masks: list | None) -> jax.Array:
        return _masked_reduce(jnp.minimum, inputs, masks)
