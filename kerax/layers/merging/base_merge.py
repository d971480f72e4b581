"""``Merge``: the base of layers that combine a list of tensors elementwise."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax.layers.layer import Layer


def broadcast_shapes(layer: str, shape1: Any, shape2: Any) -> tuple | None:
    """The shape of an elementwise result of two non-batch shapes (None: unknown)."""
    if shape1 is None or shape2 is None:
        return None
    if len(shape1) < len(shape2):
        shape1, shape2 = shape2, shape1
    if not shape2:
        return tuple(shape1)
    result = list(shape1[: len(shape1) - len(shape2)])
    for a, b in zip(shape1[len(shape1) - len(shape2) :], shape2):
        if a is None or b is None:
            result.append(None)
        elif a == 1 or b == 1 or a == b:
            result.append(b if a == 1 else a)
        else:
            raise ValueError(
                f'Layer "{layer}": inputs have incompatible shapes. Received '
                f"shapes {tuple(shape1)} and {tuple(shape2)}."
            )
    return tuple(result)


def _check_list(layer: Any, value: Any, what: str) -> None:
    if not isinstance(value, (list, tuple)) or not value:
        raise ValueError(
            f'Layer "{layer.name}" ({type(layer).__name__}) should be called on a '
            f"non-empty list of inputs. Received: {what}={value}"
        )


class Merge(Layer):
    """Base of elementwise merge layers; subclasses define ``_merge_function``.

    Inputs of lower rank get size-1 axes inserted after the batch axis, then
    the usual broadcasting applies.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def _merge_function(self, inputs: list, masks: list | None) -> jax.Array:
        raise NotImplementedError

    def build(self, input_shape: Any) -> None:
        _check_list(self, input_shape, "input_shape")
        if not all(isinstance(s, (list, tuple)) for s in input_shape):
            raise ValueError(
                f'Layer "{self.name}" should be called on a list of inputs. '
                f"Received: input_shape={input_shape}"
            )
        self.compute_output_shape(input_shape)

    def call(self, inputs: Any, mask: Any = None) -> jax.Array:
        _check_list(self, inputs, "inputs")
        rank = max(x.ndim for x in inputs)
        if any(x.ndim != rank for x in inputs):
            inputs = [
                jnp.reshape(x, (x.shape[0], *(1,) * (rank - x.ndim), *x.shape[1:]))
                for x in inputs
            ]
            mask = None
        masks = list(mask) if isinstance(mask, (list, tuple)) else None
        return self._merge_function(list(inputs), masks)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        _check_list(self, input_shape, "input_shape")
        batch_sizes = {s[0] for s in input_shape if s} - {None}
        if len(batch_sizes) > 1:
            raise ValueError(
                f'Layer "{self.name}" cannot merge tensors with different batch '
                f"sizes. Received tensors with shapes {list(input_shape)}"
            )
        output = tuple(input_shape[0][1:])
        for shape in input_shape[1:]:
            output = broadcast_shapes(self.name, output, tuple(shape[1:]))
        batch = batch_sizes.pop() if batch_sizes else None
        return (batch, *output)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)) or len(mask) != len(inputs):
            raise ValueError(
                f'Layer "{self.name}": `mask` should be a list with one entry per '
                f"input. Received: mask={mask}"
            )
        if any(m is None for m in mask):
            return None
        output = mask[0]
        for m in mask[1:]:
            output = jnp.logical_or(output, m)
        return output


def expand_mask(mask: jax.Array, x: jax.Array) -> jax.Array:
    """A per-timestep mask broadcast to the full shape of ``x``."""
    mask = jnp.asarray(mask, bool)
    if mask.ndim < x.ndim:
        mask = jnp.reshape(mask, (*mask.shape, *(1,) * (x.ndim - mask.ndim)))
    return jnp.broadcast_to(mask, x.shape)
