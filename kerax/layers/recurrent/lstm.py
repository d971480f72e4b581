"""``LSTMCell`` and ``LSTM``: long short-term memory (Hochreiter & Schmidhuber)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import activations
from kerax.layers.input_spec import InputSpec
from kerax.layers.recurrent.cell_base import DenseRecurrentCell, Step, gated_matmul
from kerax.layers.recurrent.cell_utils import UnitForgetBias, cell_property
from kerax.layers.recurrent.rnn import RNN, cell_layer_config
from kerax.registry import register


@register("keras.layers")
class LSTMCell(DenseRecurrentCell):
    """Cell of an LSTM; its states are ``[h, c]`` and its output is ``h``.

    Gates ``i, f, c, o`` are laid out in this order along the last axis of
    ``kernel`` ``(input_dim, 4 * units)``, ``recurrent_kernel``
    ``(units, 4 * units)`` and ``bias`` ``(4 * units,)``::

        i, f, o = recurrent_activation(x W + h R + b) (gate slices)
        c' = f * c + i * activation(x W_c + h R_c + b_c)
        h' = o * activation(c')

    Args:
        units: size of ``h`` and ``c``.
        activation: default ``"tanh"``.
        recurrent_activation: gate activation, default ``"sigmoid"``.
        use_bias: whether to add ``bias``.
        kernel_initializer, recurrent_initializer, bias_initializer: weight
            initializers (default glorot_uniform, orthogonal, zeros).
        unit_forget_bias: initialize the forget-gate bias to 1.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: penalties.
        kernel_constraint, recurrent_constraint, bias_constraint: constraints.
        dropout: fraction of the inputs dropped (training only).
        recurrent_dropout: fraction of ``h`` dropped (training only); with it,
            each gate draws its own masks (as Keras).
        seed: seed of the dropout masks.

    Example:
        >>> cell = LSTMCell(4)
        >>> h, (h2, c) = cell(jnp.ones((2, 3)), [jnp.zeros((2, 4))] * 2)
        >>> c.shape
        (2, 4)
    """

    gates = 4

    def __init__(
        self,
        units: int,
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
        kwargs.pop("implementation", None)
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
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.state_size = [self.units, self.units]

    def build(self, input_shape: Any) -> None:
        self._add_kernels(input_shape)
        initializer = self.bias_initializer
        if self.unit_forget_bias:
            initializer = UnitForgetBias(initializer, self.units)
        self._add_bias((4 * self.units,), initializer)

    def _make_step(self, input_shape: tuple, training: Any) -> Step:
        kernel, recurrent, bias = self._values()
        # Per-gate masks when recurrent dropout is on, one mask otherwise (Keras).
        count = 4 if self.recurrent_dropout else 1
        input_masks, recurrent_masks = self._dropout_masks(input_shape, training, count)
        activation, gate = self.activation, self.recurrent_activation

        def step(x: jax.Array, states: list) -> tuple[jax.Array, list]:
            h, c = states
            xs = [x * m for m in input_masks] if input_masks else [x]
            hs = [h * m for m in recurrent_masks] if recurrent_masks else [h]
            z = gated_matmul(xs, kernel) + gated_matmul(hs, recurrent)
            if bias is not None:
                z = z + bias[None, :]
            z_i, z_f, z_c, z_o = jnp.split(z, 4, axis=-1)
            c = gate(z_f) * c + gate(z_i) * activation(z_c)
            h = gate(z_o) * activation(c)
            return h, [h, c]

        return step

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "unit_forget_bias": self.unit_forget_bias,
        }


@register("keras.layers")
class LSTM(RNN):
    """Long short-term memory layer: an ``RNN`` over an ``LSTMCell``.

    Args:
        units, activation, recurrent_activation, use_bias, *_initializer,
        unit_forget_bias, *_regularizer, *_constraint, dropout,
        recurrent_dropout, seed: as ``LSTMCell``.
        activity_regularizer: penalty on the output.
        return_sequences, return_state, go_backwards, stateful, unroll: as
            ``RNN``.
        use_cudnn: accepted for compatibility (``"auto"``, True or False);
            there is one implementation.

    Input shape: ``(batch, time, features)``. Output: ``(batch, units)``, or
    ``(batch, time, units)`` with ``return_sequences``; with ``return_state``
    followed by the final ``h`` and ``c``.

    Example:
        >>> out, h, c = LSTM(4, return_state=True)(jnp.ones((2, 3, 5)))
        >>> out.shape, c.shape
        ((2, 4), (2, 4))
    """

    def __init__(
        self,
        units: int,
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
        unroll: bool = False,
        use_cudnn: Any = "auto",
        **kwargs: Any,
    ) -> None:
        check_use_cudnn(use_cudnn)
        kwargs.pop("implementation", None)
        cell = LSTMCell(
            units,
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
            name="lstm_cell",
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
        self.use_cudnn = use_cudnn

    units = cell_property("units")
    activation = cell_property("activation")
    recurrent_activation = cell_property("recurrent_activation")
    use_bias = cell_property("use_bias")
    unit_forget_bias = cell_property("unit_forget_bias")
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
        return cell_layer_config(self)


def check_use_cudnn(value: Any) -> None:
    """Raise unless ``use_cudnn`` is ``"auto"``, True or False (as Keras)."""
    if value not in ("auto", True, False):
        raise ValueError(
            "`use_cudnn` must be one of {'auto', True, False}; received "
            f"use_cudnn={value!r}."
        )
