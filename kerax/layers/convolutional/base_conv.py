"""``ConvWindow``: what every convolution layer shares (window, layout, bias, activation)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import activations, constraints, initializers, regularizers
from kerax.layers.convolutional import conv_ops, conv_utils
from kerax.layers.input_spec import InputSpec
from kerax.layers.layer import Layer


class ConvWindow(Layer):
    """Base of the convolution layers: validates and stores the window arguments.

    Subclasses create their weights in ``build`` and compute in ``call``; this
    class gives them the checked ``kernel_size``, ``strides``, ``padding``,
    ``data_format``, ``dilation_rate``, the activation and the bias helpers.
    """

    def __init__(
        self,
        rank: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
        activation: Any = None,
        use_bias: bool = True,
        bias_initializer: Any = "zeros",
        bias_regularizer: Any = None,
        bias_constraint: Any = None,
        allow_causal: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.rank = rank
        owner = self._owner
        self.kernel_size = conv_utils.standardize_tuple(
            kernel_size, rank, "kernel_size", owner
        )
        self.strides = conv_utils.standardize_tuple(strides, rank, "strides", owner)
        self.dilation_rate = conv_utils.standardize_tuple(
            dilation_rate, rank, "dilation_rate", owner
        )
        self.padding = conv_utils.standardize_padding(padding, owner, allow_causal)
        self.data_format = conv_utils.standardize_data_format(data_format, owner)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{owner}: `strides` > 1 cannot be combined with `dilation_rate` "
                f"> 1, received strides={self.strides} and "
                f"dilation_rate={self.dilation_rate}."
            )
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.bias_initializer = initializers.get(bias_initializer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)

    @property
    def _owner(self) -> str:
        return f"{type(self).__name__} layer {self.name!r}"

    def _check_rank(self, input_shape: Any) -> tuple:
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 2:
            raise ValueError(
                f"{self._owner} expects inputs of rank {self.rank + 2} (batch, "
                f"{self.rank} spatial axes, channels), received input shape "
                f"{input_shape}."
            )
        return input_shape

    def _channel_size(self, input_shape: Any) -> int | None:
        """The channel size of ``input_shape`` (None when unknown)."""
        return self._check_rank(input_shape)[conv_utils.channel_axis(self.data_format)]

    def _input_channels(self, input_shape: Any) -> int:
        """Channel count of ``input_shape``; fixes it in the input spec."""
        channels = self._channel_size(input_shape)
        if channels is None:
            raise ValueError(
                f"{self._owner}: the channel axis of the input must be known, "
                f"received input shape {tuple(input_shape)} "
                f"(data_format={self.data_format!r})."
            )
        axis = conv_utils.channel_axis(self.data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={axis: channels})
        return int(channels)

    def _spatial_sizes(self, input_shape: Any) -> list[int | None]:
        input_shape = self._check_rank(input_shape)
        axes = conv_utils.spatial_axes(self.rank, self.data_format)
        return [input_shape[a] for a in axes]

    def _output_shape(
        self, input_shape: Any, channels: int, spatial: list[int | None]
    ) -> tuple[int | None, ...]:
        conv_utils.check_spatial_output(
            self._owner, input_shape, spatial, "dilated kernel"
        )
        batch = tuple(input_shape)[0]
        if self.data_format == "channels_last":
            return (batch, *spatial, channels)
        return (batch, channels, *spatial)

    def _conv_output_shape(self, input_shape: Any, channels: int) -> tuple:
        """Output shape of a forward convolution with ``channels`` outputs."""
        spatial = [
            conv_utils.conv_output_length(size, k, s, self.padding, d)
            for size, k, s, d in zip(
                self._spatial_sizes(input_shape),
                self.kernel_size,
                self.strides,
                self.dilation_rate,
            )
        ]
        return self._output_shape(input_shape, channels, spatial)

    def _padding_pairs(self, input_shape: Any) -> conv_ops.Pads:
        """Explicit ``(low, high)`` padding of each spatial axis of the input."""
        return conv_ops.explicit_padding(
            self.padding,
            self._spatial_sizes(input_shape),
            self.kernel_size,
            self.strides,
            self.dilation_rate,
        )

    def _add_bias_weight(self, size: int) -> None:
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(size,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def _finish(self, outputs: jax.Array) -> jax.Array:
        """Add the bias and apply the activation."""
        if self.bias is not None:
            bias = self.bias.value.astype(outputs.dtype)
            outputs = outputs + conv_utils.reshape_bias(
                bias, self.rank, self.data_format
            )
        return self.activation(outputs)

    def _prepare(self, inputs: jax.Array) -> jax.Array:
        """Validate the spatial sizes and bring the input to the compute dtype."""
        self.compute_output_shape(tuple(inputs.shape))
        return jnp.asarray(inputs, self.compute_dtype)

    def _window_config(self) -> dict[str, Any]:
        return {
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
        }

    def _bias_config(self) -> dict[str, Any]:
        return {
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }
