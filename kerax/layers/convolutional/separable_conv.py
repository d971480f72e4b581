"""``SeparableConv1D``, ``SeparableConv2D``: depthwise then pointwise convolution."""

from __future__ import annotations

from typing import Any

import jax

from kerax import activations, constraints, initializers, regularizers
from kerax.layers.convolutional import conv_ops, conv_utils
from kerax.layers.convolutional.base_conv import ConvWindow
from kerax.layers.convolutional.depthwise_conv import depthwise_conv
from kerax.registry import register


class BaseSeparableConv(ConvWindow):
    """A depthwise convolution (the window) followed by a 1x1 convolution.

    Weights, in order: ``depthwise_kernel`` of shape
    ``kernel_size + (channels, depth_multiplier)``, ``pointwise_kernel`` of
    shape ``(1,) * rank + (channels * depth_multiplier, filters)``, ``bias``.
    """

    def __init__(
        self,
        rank: int,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
        depth_multiplier: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        depthwise_initializer: Any = "glorot_uniform",
        pointwise_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        depthwise_regularizer: Any = None,
        pointwise_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        depthwise_constraint: Any = None,
        pointwise_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            rank,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            bias_initializer=bias_initializer,
            bias_regularizer=bias_regularizer,
            bias_constraint=bias_constraint,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
        for name, value in (
            ("filters", filters),
            ("depth_multiplier", depth_multiplier),
        ):
            if not isinstance(value, int) or value <= 0:
                raise ValueError(
                    f"{self._owner}: `{name}` must be a positive int, received "
                    f"{name}={value!r}."
                )
        self.filters = filters
        self.depth_multiplier = depth_multiplier
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def build(self, input_shape: Any) -> None:
        channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        self.depthwise_kernel = self.add_weight(
            name="depthwise_kernel",
            shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
        )
        self.pointwise_kernel = self.add_weight(
            name="pointwise_kernel",
            shape=(1,) * self.rank + (channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer,
            regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint,
        )
        self._add_bias_weight(self.filters)

    def call(self, inputs: jax.Array) -> jax.Array:
        inputs = self._prepare(inputs)
        hidden = depthwise_conv(
            inputs,
            self.depthwise_kernel.value.astype(inputs.dtype),
            self.strides,
            self._padding_pairs(inputs.shape),
            self.dilation_rate,
            self.data_format,
        )
        outputs = conv_ops.convolve(
            hidden,
            self.pointwise_kernel.value.astype(inputs.dtype),
            (1,) * self.rank,
            ((0, 0),) * self.rank,
            self.data_format,
            (1,) * self.rank,
        )
        return self._finish(outputs)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return self._conv_output_shape(input_shape, self.filters)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "depth_multiplier": self.depth_multiplier,
            "filters": self.filters,
            **self._window_config(),
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "pointwise_regularizer": regularizers.serialize(self.pointwise_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
            "pointwise_constraint": constraints.serialize(self.pointwise_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }


@register("keras.layers")
class SeparableConv1D(BaseSeparableConv):
    """1D separable convolution over ``(batch, steps, channels)`` inputs.

    Example:
        >>> SeparableConv1D(4, 3)(jax.numpy.ones((1, 6, 2))).shape
        (1, 4, 4)
    """

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
        depth_multiplier: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        depthwise_initializer: Any = "glorot_uniform",
        pointwise_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        depthwise_regularizer: Any = None,
        pointwise_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        depthwise_constraint: Any = None,
        pointwise_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**conv_utils.constructor_arguments(1, locals()), **kwargs)


@register("keras.layers")
class SeparableConv2D(BaseSeparableConv):
    """2D separable convolution over ``(batch, height, width, channels)`` inputs.

    Example:
        >>> SeparableConv2D(8, 3, padding="same")(jax.numpy.ones((1, 5, 5, 3))).shape
        (1, 5, 5, 8)
    """

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = (1, 1),
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = (1, 1),
        depth_multiplier: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        depthwise_initializer: Any = "glorot_uniform",
        pointwise_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        depthwise_regularizer: Any = None,
        pointwise_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        depthwise_constraint: Any = None,
        pointwise_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**conv_utils.constructor_arguments(2, locals()), **kwargs)


SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D
