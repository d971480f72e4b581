"""``Cropping1D/2D/3D``: remove borders from the spatial axes."""

from __future__ import annotations

from typing import Any

import jax

from kerax import config
from kerax.layers.core._arguments import pairs
from kerax.layers.input_spec import InputSpec
from kerax.layers.layer import Layer
from kerax.layers.reshaping._spatial import spatial_axes
from kerax.registry import register


class _Cropping(Layer):
    """Crops ``(before, after)`` entries from each of ``rank`` spatial axes."""

    rank = 0

    def __init__(self, cropping: Any, data_format: str | None, **kwargs: Any):
        name = type(self).__name__
        crops = pairs(cropping, self.rank, "cropping", name)
        super().__init__(**kwargs)
        self.data_format = config.standardize_data_format(data_format)
        self._crops = crops
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        output = list(input_shape)
        for axis, (before, after) in zip(
            spatial_axes(self.data_format, self.rank), self._crops
        ):
            if output[axis] is None:
                continue
            output[axis] -= before + after
            if output[axis] <= 0:
                raise ValueError(
                    f"{type(self).__name__} {self.name!r}: the cropping must be "
                    "smaller than the input's spatial size. Received: "
                    f"input_shape={tuple(input_shape)}, cropping={self.cropping}"
                )
        return tuple(output)

    def call(self, inputs: jax.Array) -> jax.Array:
        self.compute_output_shape(inputs.shape)
        index = [slice(None)] * inputs.ndim
        for axis, (before, after) in zip(
            spatial_axes(self.data_format, self.rank), self._crops
        ):
            index[axis] = slice(before, inputs.shape[axis] - after)
        return inputs[tuple(index)]

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "cropping": self.cropping,
            "data_format": self.data_format,
        }


@register("keras.layers")
class Cropping1D(_Cropping):
    """Crops a ``(batch, steps, features)`` input along the steps axis.

    Args:
        cropping: an int (both ends) or ``(start, end)``.
    """

    rank = 1

    def __init__(self, cropping: Any = (1, 1), **kwargs: Any) -> None:
        super().__init__(cropping, "channels_last", **kwargs)
        self.cropping = self._crops[0]

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["data_format"]
        return config


@register("keras.layers")
class Cropping2D(_Cropping):
    """Crops the height and width axes of images.

    Args:
        cropping: an int, ``(symmetric_height, symmetric_width)``, or
            ``((top, bottom), (left, right))``.
        data_format: ``"channels_last"`` or ``"channels_first"``.
    """

    rank = 2

    def __init__(
        self,
        cropping: Any = ((0, 0), (0, 0)),
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(cropping, data_format, **kwargs)
        self.cropping = self._crops


@register("keras.layers")
class Cropping3D(_Cropping):
    """Crops the three spatial axes of volumes.

    Args:
        cropping: an int, three symmetric ints, or three ``(start, end)`` pairs.
        data_format: ``"channels_last"`` or ``"channels_first"``.
    """

    rank = 3

    def __init__(
        self,
        cropping: Any = ((1, 1), (1, 1), (1, 1)),
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(cropping, data_format, **kwargs)
        self.cropping = self._crops
