"""``UpSampling1D/2D/3D``: enlarge the spatial axes by repetition or interpolation."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import config
from kerax.layers.core._arguments import int_tuple, is_int
from kerax.layers.input_spec import InputSpec
from kerax.layers.layer import Layer
from kerax.layers.reshaping._spatial import spatial_axes
from kerax.registry import register

_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5")


class _UpSampling(Layer):
    """Repeats each entry ``size[i]`` times along spatial axis ``i``."""

    rank = 0

    def __init__(self, size: Any, data_format: str | None, **kwargs: Any):
        name = type(self).__name__
        if self.rank == 1 and not is_int(size):
            raise TypeError(f"{name}: `size` must be an int, received {size!r}.")
        sizes = int_tuple(size, self.rank, "size", name, allow_zero=False)
        super().__init__(**kwargs)
        self.data_format = config.standardize_data_format(data_format)
        self._sizes = sizes
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _axes(self) -> tuple[int, ...]:
        return spatial_axes(self.data_format, self.rank)

    def call(self, inputs: jax.Array) -> jax.Array:
        for axis, factor in zip(self._axes(), self._sizes):
            inputs = jnp.repeat(inputs, factor, axis=axis)
        return inputs

    def compute_output_shape(self, input_shape: Any) -> tuple:
        output = list(input_shape)
        for axis, factor in zip(self._axes(), self._sizes):
            output[axis] = None if output[axis] is None else output[axis] * factor
        return tuple(output)


@register("keras.layers")
class UpSampling1D(_UpSampling):
    """Repeats each step of ``(batch, steps, features)`` inputs ``size`` times.

    Args:
        size: positive int.
    """

    rank = 1

    def __init__(self, size: int = 2, **kwargs: Any) -> None:
        super().__init__(size, "channels_last", **kwargs)
        self.size = self._sizes[0]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "size": self.size}


@register("keras.layers")
class UpSampling2D(_UpSampling):
    """Enlarges images by ``size`` = (rows, columns) factors.

    Args:
        size: an int or two positive ints.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        interpolation: ``"nearest"`` (repeat), ``"bilinear"``, ``"bicubic"``,
            ``"lanczos3"`` or ``"lanczos5"``.
    """

    rank = 2

    def __init__(
        self,
        size: Any = (2, 2),
        data_format: str | None = None,
        interpolation: str = "nearest",
        **kwargs: Any,
    ) -> None:
        super().__init__(size, data_format, **kwargs)
        self.size = self._sizes
        interpolation = str(interpolation).lower()
        if interpolation not in _INTERPOLATIONS:
            raise ValueError(
                f"UpSampling2D: `interpolation` must be one of {_INTERPOLATIONS}. "
                f"Received: interpolation={interpolation!r}"
            )
        self.interpolation = interpolation

    def call(self, inputs: jax.Array) -> jax.Array:
        if self.interpolation == "nearest":
            return super().call(inputs)
        shape = self.compute_output_shape(inputs.shape)
        return jax.image.resize(
            inputs, shape, method=self.interpolation, antialias=False
        ).astype(inputs.dtype)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "size": self.size,
            "data_format": self.data_format,
            "interpolation": self.interpolation,
        }


@register("keras.layers")
class UpSampling3D(_UpSampling):
    """Enlarges volumes by repeating entries ``size`` = (d1, d2, d3) times.

    Args:
        size: an int or three positive ints.
        data_format: ``"channels_last"`` or ``"channels_first"``.
    """

    rank = 3

    def __init__(
        self, size: Any = (2, 2, 2), data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(size, data_format, **kwargs)
        self.size = self._sizes

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "size": self.size,
            "data_format": self.data_format,
        }
