"""``ConvLSTMCell``: an LSTM cell whose projections are convolutions."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import activations, constraints, initializers, regularizers
from kerax.layers.convolutional import conv_utils
from kerax.layers.layer import Layer
from kerax.layers.recurrent.cell_utils import (
    Step,
    UnitForgetBias,
    check_units,
    clamp_rate,
    draw_dropout_masks,
)
from kerax.layers.recurrent.conv_ops import conv
from kerax.random import SeedGenerator


def _spatial_sizes(shape: tuple, data_format: str) -> tuple:
    return tuple(shape[1:-1] if data_format == "channels_last" else shape[2:])


class ConvLSTMCell(Layer):
    """One timestep of a convolutional LSTM over ``rank``-D feature maps.

    ``kernel`` is ``kernel_size + (channels, 4 * filters)``,
    ``recurrent_kernel`` ``kernel_size + (filters, 4 * filters)`` and ``bias``
    ``(4 * filters,)``, gates ``i, f, c, o`` in this order. The input
    convolution uses ``strides``, ``padding`` and ``dilation_rate``; the
    recurrent one is stride-1 ``"same"``. States are ``[h, c]``, both shaped
    like the input convolution's output. Dropout draws four masks per kind (one
    per gate), as Keras.

    Args:
        rank: 1, 2 or 3.
        filters, kernel_size, strides, padding, data_format, dilation_rate:
            the input convolution.
        activation, recurrent_activation, use_bias, *_initializer,
        unit_forget_bias, *_regularizer, *_constraint, dropout,
        recurrent_dropout, seed: as ``LSTMCell``.
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
        activation: Any = "tanh",
        recurrent_activation: Any = "sigmoid",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        unit_forget_bias: bool = True,
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        owner = f"ConvLSTM{rank}D"
        filters = check_units(filters, "filters", owner)
        kernel_size = conv_utils.standardize_tuple(
            kernel_size, rank, "kernel_size", owner
        )
        strides = conv_utils.standardize_tuple(strides, rank, "strides", owner)
        dilation_rate = conv_utils.standardize_tuple(
            dilation_rate, rank, "dilation_rate", owner
        )
        padding = conv_utils.standardize_padding(padding, owner)
        data_format = conv_utils.standardize_data_format(data_format, owner)
        super().__init__(**kwargs)
        self.rank = rank
        self.filters = filters
        self.kernel_size = kernel_size
        self.strides = strides
        self.padding = padding
        self.data_format = data_format
        self.dilation_rate = dilation_rate
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = clamp_rate(dropout)
        self.recurrent_dropout = clamp_rate(recurrent_dropout)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)
        self.state_size = [filters, filters]
        self.output_size = filters
        self.spatial_dims: tuple | None = None

    def _channel_axis(self) -> int:
        return conv_utils.channel_axis(self.data_format)

    def build(self, input_shape: Any) -> None:
        shape = tuple(input_shape)
        spatial = [
            shape[i] for i in conv_utils.spatial_axes(self.rank, self.data_format)
        ]
        channels = shape[self._channel_axis()]
        if None in spatial or channels is None or len(shape) != self.rank + 2:
            raise ValueError(
                f"ConvLSTM{self.rank}D needs step inputs of rank {self.rank + 2} "
                "with known spatial sizes and channels; received step input "
                f"shape {shape}."
            )
        conv_utils.check_spatial_output(
            f"ConvLSTM{self.rank}D",
            shape,
            _spatial_sizes(self.compute_output_shape(shape), self.data_format),
            "kernel",
        )
        self.spatial_dims = tuple(spatial)
        self.input_dim = channels
        width = 4 * self.filters
        self.kernel = self.add_weight(
            name="kernel",
            shape=(*self.kernel_size, channels, width),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel",
            shape=(*self.kernel_size, self.filters, width),
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        self.bias = None
        if self.use_bias:
            initializer = self.bias_initializer
            if self.unit_forget_bias:
                initializer = UnitForgetBias(initializer, self.filters)
            self.bias = self.add_weight(
                name="bias",
                shape=(width,),
                initializer=initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def compute_output_shape(self, inputs_shape: Any) -> tuple:
        """Shape of ``h`` (and ``c``) for a step input of ``inputs_shape``."""
        shape = tuple(inputs_shape)
        axes = conv_utils.spatial_axes(self.rank, self.data_format)
        spatial = [
            conv_utils.conv_output_length(shape[a], k, s, self.padding, d)
            for a, k, s, d in zip(
                axes, self.kernel_size, self.strides, self.dilation_rate
            )
        ]
        if self.data_format == "channels_last":
            return (shape[0], *spatial, self.filters)
        return (shape[0], self.filters, *spatial)

    def get_initial_state(self, batch_size: int | None = None) -> list[jax.Array]:
        """Zero ``[h, c]`` for ``batch_size`` sequences (the cell must be built)."""
        if self.data_format == "channels_last":
            step_shape = (batch_size, *self.spatial_dims, self.input_dim)
        else:
            step_shape = (batch_size, self.input_dim, *self.spatial_dims)
        state_shape = self.compute_output_shape(step_shape)
        return [jnp.zeros(state_shape, self.compute_dtype) for _ in range(2)]

    def _conv(self, x: jax.Array, kernel: jax.Array, recurrent: bool) -> jax.Array:
        if recurrent:
            ones = (1,) * self.rank
            return conv(x, kernel, ones, "same", ones, self.data_format)
        return conv(
            x, kernel, self.strides, self.padding, self.dilation_rate, self.data_format
        )

    def _gated_conv(
        self, inputs: list[jax.Array], kernel: jax.Array, recurrent: bool
    ) -> jax.Array:
        """One convolution, or one per gate when each gate has its own input."""
        if len(inputs) == 1:
            return self._conv(inputs[0], kernel, recurrent)
        blocks = jnp.split(kernel, len(inputs), axis=-1)
        outs = [self._conv(x, k, recurrent) for x, k in zip(inputs, blocks)]
        return jnp.concatenate(outs, axis=self._channel_axis())

    def _make_step(self, input_shape: tuple, training: Any) -> Step:
        dtype = self.compute_dtype
        kernel = self.kernel.value.astype(dtype)
        recurrent = self.recurrent_kernel.value.astype(dtype)
        bias = None
        if self.bias is not None:
            bias = conv_utils.reshape_bias(
                self.bias.value.astype(dtype), self.rank, self.data_format
            )
        input_masks = recurrent_masks = None
        if training:
            state_shape = self.compute_output_shape(input_shape)
            gen = self.seed_generator
            input_masks = draw_dropout_masks(gen, input_shape, self.dropout, 4, dtype)
            recurrent_masks = draw_dropout_masks(
                gen, state_shape, self.recurrent_dropout, 4, dtype
            )
        axis = self._channel_axis()
        activation, gate = self.activation, self.recurrent_activation

        def step(x: jax.Array, states: list) -> tuple[jax.Array, list]:
            h, c = states
            xs = [x * m for m in input_masks] if input_masks else [x]
            hs = [h * m for m in recurrent_masks] if recurrent_masks else [h]
            z = self._gated_conv(xs, kernel, False)
            if bias is not None:
                z = z + bias
            z = z + self._gated_conv(hs, recurrent, True)
            z_i, z_f, z_c, z_o = jnp.split(z, 4, axis=axis)
            c = gate(z_f) * c + gate(z_i) * activation(z_c)
            h = gate(z_o) * activation(c)
            return h, [h, c]

        return step

    def call(
        self, inputs: jax.Array, states: Any, training: bool = False
    ) -> tuple[jax.Array, list]:
        """One timestep: ``(h, [h, c])``."""
        return self._make_step(tuple(inputs.shape), training)(inputs, list(states))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "rank": self.rank,
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "unit_forget_bias": self.unit_forget_bias,
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }
