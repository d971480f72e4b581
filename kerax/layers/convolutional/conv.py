"""``Conv1D``, ``Conv2D``, ``Conv3D``: N-D convolution with optional groups."""

from __future__ import annotations

from typing import Any

import jax

from kerax import activations, constraints, initializers, regularizers
from kerax.layers.convolutional import conv_ops, conv_utils
from kerax.layers.convolutional.base_conv import ConvWindow
from kerax.registry import register


class BaseConv(ConvWindow):
    """N-D convolution ``activation(conv(inputs, kernel) + bias)``.

    The kernel has shape ``kernel_size + (input_channels // groups, filters)``;
    with ``groups > 1`` each group of input channels feeds ``filters // groups``
    outputs.
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
        groups: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
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
            allow_causal=rank == 1,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError(
                f"{self._owner}: `filters` must be a positive int, received "
                f"filters={filters!r}."
            )
        if not isinstance(groups, int) or groups <= 0:
            raise ValueError(
                f"{self._owner}: `groups` must be a positive int, received "
                f"groups={groups!r}."
            )
        if filters % groups:
            raise ValueError(
                f"{self._owner}: `filters` must be divisible by `groups`, received "
                f"filters={filters}, groups={groups}."
            )
        self.filters = filters
        self.groups = groups
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)

    def build(self, input_shape: Any) -> None:
        channels = self._input_channels(input_shape)
        if channels % self.groups:
            raise ValueError(
                f"{self._owner}: the input channels must be divisible by `groups`, "
                f"received groups={self.groups} and an input with {channels} "
                f"channels (input shape {tuple(input_shape)})."
            )
        self.compute_output_shape(input_shape)
        self.kernel = self.add_weight(
            name="kernel",
            shape=self.kernel_size + (channels // self.groups, self.filters),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self._add_bias_weight(self.filters)

    def call(self, inputs: jax.Array) -> jax.Array:
        inputs = self._prepare(inputs)
        outputs = conv_ops.convolve(
            inputs,
            self.kernel.value.astype(inputs.dtype),
            self.strides,
            self._padding_pairs(inputs.shape),
            self.data_format,
            self.dilation_rate,
            groups=self.groups,
        )
        return self._finish(outputs)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return self._conv_output_shape(input_shape, self.filters)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            **self._window_config(),
            "groups": self.groups,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }


@register("keras.layers")
class Conv1D(BaseConv):
    """1D convolution over ``(batch, steps, channels)`` inputs.

    ``padding="causal"`` pads only on the left, so ``output[t]`` never sees
    ``input[t + 1:]``.

    Example:
        >>> Conv1D(4, 3)(jax.numpy.ones((2, 10, 3))).shape
        (2, 8, 4)
    """

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
        groups: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**conv_utils.constructor_arguments(1, locals()), **kwargs)


@register("keras.layers")
class Conv2D(BaseConv):
    """2D convolution over ``(batch, height, width, channels)`` inputs.

    Example:
        >>> Conv2D(8, 3, padding="same")(jax.numpy.ones((1, 5, 5, 3))).shape
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
        groups: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**conv_utils.constructor_arguments(2, locals()), **kwargs)


@register("keras.layers")
class Conv3D(BaseConv):
    """3D convolution over ``(batch, depth, height, width, channels)`` inputs.

    Example:
        >>> Conv3D(2, 2)(jax.numpy.ones((1, 3, 3, 3, 1))).shape
        (1, 2, 2, 2, 2)
    """

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = (1, 1, 1),
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = (1, 1, 1),
        groups: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**conv_utils.constructor_arguments(3, locals()), **kwargs)


Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D
