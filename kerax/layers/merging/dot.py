"""``Dot``: per-sample dot products between two tensors."""

from __future__ import annotations

import string
from typing import Any

import jax
import jax.numpy as jnp

from kerax import config
from kerax.layers.merging.base_merge import Merge
from kerax.registry import register


def batch_dot(x: jax.Array, y: jax.Array, axes: tuple[int, int]) -> jax.Array:
    """Contract ``x``'s axis ``axes[0]`` with ``y``'s ``axes[1]``, per sample.

    The result has ``x``'s axes (without the contracted one) followed by
    ``y``'s (without batch and contracted axes); a rank-1 result becomes
    ``(batch, 1)``.
    """
    a0, a1 = axes
    letters = iter(string.ascii_letters)
    batch = next(letters)
    x_axes = [batch] + [next(letters) for _ in range(x.ndim - 1)]
    y_axes = [batch] + [next(letters) for _ in range(y.ndim - 1)]
    y_axes[a1] = x_axes[a0]
    out = [a for i, a in enumerate(x_axes) if i != a0]
    out += [a for i, a in enumerate(y_axes) if i not in (0, a1)]
    equation = f"{''.join(x_axes)},{''.join(y_axes)}->{''.join(out)}"
    result = jnp.einsum(equation, x, y)
    return result[:, None] if result.ndim == 1 else result


def l2_normalize(x: jax.Array, axis: int) -> jax.Array:
    """``x / ||x||`` along ``axis`` (the norm floored at ``epsilon``)."""
    square_sum = jnp.sum(jnp.square(x), axis=axis, keepdims=True)
    inverse = jnp.minimum(jax.lax.rsqrt(square_sum), 1.0 / config.epsilon())
    return x * inverse


@register("keras.layers")
class Dot(Merge):
    """Dot product of two tensors along ``axes``, sample by sample.

    For ``x`` of shape ``(batch, n)`` and ``y`` of shape ``(batch, n)`` the
    output is ``(batch, 1)``; in general the output keeps ``x``'s other axes
    then ``y``'s other non-batch axes.

    Args:
        axes: an int (same axis in both) or a pair of ints; never 0, the
            batch axis.
        normalize: L2-normalize both inputs along the axes first, which gives
            the cosine similarity.
    """

    def __init__(self, axes: Any, normalize: bool = False, **kwargs: Any) -> None:
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError(
                    "Dot: `axes` must be an int or a list of two ints. Received: "
                    f"axes={axes!r}"
                )
            if len(axes) != 2 or not all(isinstance(a, int) for a in axes):
                raise ValueError(
                    "Dot: `axes` must be an int or a list of two ints. Received: "
                    f"axes={axes!r}"
                )
        super().__init__(**kwargs)
        self.axes = axes
        self.normalize = normalize

    def _resolve_axes(self, shapes: Any) -> tuple[int, int]:
        pair = [self.axes, self.axes] if isinstance(self.axes, int) else self.axes
        axes = tuple(a % len(s) if a < 0 else a for a, s in zip(pair, shapes))
        for axis, shape in zip(axes, shapes):
            if axis == 0 or axis >= len(shape):
                raise ValueError(
                    f'Layer "{self.name}" (Dot): invalid axes={self.axes} for '
                    f"input shapes {[tuple(s) for s in shapes]}; axes must name "
                    "non-batch axes."
                )
        return axes

    def _check_pair(self, shapes: Any) -> tuple[int, int]:
        if not isinstance(shapes, (list, tuple)) or len(shapes) != 2:
            raise ValueError(
                f'Layer "{self.name}" (Dot) should be called on a list of 2 '
                f"inputs. Received: {shapes}"
            )
        shape1, shape2 = (tuple(s) for s in shapes)
        if len(shape1) < 2 or len(shape2) < 2:
            raise ValueError(
                f'Layer "{self.name}" (Dot) needs inputs of rank >= 2. Received '
                f"shapes {shape1} and {shape2}."
            )
        a0, a1 = self._resolve_axes((shape1, shape2))
        d1, d2 = shape1[a0], shape2[a1]
        if d1 is not None and d2 is not None and d1 != d2:
            raise ValueError(
                f'Layer "{self.name}" (Dot): incompatible input shapes: axis '
                f"values {d1} (at axis {a0}) != {d2} (at axis {a1}). Full input "
                f"shapes: {shape1}, {shape2}"
            )
        return a0, a1

    def build(self, input_shape: Any) -> None:
        self._check_pair(input_shape)

    def call(self, inputs: Any, mask: Any = None) -> jax.Array:
        axes = self._check_pair([x.shape for x in inputs])
        x, y = inputs
        if self.normalize:
            x = l2_normalize(x, axes[0])
            y = l2_normalize(y, axes[1])
        return batch_dot(x, y, axes)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        a0, a1 = self._check_pair(input_shape)
        shape1, shape2 = list(input_shape[0]), list(input_shape[1])
        output = [d for i, d in enumerate(shape1) if i != a0]
        output += [d for i, d in enumerate(shape2) if i not in (0, a1)]
        return tuple(output + [1] if len(output) == 1 else output)

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        return None

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}
