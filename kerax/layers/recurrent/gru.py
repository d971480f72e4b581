"""``GRUCell`` and ``GRU``: gated recurrent unit (Cho et al., 2014)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import activations
from kerax.layers.input_spec import InputSpec
from kerax.layers.recurrent.cell_base import DenseRecurrentCell, Step, gated_matmul
from kerax.layers.recurrent.cell_utils import cell_property
from kerax.layers.recurrent.lstm import check_use_cudnn
from kerax.layers.recurrent.rnn import RNN, cell_layer_config
from kerax.registry import register


@register("keras.layers")
class GRUCell(DenseRecurrentCell):
    """Cell of a GRU; its state is ``h``, which is also its output.

    Gates ``z`` (update), ``r`` (reset) and ``h`` (candidate) are laid out in
    this order along the last axis of ``kernel`` ``(input_dim, 3 * units)`` and
    ``recurrent_kernel`` ``(units, 3 * units)``. With ``reset_after=True`` (the
    default, cuDNN-compatible) ``bias`` is ``(2, 3 * units)``: row 0 for the
    input projection, row 1 for the recurrent one, and the reset gate scales
    the recurrent projection; otherwise ``bias`` is ``(3 * units,)`` and the
    reset gate scales ``h`` before its projection. ``h' = z * h + (1 - z) * hh``.

    Args:
        units: size of the state.
        activation: candidate activation, default ``"tanh"``.
        recurrent_activation: gate activation, default ``"sigmoid"``.
        use_bias: whether to add ``bias``.
        kernel_initializer, recurrent_initializer, bias_initializer: weight
            initializers (default glorot_uniform, orthogonal, zeros).
        kernel_regularizer, recurrent_regularizer, bias_regularizer: penalties.
        kernel_constraint, recurrent_constraint, bias_constraint: constraints.
        dropout: fraction of the inputs dropped (training only).
        recurrent_dropout: fraction of ``h`` dropped (training only); with it,
            each gate draws its own masks (as Keras).
        reset_after: apply the reset gate after the recurrent projection.
        seed: seed of the dropout masks.

    Example:
        >>> cell = GRUCell(4)
        >>> out, state = cell(jnp.ones((2, 3)), jnp.zeros((2, 4)))
        >>> state.shape
        (2, 4)
    """

    gates = 3

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = "sigmoid",
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
        reset_after: bool = True,
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
        self.reset_after = bool(reset_after)
        self.state_size = self.units

    def build(self, input_shape: Any) -> None:
        self._add_kernels(input_shape)
        width = 3 * self.units
        shape = (2, width) if self.reset_after else (width,)
        self._add_bias(shape, self.bias_initializer)

    def _make_step(self, input_shape: tuple, training: Any) -> Step:
        kernel, recurrent, bias = self._values()
        count = 3 if self.recurrent_dropout else 1
        input_masks, recurrent_masks = self._dropout_masks(input_shape, training, count)
        input_bias = recurrent_bias = None
        if bias is not None and self.reset_after:
            input_bias, recurrent_bias = bias[0][None, :], bias[1][None, :]
        elif bias is not None:
            input_bias = bias[None, :]
        units, reset_after = self.units, self.reset_after
        activation, gate = self.activation, self.recurrent_activation

        def step(x: jax.Array, states: list) -> tuple[jax.Array, list]:
            h = states[0]
            xs = [x * m for m in input_masks] if input_masks else [x]
            hs = [h * m for m in recurrent_masks] if recurrent_masks else [h]
            projected = gated_matmul(xs, kernel)
            if input_bias is not None:
                projected = projected + input_bias
            x_z, x_r, x_h = jnp.split(projected, 3, axis=-1)
            if reset_after:
                inner = gated_matmul(hs, recurrent)
                if recurrent_bias is not None:
                    inner = inner + recurrent_bias
                r_z, r_r, r_h = jnp.split(inner, 3, axis=-1)
            else:
                inner = gated_matmul(hs[:2], recurrent[:, : 2 * units])
                r_z, r_r = jnp.split(inner, 2, axis=-1)
            z = gate(x_z + r_z)
            r = gate(x_r + r_r)
            if reset_after:
                candidate = activation(x_h + r * r_h)
            else:
                candidate = activation(x_h + (r * hs[-1]) @ recurrent[:, 2 * units :])
            h = z * h + (1 - z) * candidate
            return h, [h]

        return step

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "reset_after": self.reset_after,
        }


@register("keras.layers")
class GRU(RNN):
    """Gated recurrent unit layer: an ``RNN`` over a ``GRUCell``.

    Args:
        units, activation, recurrent_activation, use_bias, *_initializer,
        *_regularizer, *_constraint, dropout, recurrent_dropout, reset_after,
        seed: as ``GRUCell``.
        activity_regularizer: penalty on the output.
        return_sequences, return_state, go_backwards, stateful, unroll: as
            ``RNN``.
        use_cudnn: accepted for compatibility (``"auto"``, True or False).

    Input shape: ``(batch, time, features)``. Output: ``(batch, units)``, or
    ``(batch, time, units)`` with ``return_sequences``.

    Example:
        >>> GRU(4)(jnp.ones((2, 3, 5))).shape
        (2, 4)
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
        reset_after: bool = True,
        use_cudnn: Any = "auto",
        **kwargs: Any,
    ) -> None:
        check_use_cudnn(use_cudnn)
        kwargs.pop("implementation", None)
        cell = GRUCell(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
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
            reset_after=reset_after,
            seed=seed,
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name="gru_cell",
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
    reset_after = cell_property("reset_after")
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
