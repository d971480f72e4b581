"""``SimpleRNNCell`` and ``SimpleRNN``: ``h = activation(x W + h R + b)``."""

from __future__ import annotations

from typing import Any

import jax

from kerax.layers.input_spec import InputSpec
from kerax.layers.recurrent.cell_base import DenseRecurrentCell, Step
from kerax.layers.recurrent.cell_utils import cell_property
from kerax.layers.recurrent.rnn import RNN, cell_layer_config
from kerax.registry import register


@register("keras.layers")
class SimpleRNNCell(DenseRecurrentCell):
    """Cell of a fully connected RNN whose output is its next state.

    Weights: ``kernel`` ``(input_dim, units)``, ``recurrent_kernel``
    ``(units, units)``, ``bias`` ``(units,)``.

    Args:
        units: size of the output and the state.
        activation: default ``"tanh"``; None for linear.
        use_bias: whether to add ``bias``.
        kernel_initializer, recurrent_initializer, bias_initializer: weight
            initializers (default glorot_uniform, orthogonal, zeros).
        kernel_regularizer, recurrent_regularizer, bias_regularizer: penalties.
        kernel_constraint, recurrent_constraint, bias_constraint: constraints.
        dropout: fraction of the inputs dropped (training only).
        recurrent_dropout: fraction of the previous state dropped.
        seed: seed of the dropout masks.

    Example:
        >>> cell = SimpleRNNCell(4)
        >>> out, state = cell(jnp.ones((2, 3)), [jnp.zeros((2, 4))])
        >>> out.shape
        (2, 4)
    """

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
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
        super().__init__(
            units,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            **kwargs,
        )
        self.state_size = self.units

    def build(self, input_shape: Any) -> None:
        self._add_kernels(input_shape)
        self._add_bias((self.units,), self.bias_initializer)

    def _make_step(self, input_shape: tuple, training: Any) -> Step:
        kernel, recurrent, bias = self._values()
        input_masks, recurrent_masks = self._dropout_masks(input_shape, training, 1)
        activation = self.activation

        def step(x: jax.Array, states: list) -> tuple[jax.Array, list]:
            h = states[0]
            if input_masks is not None:
                x = x * input_masks[0]
            z = x @ kernel
            if bias is not None:
                z = z + bias[None, :]
            if recurrent_masks is not None:
                h = h * recurrent_masks[0]
            output = z + h @ recurrent
            if activation is not None:
                output = activation(output)
            return output, [output]

        return step


@register("keras.layers")
class SimpleRNN(RNN):
    """Fully connected RNN where the output is fed back as the next state.

    Args:
        units, activation, use_bias, *_initializer, *_regularizer,
        *_constraint, dropout, recurrent_dropout, seed: as ``SimpleRNNCell``.
        activity_regularizer: penalty on the output.
        return_sequences, return_state, go_backwards, stateful, unroll: as
            ``RNN``.

    Input shape: ``(batch, time, features)``. Output: ``(batch, units)``, or
    ``(batch, time, units)`` with ``return_sequences``.

    Example:
        >>> SimpleRNN(4, return_sequences=True)(jnp.ones((2, 3, 5))).shape
        (2, 3, 4)
    """

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        cell = SimpleRNNCell(
            units,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
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
            name="simple_rnn_cell",
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
        self.input_spec = InputSpec(ndim=3)

    units = cell_property("units")
    activation = cell_property("activation")
    use_bias = cell_property("use_bias")
    kernel_initializer = cell_property("kernel_initializer")
    recurrent_initializer = cell_property("recurrent_initializer")
    bias_initializer = cell_property("bias_initializer")
    kernel_regularizer = cell_property("kernel_regularizer")
    recurrent_regularizer = cell_property("recurrent_regularizer")
    bias_regularizer = cell_property("bias_regularizer")
    kernel_constraint = cell_property("kernel_constraint")
    recurrent_constraint = cell_property("recurrent_constraint")
    bias_constraint = cell_property("bias_constraint")
    dropout = cell_property("dropout")
    recurrent_dropout = cell_property("recurrent_dropout")

    def get_config(self) -> dict[str, Any]:
        # Keras leaves the seed out of SimpleRNN's config (not of its cell's).
        return cell_layer_config(self, drop=("seed",))
