"""``DenseRecurrentCell``: what SimpleRNN, LSTM and GRU cells have in common.

Each cell owns ``kernel`` ``(input_dim, gates * units)``, ``recurrent_kernel``
``(units, gates * units)`` and an optional ``bias``, a seed generator for its
dropout masks, and implements ``_make_step`` (see ``cell_utils``).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import activations, constraints, initializers, regularizers
from kerax.layers.layer import Layer
from kerax.layers.recurrent.cell_utils import (
    check_units,
    clamp_rate,
    draw_dropout_masks,
)
from kerax.layers.recurrent.time_loop import Step
from kerax.random import SeedGenerator


def gated_matmul(inputs: list[jax.Array], matrix: jax.Array) -> jax.Array:
    """``inputs[0] @ matrix``; with one input per gate, each gate's block product.

    The gates are equal column blocks of ``matrix``; per-gate inputs come from
    per-gate dropout masks.
    """
    if len(inputs) == 1:
        return inputs[0] @ matrix
    blocks = jnp.split(matrix, len(inputs), axis=-1)
    return jnp.concatenate([x @ w for x, w in zip(inputs, blocks)], axis=-1)


class DenseRecurrentCell(Layer):
    """Base of the fully connected recurrent cells (not a public layer).

    Subclasses set ``gates`` and ``state_size``, build their bias and write
    ``_make_step(input_shape, training)``.
    """

    gates = 1

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
        units = check_units(units, "units", type(self).__name__)
        super().__init__(**kwargs)
        self.units = units
        self.output_size = units
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
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

    # -- weights ------------------------------------------------------------
    def _add_kernels(self, input_shape: Any) -> None:
        input_dim = tuple(input_shape)[-1]
        if input_dim is None:
            raise ValueError(
                f"{type(self).__name__} {self.name!r} needs a known last input "
                f"axis; received input_shape={tuple(input_shape)}."
            )
        width = self.gates * self.units
        self.kernel = self.add_weight(
            name="kernel",
            shape=(input_dim, width),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel",
            shape=(self.units, width),
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )

    def _add_bias(self, shape: tuple, initializer: Any) -> None:
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=shape,
                initializer=initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def _values(self) -> tuple[jax.Array, jax.Array, jax.Array | None]:
        """Kernel, recurrent kernel and bias in the compute dtype."""
        dtype = self.compute_dtype
        bias = None if self.bias is None else self.bias.value.astype(dtype)
        return (
            self.kernel.value.astype(dtype),
            self.recurrent_kernel.value.astype(dtype),
            bias,
        )

    def _dropout_masks(
        self, input_shape: tuple, training: Any, count: int
    ) -> tuple[list[jax.Array] | None, list[jax.Array] | None]:
        """Input and recurrent dropout masks (``count`` of each), drawn once."""
        if not training:
            return None, None
        dtype = self.compute_dtype
        state_shape = (input_shape[0], self.units)
        return (
            draw_dropout_masks(
                self.seed_generator, input_shape, self.dropout, count, dtype
            ),
            draw_dropout_masks(
                self.seed_generator,
                state_shape,
                self.recurrent_dropout,
                count,
                dtype,
            ),
        )

    # -- the cell protocol ---------------------------------------------------
    def _make_step(self, input_shape: tuple, training: Any) -> Step:
        raise NotImplementedError

    def call(
        self, inputs: jax.Array, states: Any, training: bool = False
    ) -> tuple[jax.Array, Any]:
        """One timestep: ``(output, new_states)`` from ``inputs`` and ``states``."""
        nested = isinstance(states, (list, tuple))
        step = self._make_step(tuple(inputs.shape), training)
        output, new_states = step(inputs, list(states) if nested else [states])
        return output, new_states if nested else new_states[0]

    def get_initial_state(self, batch_size: int | None = None) -> list[jax.Array]:
        """Zero states, one ``(batch_size, units)`` array per state."""
        sizes = self.state_size
        sizes = sizes if isinstance(sizes, (list, tuple)) else [sizes]
        return [jnp.zeros((batch_size, size), self.compute_dtype) for size in sizes]

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
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
