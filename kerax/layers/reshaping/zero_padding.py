"""``ZeroPadding1D/2D/3D``: add rows of zeros around the spatial axes."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import config
from kerax.layers.core._arguments import pairs
from kerax.layers.input_spec import InputSpec
from kerax.layers.layer import Layer
from kerax.layers.reshaping._spatial import spatial_axes
from kerax.registry import register


class _ZeroPadding(Layer):
    """Pads ``(before, after)`` zeros on each of ``rank`` spatial axes."""

    rank = 0

    def __init__(self, padding: Any, data_format: str | None, **kwargs: Any):
        pads = pairs(padding, self.rank, "padding", type(self).__name__)
        super().__init__(**kwargs)
        self.data_format = config.standardize_data_format(data_format)
        self._pads = pads
        self.padding = pads[0] if self.rank == 1 else pads
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _widths(self, ndim: int) -> list[tuple[int, int]]:
        widths = [(0, 0)] * ndim
        for axis, pad in zip(spatial_axes(self.data_format, self.rank), self._pads):
            widths[axis] = pad
        return widths

    def call(self, inputs: jax.Array) -> jax.Array:
        return jnp.pad(inputs, self._widths(inputs.ndim))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(
            None if size is None else size + before + after
            for size, (before, after) in zip(
                input_shape, self._widths(len(input_shape))
            )
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "padding": self.padding,
            "data_format": self.data_format,
        }


@register("keras.layers")
class ZeroPadding1D(_ZeroPadding):
    """Pads the steps axis of ``(batch, steps, features)`` inputs with zeros.

    Args:
        padding: an int (both ends) or ``(start, end)``.
        data_format: ``"channels_last"`` or ``"channels_first"``.
    """

    rank = 1

    def __init__(
        self, padding: Any = 1, data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(padding, data_format, **kwargs)


@register("keras.layers")
class ZeroPadding2D(_ZeroPadding):
    """Pads the height and width axes of images with zeros.

    Args:
        padding: an int, ``(symmetric_height, symmetric_width)``, or
            ``((top, bottom), (left, right))``.
        data_format: ``"channels_last"`` or ``"channels_first"``.
    """

    rank = 2

    def __init__(
        self, padding: Any = (1, 1), data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(padding, data_format, **kwargs)


@register("keras.layers")
class ZeroPadding3D(_ZeroPadding):
    """Pads the three spatial axes of volumes with zeros.

    Args:
        padding: an int, three symmetric ints, or three ``(start, end)`` pairs.
        data_format: ``"channels_last"`` or ``"channels_first"``.
    """

    rank = 3

    def __init__(
        self,
        padding: Any = ((1, 1), (1, 1), (1, 1)),
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(padding, data_format, **kwargs)
