"""Adaptive pooling: max or mean over windows chosen to give a fixed output size."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerax.layers.convolutional import conv_utils
from kerax.layers.input_spec import InputSpec
from kerax.layers.layer import Layer
from kerax.registry import register


def _window_indices(size: int, out: int) -> tuple[np.ndarray, np.ndarray]:
    """Gather indices ``(out, widest)`` of each window, and which are real.

    Window ``i`` covers ``[floor(i * size / out), ceil((i + 1) * size / out))``;
    narrower windows repeat their last index and mark the repeats not real.
    """
    starts = (np.arange(out) * size) // out
    ends = -((-(np.arange(1, out + 1)) * size) // out)
    widths = ends - starts
    offsets = np.arange(widths.max())[None, :]
    indices = starts[:, None] + np.minimum(offsets, widths[:, None] - 1)
    return indices, offsets < widths[:, None]


def adaptive_pool(
    x: jax.Array, output_size: tuple[int, ...], mode: str, data_format: str
) -> jax.Array:
    """Pool each spatial axis into ``output_size`` windows (max or mean).

    Windows may overlap by one element and differ in width by one. Both
    reductions are separable over axes, so the axes are pooled one at a time:
    gather every window's elements, then reduce over the window axis.
    """
    axes = conv_utils.spatial_axes(len(output_size), data_format)
    for axis, out in zip(axes, output_size):
        indices, real = _window_indices(x.shape[axis], out)
        split = x.shape[:axis] + indices.shape + x.shape[axis + 1 :]
        windows = jnp.reshape(jnp.take(x, indices.ravel(), axis=axis), split)
        if mode == "max":
            x = jnp.max(windows, axis=axis + 1)
            continue
        weight_shape = [1] * windows.ndim
        weight_shape[axis : axis + 2] = real.shape
        weights = jnp.reshape(jnp.asarray(real, x.dtype), weight_shape)
        total = jnp.sum(windows * weights, axis=axis + 1)
        count_shape = weight_shape[: axis + 1] + weight_shape[axis + 2 :]
        x = total / jnp.reshape(jnp.asarray(real.sum(axis=1), x.dtype), count_shape)
    return x


class BaseAdaptivePooling(Layer):
    """Pools any spatial size down (or up) to ``output_size``.

    Subclasses set ``mode`` to ``"max"`` or ``"average"``.
    """

    mode = "max"

    def __init__(
        self,
        output_size: Any,
        pool_dimensions: int,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = f"{type(self).__name__} layer {self.name!r}"
        self.output_size = conv_utils.standardize_tuple(
            output_size, pool_dimensions, "output_size", owner
        )
        self.data_format = conv_utils.standardize_data_format(data_format, owner)
        self.pool_dimensions = pool_dimensions
        self.input_spec = InputSpec(ndim=pool_dimensions + 2)

    def call(self, inputs: jax.Array) -> jax.Array:
        return adaptive_pool(inputs, self.output_size, self.mode, self.data_format)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        input_shape = tuple(input_shape)
        if len(input_shape) != self.pool_dimensions + 2:
            raise ValueError(
                f"{type(self).__name__} layer {self.name!r} expects inputs of rank "
                f"{self.pool_dimensions + 2}, received input shape {input_shape}."
            )
        if self.data_format == "channels_last":
            return (input_shape[0], *self.output_size, input_shape[-1])
        return (input_shape[0], input_shape[1], *self.output_size)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "output_size": self.output_size,
            "data_format": self.data_format,
        }


@register("keras.layers")
class AdaptiveMaxPooling1D(BaseAdaptivePooling):
    """Maximum over adaptive windows of 1D inputs, giving ``output_size``."""

    mode = "max"

    def __init__(
        self, output_size: Any, data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(output_size, 1, data_format, **kwargs)


@register("keras.layers")
class AdaptiveMaxPooling2D(BaseAdaptivePooling):
    """Maximum over adaptive windows of 2D inputs, giving ``output_size``."""

    mode = "max"

    def __init__(
        self, output_size: Any, data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(output_size, 2, data_format, **kwargs)


@register("keras.layers")
class AdaptiveMaxPooling3D(BaseAdaptivePooling):
    """Maximum over adaptive windows of 3D inputs, giving ``output_size``."""

    mode = "max"

    def __init__(
        self, output_size: Any, data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(output_size, 3, data_format, **kwargs)


@register("keras.layers")
class AdaptiveAveragePooling1D(BaseAdaptivePooling):
    """Mean over adaptive windows of 1D inputs, giving ``output_size``."""

    mode = "average"

    def __init__(
        self, output_size: Any, data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(output_size, 1, data_format, **kwargs)


@register("keras.layers")
class AdaptiveAveragePooling2D(BaseAdaptivePooling):
    """Mean over adaptive windows of 2D inputs, giving ``output_size``."""

    mode = "average"

    def __init__(
        self, output_size: Any, data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(output_size, 2, data_format, **kwargs)


@register("keras.layers")
class AdaptiveAveragePooling3D(BaseAdaptivePooling):
    """Mean over adaptive windows of 3D inputs, giving ``output_size``."""

    mode = "average"

    def __init__(
        self, output_size: Any, data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(output_size, 3, data_format, **kwargs)
