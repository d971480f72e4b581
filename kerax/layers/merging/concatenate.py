"""``Concatenate``: joins a list of tensors along one axis."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax.layers.merging.base_merge import Merge, expand_mask
from kerax.registry import register


@register("keras.layers")
class Concatenate(Merge):
    """Concatenates tensors that match in every axis but ``axis``.

    Args:
        axis: the axis to join along.
    """

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis

    def _mismatch(self, input_shape: Any) -> ValueError:
        return ValueError(
            f'Layer "{self.name}": a Concatenate layer requires inputs with '
            "matching shapes except for the concatenation axis "
            f"(axis={self.axis}). Received: input_shape={list(input_shape)}"
        )

    def build(self, input_shape: Any) -> None:
        if not isinstance(input_shape, (list, tuple)) or not all(
            isinstance(s, (list, tuple)) for s in input_shape
        ):
            raise ValueError(
                f'Layer "{self.name}" (Concatenate) should be called on a list '
                f"of inputs. Received: input_shape={input_shape}"
            )
        self.compute_output_shape(input_shape)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        if not isinstance(input_shape, (list, tuple)) or not input_shape:
            raise ValueError(
                f'Layer "{self.name}" (Concatenate) should be called on a list '
                f"of inputs. Received: input_shape={input_shape}"
            )
        rank = len(input_shape[0])
        if any(len(s) != rank for s in input_shape) or not -rank <= self.axis < rank:
            raise self._mismatch(input_shape)
        axis = self.axis % rank
        output = list(input_shape[0])
        for shape in input_shape[1:]:
            for i, size in enumerate(shape):
                if i == axis:
                    known = output[i] is not None and size is not None
                    output[i] = output[i] + size if known else None
                elif output[i] is None:
                    output[i] = size
                elif size is not None and size != output[i]:
                    raise self._mismatch(input_shape)
        return tuple(output)

    def call(self, inputs: Any, mask: Any = None) -> jax.Array:
        if not isinstance(inputs, (list, tuple)) or not inputs:
            raise ValueError(
                f'Layer "{self.name}" (Concatenate) should be called on a list '
                f"of inputs. Received: inputs={inputs}"
            )
        return jnp.concatenate(list(inputs), axis=self.axis)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)) or len(mask) != len(inputs):
            raise ValueError(
                f'Layer "{self.name}": `mask` should be a list with one entry per '
                f"input. Received: mask={mask}"
            )
        if all(m is None for m in mask):
            return None
        full = [
            jnp.ones(x.shape, bool) if m is None else expand_mask(m, x)
            for x, m in zip(inputs, mask)
        ]
        return jnp.any(jnp.concatenate(full, axis=self.axis), axis=-1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}
