"""``DepthwiseConv1D``, ``DepthwiseConv2D``: one filter bank per input channel."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import activations, constraints, initializers, regularizers
from kerax.layers.convolutional import conv_ops, conv_utils
from kerax.layers.convolutional.base_conv import ConvWindow
from kerax.registry import register


def depthwise_conv(
    inputs: jax.Array,
    kernel: jax.Array,
    strides: tuple[int, ...],
    padding: conv_ops.Pads,
    dilation_rate: tuple[int, ...],
    data_format: str,
) -> jax.Array:
    """Convolve each input channel with its own ``depth_multiplier`` filters.

    ``kernel`` has shape ``window + (channels, depth_multiplier)``; output
    channel ``c * depth_multiplier + m`` comes from input channel ``c``.
    """
    rank = kernel.ndim - 2
    channels = kernel.shape[-2]
    kernel = jnp.reshape(kernel, kernel.shape[:rank] + (1, -1))
    return conv_ops.convolve(
        inputs, kernel, strides, padding, data_format, dilation_rate, groups=channels
    )


class BaseDepthwiseConv(ConvWindow):
    """Depthwise convolution: ``depth_multiplier`` outputs per input channel."""

    def __init__(
        self,
        rank: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        depth_multiplier: int = 1,
        data_format: str | None = None,
        dilation_rate: Any = 1,
        activation: Any = None,
        use_bias: bool = True,
        depthwise_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        depthwise_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        depthwise_constraint: Any = None,
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
        if not isinstance(depth_multiplier, int) or depth_multiplier <= 0:
            raise ValueError(
                f"{self._owner}: `depth_multiplier` must be a positive int, "
                f"received depth_multiplier={depth_multiplier!r}."
            )
        self.depth_multiplier = depth_multiplier
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)

    def build(self, input_shape: Any) -> None:
        channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        self.kernel = self.add_weight(
            name="kernel",
            shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
        )
        self._add_bias_weight(channels * self.depth_multiplier)

    def call(self, inputs: jax.Array) -> jax.Array:
        inputs = self._prepare(inputs)
        outputs = depthwise_conv(
            inputs,
            self.kernel.value.astype(inputs.dtype),
            self.strides,
            self._padding_pairs(inputs.shape),
            self.dilation_rate,
            self.data_format,
        )
        return self._finish(outputs)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        channels = self._channel_size(input_shape)
        out_channels = None if channels is None else channels * self.depth_multiplier
        return self._conv_output_shape(input_shape, out_channels)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "depth_multiplier": self.depth_multiplier,
            **self._window_config(),
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }


@register("keras.layers")
class DepthwiseConv1D(BaseDepthwiseConv):
    """1D depthwise convolution; kernel shape ``(k, channels, depth_multiplier)``.

    Example:
        >>> DepthwiseConv1D(3, depth_multiplier=2)(jax.numpy.ones((1, 6, 4))).shape
        (1, 4, 8)
    """

    def __init__(
        self,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        depth_multiplier: int = 1,
        data_format: str | None = None,
        dilation_rate: Any = 1,
        activation: Any = None,
        use_bias: bool = True,
        depthwise_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        depthwise_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        depthwise_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**conv_utils.constructor_arguments(1, locals()), **kwargs)


@register("keras.layers")
class DepthwiseConv2D(BaseDepthwiseConv):
    """2D depthwise convolution; kernel shape ``(kh, kw, channels, depth_multiplier)``.

    Example:
        >>> DepthwiseConv2D(3, padding="same")(jax.numpy.ones((1, 5, 5, 3))).shape
        (1, 5, 5, 3)
    """

    def __init__(
        self,
        kernel_size: Any,
        strides: Any = (1, 1),
        padding: str = "valid",
        depth_multiplier: int = 1,
        data_format: str | None = None,
        dilation_rate: Any = (1, 1),
        activation: Any = None,
        use_bias: bool = True,
        depthwise_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        depthwise_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        depthwise_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**conv_utils.constructor_arguments(2, locals()), **kwargs)
