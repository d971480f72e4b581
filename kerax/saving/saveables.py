"""Where each layer's and optimizer's variables live in a Keras weights file.

Keras names the weights of an object by the attribute path that leads to it
from the model, not by layer names (which vary between runs): ``layers`` of a
Sequential/Functional model first, then the object's attributes in sorted
order (public before private), list items named by their snake_case class
name (``dense``, ``dense_1``). Attributes that every plain layer (or model)
has are skipped, and an object reached twice is saved once, at its first
path. This module reproduces that walk over kerax objects.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from kerax.layers.layer import Layer
from kerax.models.graph_order import layers_in_keras_order
from kerax.optimizers.optimizer import Optimizer
from kerax.utils.naming import to_snake_case

_WALKED = ("layers", "optimizer")
# kerax built-in layers whose sublayers Keras reaches under another name (a
# public property); used until those layers expose the same property.
_KERAS_ATTRIBUTE_NAMES = {
    "MultiHeadAttention": {
        "_query_dense": "query_dense",
        "_key_dense": "key_dense",
        "_value_dense": "value_dense",
        "_output_dense": "output_dense",
    },
}


def is_saveable(obj: Any) -> bool:
    """Layers and optimizers own a ``vars`` group in the file."""
    return isinstance(obj, (Layer, Optimizer))


def _counts_as_saveable(obj: Any) -> bool:
    """Objects Keras names in containers (metrics and losses write nothing)."""
    from kerax.losses.loss import Loss
    from kerax.metrics.metric import Metric

    return is_saveable(obj) or isinstance(obj, (Loss, Metric))


@functools.cache
def _skipped(kind: str) -> frozenset[str]:
    """Attributes that every plain object of this kind has (never walked)."""
    from kerax.models.model import Model
    from kerax.models.sequential import Sequential

    reference = {"layer": Layer, "model": Model, "sequential": Sequential}[kind]
    names = set(dir(reference(name="reference")))
    return frozenset(names - set(_WALKED))


def _kind(obj: Any) -> str:
    from kerax.models.model import Model
    from kerax.models.sequential import Sequential

    if isinstance(obj, Sequential):
        return "sequential"
    return "model" if isinstance(obj, Model) else "layer"


def _sort_key(name: str) -> str:
    return f"~{name}" if name.startswith("_") else name


def _has_graph(obj: Any) -> bool:
    from kerax.models.sequential import Sequential

    return isinstance(obj, Sequential) or getattr(obj, "_graph", None) is not None


def children(obj: Any) -> Iterator[tuple[str, Any]]:
    """``(attribute name, value)`` pairs of ``obj`` in Keras's visiting order."""
    if isinstance(obj, Optimizer):
        for name in sorted(vars(obj), key=_sort_key):
            value = vars(obj)[name]
            if isinstance(value, Optimizer) and value is not obj:
                yield name, value
        return
    if _has_graph(obj):
        yield "layers", layers_in_keras_order(obj)
    skipped = _skipped(_kind(obj))
    aliases = _KERAS_ATTRIBUTE_NAMES.get(type(obj).__name__, {})
    names = []
    for name in dir(obj):
        if name.startswith("__") or name in skipped:
            continue
        alias = aliases.get(name)
        names.append((alias if alias and not hasattr(obj, alias) else name, name))
    for shown, name in sorted(names, key=lambda pair: _sort_key(pair[0])):
        try:
            value = getattr(obj, name)
        except Exception:  # a property that cannot be computed holds nothing
            continue
        yield shown, value


def container_items(container: Any) -> Iterator[tuple[str, Any]]:
    """Items of a list/tuple/dict named as Keras names them in the file."""
    values = list(container.values()) if isinstance(container, dict) else container
    used: dict[str, int] = {}
    for value in values:
        if _counts_as_saveable(value):
            base = to_snake_case(type(value).__name__)
        elif isinstance(value, (list, tuple, dict)):
            base = "container"
        else:
            continue
        if base in used:
            used[base] += 1
            yield f"{base}_{used[base]}", value
        else:
            used[base] = 0
            yield base, value


def own_variables(obj: Any) -> list[Any]:
    """The variables stored in ``obj``'s own ``vars`` group, in Keras's order."""
    if isinstance(obj, Optimizer):
        return list(obj.variables)
    return list(obj._trainable_variables) + list(obj._non_trainable_variables)


def walk(model: Any) -> Iterator[tuple[str, Any]]:
    """Every saveable reachable from ``model`` with its path, each once."""
    visited: set[int] = set()
    visited_containers: set[int] = set()
    alive: list[Any] = []  # keeps walked objects alive so their ids stay unique

    def visit(obj: Any, path: str) -> Iterator[tuple[str, Any]]:
        if id(obj) in visited:
            return
        visited.add(id(obj))
        alive.append(obj)
        yield path, obj
        for name, child in children(obj):
            yield from dispatch(child, f"{path}/{name}" if path else name)

    def dispatch(value: Any, path: str) -> Iterator[tuple[str, Any]]:
        if is_saveable(value):
            yield from visit(value, path)
        elif isinstance(value, (list, tuple, dict)):
            if id(value) in visited_containers:
                return
            visited_containers.add(id(value))
            alive.append(value)
            for name, item in container_items(value):
                yield from dispatch(item, f"{path}/{name}")

    yield from visit(model, "")
