"""Rematerialization (gradient checkpointing): ``RematScope`` and ``remat``.

A function run under ``jax.checkpoint`` keeps only its inputs for the backward
pass and recomputes its intermediate values there: less memory, more compute.
Layers created inside a ``RematScope`` remember the scope's mode and run
their ``call`` that way (as in Keras, the mode is taken at construction).

Stateful code stays correct under the checkpoint: the function runs in its
own state scope, so Variable writes (batch-norm statistics, seed states) and
``add_loss`` terms come out of the checkpoint as outputs and are applied
outside it; nothing traced inside leaks.
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import numpy as np

from kerax.autodiff import state_scope

MODES = ("full", "activations", "larger_than", "list_of_layers", None)

_local = threading.local()


class RematMode(NamedTuple):
    """The settings of the innermost active ``RematScope``."""

    mode: str
    output_size_threshold: int
    layer_names: list[str]


def _scopes() -> list[RematScope]:
    if not hasattr(_local, "stack"):
        _local.stack = []
    return _local.stack


class RematScope:
    """Context manager: layers created inside it rematerialize their calls.

    Args:
        mode: ``"full"`` (every layer), ``"activations"`` (only the
            ``activation`` of layers that have one), ``"larger_than"`` (layers
            whose outputs hold more than ``output_size_threshold`` values),
            ``"list_of_layers"`` (layers named in ``layer_names``) or ``None``
            (no rematerialization, e.g. to switch it off in a nested scope).
        output_size_threshold: the size limit of ``"larger_than"``.
        layer_names: the layer names of ``"list_of_layers"``.

    Example:
        >>> with RematScope(mode="full"):
        ...     layer = kerax.layers.Dense(8, activation="relu")
    """

    def __init__(
        self,
        mode: str | None = "full",
        output_size_threshold: int = 1024,
        layer_names: list[str] | None = None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(
                f"RematScope: invalid mode {mode!r}. Supported modes are: 'full', "
                "'activations', 'larger_than', 'list_of_layers', or None."
            )
        self.mode = mode
        self.output_size_threshold = output_size_threshold
        self.layer_names = list(layer_names or [])

    def __enter__(self) -> RematScope:
        _scopes().append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _scopes().remove(self)


def get_current_remat_mode() -> RematMode | None:
    """The mode of the innermost ``RematScope``; None outside any or for mode None."""
    scopes = _scopes()
    if not scopes or scopes[-1].mode is None:
        return None
    top = scopes[-1]
    return RematMode(top.mode, top.output_size_threshold, list(top.layer_names))


def _is_array(value: Any) -> bool:
    return isinstance(value, (jax.Array, np.ndarray))


def _owners(fn: Callable) -> list[Any]:
    """The layers whose ``add_loss`` calls ``fn`` may make."""
    owner = fn if hasattr(fn, "_flatten_layers") else getattr(fn, "__self__", None)
    if owner is None or not hasattr(owner, "_flatten_layers"):
        return []
    return owner._flatten_layers(include_self=True)


def _pure(fn: Callable, args: tuple, kwargs: dict) -> tuple[Callable, list, list]:
    """``fn`` as a pure function of the array leaves of its arguments.

    Returns ``(pure, arrays, written)``: ``pure(arrays)`` gives ``(outputs,
    new_values, losses)`` and, once traced, ``written`` lists the Variables
    whose new values ``new_values`` holds.
    """
    leaves, treedef = jax.tree_util.tree_flatten((args, kwargs))
    positions = [i for i, leaf in enumerate(leaves) if _is_array(leaf)]
    written: list[Any] = []

    def pure(arrays: list) -> tuple[Any, list, dict]:
        full = list(leaves)
        for position, array in zip(positions, arrays):
            full[position] = array
        call_args, call_kwargs = jax.tree_util.tree_unflatten(treedef, full)
        with state_scope.StateScope(track_unknown=True) as scope:
            outputs = fn(*call_args, **call_kwargs)
        changed = [
            (variable, scope.values[key])
            for key, variable in scope.variables.items()
            if scope.values[key] is not state_scope.read(variable)
        ]
        written[:] = [variable for variable, _ in changed]
        return outputs, [value for _, value in changed], scope.losses

    return pure, [leaves[i] for i in positions], written


def _apply_effects(fn: Callable, written: list, new_values: list, losses: dict) -> None:
    for variable, value in zip(written, new_values):
        variable.assign(value)
    if not losses:
        return
    layers = {id(layer): layer for layer in _owners(fn)}
    for layer_id, terms in losses.items():
        if layer_id not in layers:
            raise RuntimeError(
                "A loss was added (add_loss) inside a rematerialized function "
                "that is not a layer or a layer's method; kerax cannot tell which "
                "layer it belongs to. Apply remat to the layer instead."
            )
        for term in terms:
            layers[layer_id].add_loss(term)


def _checkpointed_call(fn: Callable, args: tuple, kwargs: dict) -> Any:
    pure, arrays, written = _pure(fn, args, kwargs)
    outputs, new_values, losses = jax.checkpoint(pure)(arrays)
    _apply_effects(fn, written, new_values, losses)
    return outputs


def remat(f: Callable) -> Callable:
    """Wrap ``f`` (a function or a layer) so that its call runs under
    ``jax.checkpoint``: its intermediate values are recomputed in the backward
    pass instead of being stored.

    Example:
        >>> dense = kerax.layers.Dense(4)
        >>> checkpointed = remat(dense)
    """

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return _checkpointed_call(f, args, kwargs)

    return wrapper


def _output_size(fn: Callable, args: tuple, kwargs: dict) -> int:
    pure, arrays, _ = _pure(fn, args, kwargs)
    outputs = jax.eval_shape(pure, arrays)[0]
    return sum(math.prod(leaf.shape) for leaf in jax.tree_util.tree_leaves(outputs))


def layer_call(layer: Any, args: tuple, kwargs: dict) -> Callable:
    """``layer.call``, rematerialized as the layer's ``RematScope`` mode asks."""
    mode = layer._remat_mode
    if mode.mode == "full":
        return remat(layer.call)
    if mode.mode == "list_of_layers" and layer.name in mode.layer_names:
        return remat(layer.call)
    if mode.mode == "larger_than":
        if _output_size(layer.call, args, kwargs) > mode.output_size_threshold:
            return remat(layer.call)
    if mode.mode == "activations" and getattr(layer, "activation", None) is not None:
        return functools.partial(_call_with_remat_activation, layer)
    return layer.call


def _call_with_remat_activation(layer: Any, *args: Any, **kwargs: Any) -> Any:
    activation = layer.activation
    object.__setattr__(layer, "activation", jax.checkpoint(activation))
    try:
        return layer.call(*args, **kwargs)
    finally:
        object.__setattr__(layer, "activation", activation)
