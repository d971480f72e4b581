"""``ConvLSTM1D``, ``ConvLSTM2D``, ``ConvLSTM3D``: LSTMs over feature maps."""

from __future__ import annotations

from typing import Any

from kerax.layers.convolutional.conv_utils import constructor_arguments
from kerax.layers.input_spec import InputSpec
from kerax.layers.recurrent.cell_utils import cell_property
from kerax.layers.recurrent.conv_lstm_cell import ConvLSTMCell
from kerax.layers.recurrent.rnn import RNN, cell_layer_config
from kerax.registry import register


class ConvLSTM(RNN):
    """Base of the N-D convolutional LSTM layers: an ``RNN`` over a
    ``ConvLSTMCell`` (use ``ConvLSTM1D``, ``ConvLSTM2D`` or ``ConvLSTM3D``)."""

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
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed: int | None = None,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        **kwargs: Any,
    ) -> None:
        cell = ConvLSTMCell(
            rank,
            filters=filters,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name="conv_lstm_cell",
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
        self.input_spec = InputSpec(ndim=rank + 3)

    filters = cell_property("filters")
    kernel_size = cell_property("kernel_size")
    strides = cell_property("strides")
    padding = cell_property("padding")
    data_format = cell_property("data_format")
    dilation_rate = cell_property("dilation_rate")
    activation = cell_property("activation")
    recurrent_activation = cell_property("recurrent_activation")
    use_bias = cell_property("use_bias")
    kernel_initializer = cell_property("kernel_initializer")
    recurrent_initializer = cell_property("recurrent_initializer")
    bias_initializer = cell_property("bias_initializer")
    unit_forget_bias = cell_property("unit_forget_bias")
    kernel_regularizer = cell_property("kernel_regularizer")
    recurrent_regularizer = cell_property("recurrent_regularizer")
    bias_regularizer = cell_property("bias_regularizer")
    kernel_constraint = cell_property("kernel_constraint")
    recurrent_constraint = cell_property("recurrent_constraint")
    bias_constraint = cell_property("bias_constraint")
    dropout = cell_property("dropout")
    recurrent_dropout = cell_property("recurrent_dropout")

    def compute_output_shape(
        self, sequences_shape: Any, initial_state_shape: Any = None
    ) -> Any:
        shape = self._check_rank(sequences_shape)
        state_shape = self.cell.compute_output_shape((shape[0], *shape[2:]))
        if self.return_sequences:
            output_shape = (shape[0], shape[1], *state_shape[1:])
        else:
            output_shape = state_shape
        if self.return_state:
            return (output_shape, state_shape, state_shape)
        return output_shape

    def get_config(self) -> dict[str, Any]:
        return cell_layer_config(self, drop=("rank",))


@register("keras.layers")
class ConvLSTM1D(ConvLSTM):
    """1D convolutional LSTM: an LSTM whose projections are 1D convolutions.

    Args:
        filters: output channels (the channels of ``h`` and ``c``).
        kernel_size, strides, padding, data_format, dilation_rate: the input
            convolution (the recurrent one is stride-1 ``"same"``).
        activation, recurrent_activation, use_bias, *_initializer,
        unit_forget_bias, *_regularizer, activity_regularizer, *_constraint,
        dropout, recurrent_dropout, seed: as ``LSTM``.
        return_sequences, return_state, go_backwards, stateful: as ``RNN``.

    Input shape: ``(batch, time, steps, channels)`` (channels_last).
    Output: ``(batch, [time,] steps', filters)``.

    Example:
        >>> ConvLSTM1D(2, 3, return_sequences=True).compute_output_shape((1, 4, 5, 3))
        (1, 4, 3, 2)
    """

    def __init__(
        self,
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
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed: int | None = None,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**constructor_arguments(1, locals()), **kwargs)


@register("keras.layers")
class ConvLSTM2D(ConvLSTM):
    """2D convolutional LSTM: an LSTM whose projections are 2D convolutions.

    Args:
        filters: output channels (the channels of ``h`` and ``c``).
        kernel_size, strides, padding, data_format, dilation_rate: the input
            convolution (the recurrent one is stride-1 ``"same"``).
        activation, recurrent_activation, use_bias, *_initializer,
        unit_forget_bias, *_regularizer, activity_regularizer, *_constraint,
        dropout, recurrent_dropout, seed: as ``LSTM``.
        return_sequences, return_state, go_backwards, stateful: as ``RNN``.

    Input shape: ``(batch, time, rows, cols, channels)`` (channels_last).
    Output: ``(batch, [time,] rows, cols', filters)``.

    Example:
        >>> ConvLSTM2D(2, 3)(jnp.ones((1, 4, 5, 5, 3))).shape
        (1, 3, 3, 2)
    """

    def __init__(
        self,
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
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed: int | None = None,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**constructor_arguments(2, locals()), **kwargs)


@register("keras.layers")
class ConvLSTM3D(ConvLSTM):
    """3D convolutional LSTM: an LSTM whose projections are 3D convolutions.

    Args:
        filters: output channels (the channels of ``h`` and ``c``).
        kernel_size, strides, padding, data_format, dilation_rate: the input
            convolution (the recurrent one is stride-1 ``"same"``).
        activation, recurrent_activation, use_bias, *_initializer,
        unit_forget_bias, *_regularizer, activity_regularizer, *_constraint,
        dropout, recurrent_dropout, seed: as ``LSTM``.
        return_sequences, return_state, go_backwards, stateful: as ``RNN``.

    Input shape: ``(batch, time, depth, rows, cols, channels)`` (channels_last).
    Output: ``(batch, [time,] depth, rows, cols', filters)``.

    Example:
        >>> ConvLSTM3D(2, 3).compute_output_shape((1, 4, 5, 5, 5, 3))
        (1, 3, 3, 3, 2)
    """

    def __init__(
        self,
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
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed: int | None = None,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**constructor_arguments(3, locals()), **kwargs)
