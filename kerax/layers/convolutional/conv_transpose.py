"""``Conv1DTranspose``, ``Conv2DTranspose``, ``Conv3DTranspose``: transposed convolution."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import activations, constraints, initializers, regularizers
from kerax.layers.convolutional import conv_ops, conv_utils
from kerax.layers.convolutional.base_conv import ConvWindow
from kerax.registry import register


class BaseConvTranspose(ConvWindow):
    """The gradient of a convolution with respect to its input, as a layer.

    The kernel has shape ``kernel_size + (filters, input_channels)``. Each
    spatial output size follows Keras's rule (see ``deconv_output_length``);
    ``output_padding`` adds to it and must be smaller than the stride.
    """

    def __init__(
        self,
        rank: int,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        output_padding: Any = None,
        data_format: str | None = None,
        dilation_rate: Any = 1,
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
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError(
                f"{self._owner}: `filters` must be a positive int, received "
                f"filters={filters!r}."
            )
        self.filters = filters
        self.output_padding = None
        if output_padding is not None:
            self.output_padding = _standardize_output_padding(
                output_padding, rank, self._owner
            )
            for axis, (extra, stride) in enumerate(
                zip(self.output_padding, self.strides)
            ):
                if extra >= stride:
                    raise ValueError(
                        f"{self._owner}: each `output_padding` value must be "
                        f"smaller than the stride; along spatial axis {axis} "
                        f"received output_padding={extra}, strides={stride}."
                    )
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)

    def build(self, input_shape: Any) -> None:
        channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        self.kernel = self.add_weight(
            name="kernel",
            shape=self.kernel_size + (self.filters, channels),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self._add_bias_weight(self.filters)

    def _output_padding(self) -> tuple[int | None, ...]:
        return self.output_padding or (None,) * self.rank

    def compute_output_shape(self, input_shape: Any) -> tuple:
        spatial = [
            conv_utils.deconv_output_length(size, k, s, self.padding, extra, d)
            for size, k, s, extra, d in zip(
                self._spatial_sizes(input_shape),
                self.kernel_size,
                self.strides,
                self._output_padding(),
                self.dilation_rate,
            )
        ]
        return self._output_shape(input_shape, self.filters, spatial)

    def _explicit_padding(
        self, in_sizes: list[int], out_sizes: list[int]
    ) -> conv_ops.Pads:
        """Padding of the stride-dilated input that yields ``out_sizes``.

        'valid' pads a full ``span - 1`` on the left; 'same' splits the total,
        the left side taking the larger half but at most ``span - 1``.
        """
        pads = []
        for size, out, k, s, d in zip(
            in_sizes, out_sizes, self.kernel_size, self.strides, self.dilation_rate
        ):
            span = conv_utils.dilated_size(k, d)
            total = out - ((size - 1) * s + 1) + span - 1
            if self.padding == "valid":
                left = span - 1
            else:
                left = min((total + 1) // 2, span - 1)
            pads.append((left, total - left))
        return tuple(pads)

    def call(self, inputs: jax.Array) -> jax.Array:
        inputs = self._prepare(inputs)
        in_sizes = self._spatial_sizes(inputs.shape)
        out_shape = self.compute_output_shape(inputs.shape)
        out_sizes = [out_shape[a] for a in self._spatial_axes()]
        kernel = self.kernel.value.astype(inputs.dtype)
        kernel = jnp.flip(kernel, axis=tuple(range(self.rank)))
        outputs = conv_ops.convolve(
            inputs,
            kernel,
            (1,) * self.rank,
            self._explicit_padding(in_sizes, out_sizes),
            self.data_format,
            self.dilation_rate,
            lhs_dilation=self.strides,
            kernel_layout="OI",
        )
        return self._finish(outputs)

    def _spatial_axes(self) -> list[int]:
        return conv_utils.spatial_axes(self.rank, self.data_format)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "output_padding": self.output_padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
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


def _standardize_output_padding(value: Any, rank: int, owner: str) -> tuple:
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value,) * rank
    values = tuple(value) if isinstance(value, (list, tuple)) else None
    if (
        values is None
        or len(values) != rank
        or any(not isinstance(v, int) or v < 0 for v in values)
    ):
        raise ValueError(
            f"{owner}: `output_padding` must be None, a non-negative int or "
            f"{rank} non-negative ints, received output_padding={value!r}."
        )
    return values


@register("keras.layers")
class Conv1DTranspose(BaseConvTranspose):
    """1D transposed convolution over ``(batch, steps, channels)`` inputs.

    Example:
        >>> Conv1DTranspose(4, 3, strides=2)(jax.numpy.ones((1, 5, 2))).shape
        (1, 11, 4)
    """

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        output_padding: Any = None,
        data_format: str | None = None,
        dilation_rate: Any = 1,
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
class Conv2DTranspose(BaseConvTranspose):
    """2D transposed convolution (upsampling by ``strides``).

    Example:
        >>> Conv2DTranspose(4, 3, 2, padding="same")(jax.numpy.ones((1, 4, 4, 2))).shape
        (1, 8, 8, 4)
    """

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = (1, 1),
        padding: str = "valid",
        output_padding: Any = None,
        data_format: str | None = None,
        dilation_rate: Any = (1, 1),
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
class Conv3DTranspose(BaseConvTranspose):
    """3D transposed convolution over ``(batch, depth, height, width, channels)``.

    Example:
        >>> Conv3DTranspose(2, 2, 2)(jax.numpy.ones((1, 2, 2, 2, 1))).shape
        (1, 4, 4, 4, 2)
    """

    def __init__(
        self,
        filters: int,
        kernel_size: Any,
        strides: Any = (1, 1, 1),
        padding: str = "valid",
        data_format: str | None = None,
        output_padding: Any = None,
        dilation_rate: Any = (1, 1, 1),
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


Convolution1DTranspose = Conv1DTranspose
Convolution2DTranspose = Conv2DTranspose
Convolution3DTranspose = Conv3DTranspose
