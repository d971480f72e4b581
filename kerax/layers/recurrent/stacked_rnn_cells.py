"""``StackedRNNCells``: several cells acting as one, each feeding the next."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax.layers.core.wrapper import deserialize_layer, serialize_layer
from kerax.layers.layer import Layer
from kerax.layers.recurrent.cell_utils import (
    Step,
    build_sublayer,
    cell_step,
    check_cell,
    output_size,
)
from kerax.registry import register


@register("keras.layers")
class StackedRNNCells(Layer):
    """A stack of recurrent cells used as a single cell (e.g. inside ``RNN``).

    At each timestep the first cell reads the input, every other cell reads the
    output of the cell below; the output is the last cell's. The states are a
    list with one entry per cell.

    Args:
        cells: list of cells (objects with ``state_size`` and ``call``).

    Example:
        >>> from kerax.layers import RNN, LSTMCell
        >>> cells = StackedRNNCells([LSTMCell(4), LSTMCell(3)])
        >>> RNN(cells)(jnp.ones((2, 5, 6))).shape
        (2, 3)
    """

    def __init__(self, cells: list[Any], **kwargs: Any) -> None:
        if not isinstance(cells, (list, tuple)) or not cells:
            raise ValueError(
                f"StackedRNNCells expects a non-empty list of cells; received "
                f"cells={cells!r}."
            )
        for cell in cells:
            check_cell(cell, "StackedRNNCells")
        super().__init__(**kwargs)
        self.cells = list(cells)

    @property
    def state_size(self) -> list[Any]:
        return [cell.state_size for cell in self.cells]

    @property
    def output_size(self) -> Any:
        return output_size(self.cells[-1])

    def get_initial_state(self, batch_size: int | None = None) -> list[Any]:
        """Each cell's zero states, in the layout that cell's ``call`` receives."""
        states = []
        for cell in self.cells:
            make = getattr(cell, "get_initial_state", None)
            if make is not None:
                states.append(make(batch_size=batch_size))
            elif isinstance(cell.state_size, (list, tuple)):
                states.append(
                    [
                        jnp.zeros((batch_size, size), self.compute_dtype)
                        for size in cell.state_size
                    ]
                )
            else:
                states.append(
                    jnp.zeros((batch_size, cell.state_size), self.compute_dtype)
                )
        return states

    def build(self, input_shape: Any) -> None:
        shape = tuple(input_shape)
        for cell in self.cells:
            build_sublayer(cell, shape)
            shape = (shape[0], output_size(cell))

    def _make_step(self, input_shape: tuple, training: Any) -> Step:
        steps = []
        shape = tuple(input_shape)
        for cell in self.cells:
            steps.append(cell_step(cell, shape, training))
            shape = (shape[0], output_size(cell))

        def step(x_t: jax.Array, states: Any) -> tuple[jax.Array, list[Any]]:
            new_states = []
            for cell_step_fn, cell_states in zip(steps, states):
                nested = isinstance(cell_states, (list, tuple))
                x_t, new = cell_step_fn(
                    x_t, list(cell_states) if nested else [cell_states]
                )
                new_states.append(new if nested else new[0])
            return x_t, new_states

        return step

    def call(
        self, inputs: jax.Array, states: Any, training: bool = False
    ) -> tuple[jax.Array, list[Any]]:
        """One timestep through every cell: ``(last cell's output, new_states)``."""
        step = self._make_step(tuple(inputs.shape), training)
        return step(inputs, list(states))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "cells": [serialize_layer(cell) for cell in self.cells],
        }

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None
    ) -> StackedRNNCells:
        """Rebuild the stack; the cells are built when the stack is."""
        config = dict(config)
        cells = []
        for cell_config in config.pop("cells"):
            cell_config = {k: v for k, v in cell_config.items() if k != "build_config"}
            cells.append(deserialize_layer(cell_config, custom_objects))
        return super().from_config({**config, "cells": cells})
