"""``RNN``: runs a recurrent cell over the time axis of a sequence."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import regularizers
from kerax.autodiff.variable import Variable
from kerax.backend.tensors import convert_to_tensor
from kerax.layers.core.wrapper import deserialize_layer, serialize_layer
from kerax.layers.layer import Layer
from kerax.layers.recurrent.cell_utils import (
    build_sublayer,
    cell_step,
    check_cell,
    initial_cell_states,
    output_size,
)
from kerax.layers.recurrent.stacked_rnn_cells import StackedRNNCells
from kerax.layers.recurrent.time_loop import scan_over_time
from kerax.registry import register


@register("keras.layers")
class RNN(Layer):
    """Runs ``cell`` over every timestep of ``(batch, time, ...)`` inputs.

    The loop is one ``jax.lax.scan``. A cell is any object with a
    ``state_size`` (an int or a list of ints) and a method
    ``call(inputs, states, training=None) -> (output, new_states)``; a list of
    cells is stacked with ``StackedRNNCells``.

    Args:
        cell: the cell, or a list of cells.
        return_sequences: return the output of every timestep
            ``(batch, time, units)`` instead of the last ``(batch, units)``.
        return_state: also return the final states (after the output).
        go_backwards: process the sequence from its last timestep to its first
            (the returned sequence is in processing order).
        stateful: the final states of a call are the initial states of the
            next; they live in non-trainable Variables (``reset_states()``).
            Needs a fixed batch size.
        unroll: unroll the loop (faster compiled code for short sequences,
            longer compile time).
        zero_output_for_mask: masked timesteps output zeros instead of the
            previous output.

    Call arguments:
        sequences: ``(batch, time, ...)``.
        initial_state: list of initial state tensors (default zeros).
        mask: ``(batch, time)`` booleans, False for timesteps to skip: they
            keep the previous states.
        training: passed to the cell (dropout).

    Example:
        >>> from kerax.layers import LSTMCell
        >>> RNN(LSTMCell(4))(jnp.ones((2, 3, 5))).shape
        (2, 4)
    """

    def __init__(
        self,
        cell: Any,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        zero_output_for_mask: bool = False,
        **kwargs: Any,
    ) -> None:
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        check_cell(cell, type(self).__name__)
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.states: list[Variable] | None = None
        size = cell.state_size
        self.state_size = list(size) if isinstance(size, (list, tuple)) else [size]

    # -- states ---------------------------------------------------------------
    def get_initial_state(self, batch_size: int) -> list[Any]:
        """Zero initial states for ``batch_size`` sequences (the cell's layout)."""
        return initial_cell_states(self.cell, batch_size, self.compute_dtype)

    def _non_weight_variables(self) -> list[Variable]:
        """The stateful states: Variables that are state but not weights."""
        return list(self.states or [])

    @property
    def variables(self) -> list[Variable]:
        """All state: weights, seed states, then the stateful states."""
        result = super().variables
        known = {id(v) for v in result}
        return result + [v for v in self._non_weight_variables() if id(v) not in known]

    def reset_state(self) -> None:
        """Set the stateful states back to zeros."""
        for variable in self.states or []:
            variable.assign(jnp.zeros(variable.shape, variable.dtype))

    def reset_states(self) -> None:
        """Alias of ``reset_state``."""
        self.reset_state()

    def _create_state_variables(self, batch_size: int) -> None:
        values = jax.tree_util.tree_leaves(self.get_initial_state(batch_size))
        self.states = []
        for value in values:
            variable = Variable(
                value, dtype=self.variable_dtype, trainable=False, name="rnn_state"
            )
            variable.path = f"{self.name}/rnn_state"
            self.states.append(variable)

    def _state_specs(self, batch_size: int) -> Any:
        return jax.eval_shape(lambda: self.get_initial_state(batch_size))

    # -- building --------------------------------------------------------------
    def build(self, sequences_shape: Any, initial_state_shape: Any = None) -> None:
        shape = self._check_rank(sequences_shape)
        build_sublayer(self.cell, (shape[0], *shape[2:]))
        if self.stateful:
            if shape[0] is None:
                raise ValueError(
                    f"Layer {self.name!r} is stateful: the batch size must be "
                    f"static. Received sequences.shape={shape}."
                )
            if self.states is None:
                self._create_state_variables(shape[0])
            else:
                self.reset_state()

    def _check_rank(self, shape: Any) -> tuple:
        shape = tuple(shape)
        if len(shape) < 3:
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}) expects sequences of "
                f"shape (batch, time, features); received shape {shape}."
            )
        return shape

    # -- calling ---------------------------------------------------------------
    def _initial_states(self, initial_state: Any, batch_size: int) -> Any:
        dtype = self.cell.compute_dtype if isinstance(self.cell, Layer) else None
        dtype = dtype or self.compute_dtype
        if initial_state is None:
            if self.stateful:
                values = [v.value.astype(dtype) for v in self.states]
                treedef = jax.tree_util.tree_structure(self._state_specs(batch_size))
                return jax.tree_util.tree_unflatten(treedef, values)
            return self.get_initial_state(batch_size)
        given = initial_state
        if not isinstance(given, (list, tuple)):
            given = [given]
        leaves = [convert_to_tensor(x) for x in jax.tree_util.tree_leaves(given)]
        specs, treedef = jax.tree_util.tree_flatten(self._state_specs(batch_size))
        expected = [tuple(s.shape) for s in specs]
        received = [tuple(x.shape) for x in leaves]
        if expected != received:
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}) expects "
                f"initial_state as {len(expected)} tensors of shapes {expected}; "
                f"received {len(received)} tensors of shapes {received}."
            )
        leaves = [x.astype(dtype) for x in leaves]
        return jax.tree_util.tree_unflatten(treedef, leaves)

    def _time_major_mask(self, mask: Any, sequences: jax.Array) -> jax.Array | None:
        if mask is None:
            return None
        mask = convert_to_tensor(jax.tree_util.tree_leaves(mask)[0])
        if mask.ndim < 2 or tuple(mask.shape[:2]) != tuple(sequences.shape[:2]):
            raise ValueError(
                f"Layer {self.name!r}: the mask must have shape (batch, time) = "
                f"{tuple(sequences.shape[:2])}; received mask.shape="
                f"{tuple(mask.shape)}."
            )
        keep = mask.astype(bool)
        if keep.ndim > 2:
            keep = jnp.any(keep, axis=tuple(range(2, keep.ndim)))
        return jnp.swapaxes(keep, 0, 1)

    def _previous_output(self, states: Any) -> jax.Array:
        own = states[-1] if isinstance(self.cell, StackedRNNCells) else states[0]
        return jax.tree_util.tree_leaves(own)[0]

    def call(
        self,
        sequences: jax.Array,
        initial_state: Any = None,
        mask: Any = None,
        training: bool = False,
    ) -> Any:
        shape = self._check_rank(sequences.shape)
        batch_size = shape[0]
        if self.stateful and self.states[0].shape[0] != batch_size:
            raise ValueError(
                f"Layer {self.name!r} is stateful with batch size "
                f"{self.states[0].shape[0]}; received sequences with batch size "
                f"{batch_size}."
            )
        states = self._initial_states(initial_state, batch_size)
        step = cell_step(self.cell, (batch_size, *shape[2:]), training)
        last, outputs, states = scan_over_time(
            step,
            jnp.swapaxes(sequences, 0, 1),
            states,
            mask=self._time_major_mask(mask, sequences),
            go_backwards=self.go_backwards,
            unroll=self.unroll,
            zero_output_for_mask=self.zero_output_for_mask,
            return_sequences=self.return_sequences,
            previous_output=self._previous_output,
        )
        if self.stateful:
            for variable, value in zip(self.states, jax.tree_util.tree_leaves(states)):
                variable.assign(value.astype(variable.dtype))
        dtype = self.compute_dtype
        if self.return_sequences:
            output = jnp.swapaxes(outputs, 0, 1).astype(dtype)
        else:
            output = last.astype(dtype)
        if self.return_state:
            states = jax.tree_util.tree_map(lambda s: s.astype(dtype), states)
            return (output, *states)
        return output

    # -- shapes and masks --------------------------------------------------------
    def compute_output_shape(
        self, sequences_shape: Any, initial_state_shape: Any = None
    ) -> Any:
        shape = self._check_rank(sequences_shape)
        batch_size, steps = shape[0], shape[1]
        size = output_size(self.cell)
        if not isinstance(size, int):
            raise ValueError(
                f"Layer {self.name!r}: the cell's output_size must be an int; "
                f"received {size!r}."
            )
        if self.return_sequences:
            output_shape: tuple = (batch_size, steps, size)
        else:
            output_shape = (batch_size, size)
        if not self.return_state:
            return output_shape
        specs = self._state_specs(1)
        states = jax.tree_util.tree_map(lambda s: (batch_size, *s.shape[1:]), specs)
        return (output_shape, *states)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if mask is not None:
            mask = jax.tree_util.tree_leaves(mask)[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None for _ in self.state_size]
        return output_mask

    # -- config --------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        if not isinstance(self.cell, Layer):
            raise TypeError(
                f"Layer {self.name!r}: only cells that are kerax Layers can be "
                f"serialized; received cell={self.cell!r}."
            )
        return {
            **super().get_config(),
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
            "cell": serialize_layer(self.cell),
        }

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None
    ) -> RNN:
        """Rebuild the layer; the cell is rebuilt (and built) by the layer."""
        config = dict(config)
        if "cell" in config:
            cell_config = dict(config["cell"])
            cell_config.pop("build_config", None)
            config["cell"] = deserialize_layer(cell_config, custom_objects)
        return super().from_config(config)


def cell_layer_config(layer: RNN, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """Config of a layer built around its own cell: RNN flags + cell arguments."""
    config = {k: v for k, v in RNN.get_config(layer).items() if k != "cell"}
    skip = {"name", "trainable", "dtype", *drop}
    cell = {k: v for k, v in layer.cell.get_config().items() if k not in skip}
    activity = regularizers.serialize(layer.activity_regularizer)
    return {**config, **cell, "activity_regularizer": activity}
