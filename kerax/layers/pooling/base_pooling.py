"""``BasePooling``: windowed max or average pooling over 1-3 spatial axes."""

from __future__ import annotations

from typing import Any

import jax

from kerax.layers.convolutional import conv_utils
from kerax.layers.input_spec import InputSpec
from kerax.layers.layer import Layer
from kerax.layers.pooling import pool_ops


class BasePooling(Layer):
    """Reduce each ``pool_size`` window, moved by ``strides`` (default: ``pool_size``).

    Args:
        pool_size: window size, an int or one int per spatial axis.
        strides: window step; None means ``pool_size`` (non-overlapping).
        pool_dimensions: number of spatial axes (1, 2 or 3).
        pool_mode: ``"max"`` or ``"average"``.
        padding: ``"valid"`` (drop partial windows) or ``"same"`` (pad so the
            output size is ``ceil(size / stride)``).
        data_format: ``"channels_last"`` or ``"channels_first"``; None means
            ``kerax.config.image_data_format()``.
    """

    def __init__(
        self,
        pool_size: Any,
        strides: Any,
        pool_dimensions: int,
        pool_mode: str = "max",
        padding: str = "valid",
        data_format: str | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name, **kwargs)
        owner = f"{type(self).__name__} layer {self.name!r}"
        self.pool_size = conv_utils.standardize_tuple(
            pool_size, pool_dimensions, "pool_size", owner
        )
        self.strides = conv_utils.standardize_tuple(
            pool_size if strides is None else strides, pool_dimensions, "strides", owner
        )
        self.padding = conv_utils.standardize_padding(padding, owner)
        self.data_format = conv_utils.standardize_data_format(data_format, owner)
        if pool_mode not in ("max", "average"):
            raise ValueError(
                f"{owner}: `pool_mode` must be 'max' or 'average', received "
                f"{pool_mode!r}."
            )
        self.pool_mode = pool_mode
        self.pool_dimensions = pool_dimensions
        self.input_spec = InputSpec(ndim=pool_dimensions + 2)

    def call(self, inputs: jax.Array) -> jax.Array:
        self.compute_output_shape(tuple(inputs.shape))
        pool = pool_ops.max_pool if self.pool_mode == "max" else pool_ops.average_pool
        return pool(
            inputs, self.pool_size, self.strides, self.padding, self.data_format
        )

    def compute_output_shape(self, input_shape: Any) -> tuple:
        input_shape = tuple(input_shape)
        owner = f"{type(self).__name__} layer {self.name!r}"
        if len(input_shape) != self.pool_dimensions + 2:
            raise ValueError(
                f"{owner} expects inputs of rank {self.pool_dimensions + 2}, "
                f"received input shape {input_shape}."
            )
        axes = conv_utils.spatial_axes(self.pool_dimensions, self.data_format)
        output = list(input_shape)
        for axis, pool, stride in zip(axes, self.pool_size, self.strides):
            output[axis] = conv_utils.conv_output_length(
                input_shape[axis], pool, stride, self.padding
            )
        conv_utils.check_spatial_output(
            owner, input_shape, [output[a] for a in axes], "pooling window"
        )
        return tuple(output)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "pool_size": self.pool_size,
            "padding": self.padding,
            "strides": self.strides,
            "data_format": self.data_format,
        }
