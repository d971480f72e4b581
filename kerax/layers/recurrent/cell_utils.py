"""Helpers shared by recurrent cells and layers: dropout masks, states, steps.

A kerax cell may offer ``_make_step(input_shape, training)``: it reads its
weights and draws its dropout masks once and returns a pure
``step(x_t, states) -> (output, new_states)``. Any other object following
Keras's cell protocol (``state_size`` and ``call(inputs, states, training)``)
is stepped through its ``call``.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp

from kerax import initializers
from kerax.layers.core._arguments import positive_int
from kerax.layers.layer import Layer, name_scope
from kerax.layers.recurrent.time_loop import Step
from kerax.random import SeedGenerator
from kerax.random import dropout as random_dropout


def clamp_rate(value: Any) -> float:
    """A dropout rate clipped to [0, 1], as Keras's cells store it."""
    return min(1.0, max(0.0, float(value)))


def check_units(value: Any, name: str, owner: str) -> int:
    """``value`` as a positive int, else a ValueError naming ``owner``."""
    return positive_int(value, name, owner)


def draw_dropout_masks(
    seed_generator: SeedGenerator,
    shape: Sequence[int],
    rate: float,
    count: int,
    dtype: Any,
) -> list[jax.Array] | None:
    """``count`` masks of 0 and ``1/(1-rate)``, or None when ``rate`` is 0 or 1."""
    if not 0.0 < rate < 1.0:
        return None
    ones = jnp.ones(tuple(shape), dtype)
    return [random_dropout(ones, rate, seed=seed_generator) for _ in range(count)]


class UnitForgetBias:
    """Bias initializer of LSTM-like cells: forget-gate slice 1, the rest ``base``.

    The bias is laid out as four gate blocks ``i, f, c, o`` of ``units`` each.
    """

    def __init__(self, base: Any, units: int) -> None:
        self.base = initializers.get(base)
        self.units = units

    def __call__(self, shape: Any, dtype: Any = None) -> jax.Array:
        units = self.units
        return jnp.concatenate(
            [
                jnp.asarray(self.base((units,), dtype=dtype)),
                jnp.ones((units,), dtype=dtype),
                jnp.asarray(self.base((2 * units,), dtype=dtype)),
            ]
        )


def cell_property(name: str) -> property:
    """A read-only layer property forwarding to ``self.cell.<name>``."""
    return property(lambda self: getattr(self.cell, name), doc=f"The cell's {name}.")


def check_cell(cell: Any, owner: str) -> None:
    """Raise unless ``cell`` follows the cell protocol (``call``, ``state_size``)."""
    if not callable(getattr(cell, "call", None)):
        raise ValueError(
            f"{owner}: a cell needs a `call(inputs, states, training=None)` method. "
            f"Received cell={cell!r}."
        )
    if getattr(cell, "state_size", None) is None:
        raise ValueError(
            f"{owner}: a cell needs a `state_size` attribute (an int, or a list "
            f"with one int per state). Received cell={cell!r}."
        )


def output_size(cell: Any) -> Any:
    """The size of a cell's output: ``output_size``, else its first state size."""
    size = getattr(cell, "output_size", None)
    if size is not None:
        return size
    state_size = cell.state_size
    return state_size[0] if isinstance(state_size, (list, tuple)) else state_size


def initial_cell_states(cell: Any, batch_size: int, dtype: Any) -> list[Any]:
    """Zero states of ``cell`` as the list the cell's ``call`` receives."""
    make = getattr(cell, "get_initial_state", None)
    if make is not None:
        states = make(batch_size=batch_size)
        return list(states) if isinstance(states, (list, tuple)) else [states]
    sizes = cell.state_size
    sizes = list(sizes) if isinstance(sizes, (list, tuple)) else [sizes]
    return [jnp.zeros((batch_size, size), dtype) for size in sizes]


def restructure(new_states: Any, like: Any, owner: str) -> Any:
    """``new_states`` arranged in the nesting of ``like`` (same number of arrays)."""
    leaves = jax.tree_util.tree_leaves(new_states)
    treedef = jax.tree_util.tree_structure(like)
    if len(leaves) != treedef.num_leaves:
        raise ValueError(
            f"{owner}: the cell returned {len(leaves)} state tensors but has "
            f"{treedef.num_leaves} states (state_size)."
        )
    return jax.tree_util.tree_unflatten(treedef, leaves)


def _takes_training(cell: Any) -> bool:
    if isinstance(cell, Layer):
        return cell._call_has_training
    return "training" in inspect.signature(cell.call).parameters


def cell_step(cell: Any, input_shape: Sequence[int], training: Any) -> Step:
    """The step function of ``cell`` for step inputs of ``input_shape``."""
    make_step = getattr(cell, "_make_step", None)
    if make_step is not None:
        return make_step(tuple(input_shape), training)
    call = cell if isinstance(cell, Layer) else cell.call
    kwargs = {"training": training} if _takes_training(cell) else {}

    def step(x_t: Any, states: Any) -> tuple[jax.Array, Any]:
        output, new_states = call(x_t, states, **kwargs)
        if not isinstance(new_states, (list, tuple)):
            new_states = [new_states]
        return output, restructure(new_states, states, type(cell).__name__)

    return step


def build_sublayer(layer: Any, input_shape: Any) -> None:
    """Build ``layer`` (if a kerax Layer, not yet built) under its own name scope.

    Weight paths then read ``outer/inner/kernel`` as in Keras.
    """
    if not isinstance(layer, Layer) or layer.built:
        return
    with name_scope(layer.name):
        layer.build(input_shape)
    layer.built = True
    layer._build_shapes_dict = input_shape
