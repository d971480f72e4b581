"""A Functional model's graph as Keras 3's config, and the model it describes.

The config lists every layer (and op) once with its ``inbound_nodes``: one
entry per call, holding the call's ``args``/``kwargs`` with each symbolic
tensor written as ``{"class_name": "__keras_tensor__", "config": {"shape",
"dtype", "keras_history": [layer_name, node_index, tensor_index]}}``.
``input_layers``/``output_layers`` hold such ``[name, node, tensor]`` triples
in the structure (single, list or dict) of the model's inputs and outputs.
Node indices count only the calls inside this model; in ``input_layers`` and
``output_layers`` (only there) they start at 1 for a nested Functional model,
as Keras writes them.
"""

from __future__ import annotations

from typing import Any

import jax

from kerax.backend.keras_tensor import KerasTensor, is_keras_tensor
from kerax.layers.layer import Layer
from kerax.layers.op_layer import OpLayer
from kerax.models.graph_order import operations_in_keras_order
from kerax.saving import class_lookup, op_config
from kerax.saving.serialization import deserialize_keras_object, serialize_keras_object


def _first_index(layer: Any) -> int:
    from kerax.models.functional import Functional

    return 1 if isinstance(layer, Functional) else 0


class _NodeIndex:
    """Keras's node numbering: only the nodes that belong to this graph count.

    Inside ``inbound_nodes`` a call is numbered among the layer's calls in this
    graph; ``input_layers``/``output_layers`` add 1 for nested Functional models.
    """

    def __init__(self, graph: Any) -> None:
        kept = {id(node) for node in graph.nodes}
        self._index: dict[tuple[int, int], int] = {}
        for layer in graph.layers:
            position = 0
            for original, node in enumerate(layer._inbound_nodes):
                if id(node) in kept:
                    self._index[(id(layer), original)] = position
                    position += 1

    def history(self, tensor: KerasTensor) -> list[Any]:
        layer, node_index, tensor_index = tensor._keras_history
        return [layer.name, self._index[(id(layer), node_index)], tensor_index]

    def endpoint(self, tensor: KerasTensor) -> list[Any]:
        name, node_index, tensor_index = self.history(tensor)
        return [name, node_index + _first_index(tensor._keras_history[0]), tensor_index]


def _tensor_entry(tensor: KerasTensor, index: _NodeIndex) -> dict[str, Any]:
    return {
        "class_name": "__keras_tensor__",
        "config": {
            "shape": list(tensor.shape),
            "dtype": tensor.dtype,
            "keras_history": index.history(tensor),
        },
    }


def _encode(value: Any, index: _NodeIndex) -> Any:
    """Call arguments with tensors as ``__keras_tensor__`` entries."""
    leaves, treedef = jax.tree_util.tree_flatten(value, is_leaf=is_keras_tensor)
    encoded = [
        _tensor_entry(x, index)
        if isinstance(x, KerasTensor)
        else serialize_keras_object(x)
        for x in leaves
    ]
    return _as_json(jax.tree_util.tree_unflatten(treedef, encoded))


def _as_json(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_as_json(v) for v in value]
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, dict) and "class_name" not in value:
        return {k: _as_json(v) for k, v in value.items()}
    return value


def _layer_entry(layer: Any, nodes: list[Any], index: _NodeIndex) -> dict[str, Any]:
    if isinstance(layer, OpLayer):
        if len(nodes) != 1:
            raise ValueError(f"Op node {layer.name!r} is used {len(nodes)} times.")
        args, kwargs = layer._fill(tuple(nodes[0].input_tensors))
        entry = op_config.serialize_op(layer, args, kwargs)
        call_args = entry.pop("call_args")
        inbound = [{"args": _encode(call_args, index), "kwargs": {}}]
    else:
        entry = serialize_keras_object(layer)
        inbound = []
        for node in nodes:
            if node.is_input:
                continue
            args, kwargs = jax.tree_util.tree_unflatten(
                node.arguments_treedef, node.arguments_leaves
            )
            inbound.append(
                {"args": _encode(args, index), "kwargs": _encode(kwargs, index)}
            )
    entry["name"] = layer.name
    entry["inbound_nodes"] = inbound
    return entry


def _triples(structure: Any, index: _NodeIndex) -> Any:
    return _as_json(
        jax.tree_util.tree_map(index.endpoint, structure, is_leaf=is_keras_tensor)
    )


def functional_config(model: Any) -> dict[str, Any]:
    """The ``config`` of a Functional model in Keras 3's schema."""
    graph = model._graph
    index = _NodeIndex(graph)
    kept = {id(node) for node in graph.nodes}
    layers = [
        _layer_entry(layer, [n for n in layer._inbound_nodes if id(n) in kept], index)
        for layer in operations_in_keras_order(graph)
    ]
    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": layers,
        "input_layers": _triples(graph.inputs_struct, index),
        "output_layers": _triples(graph.outputs_struct, index),
    }


def _is_triple(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 3
        and isinstance(value[0], str)
        and all(isinstance(v, int) for v in value[1:])
    )


def _tensor_ref(triple: list[Any]) -> dict[str, Any]:
    return {"class_name": "__keras_tensor__", "config": {"keras_history": triple}}


class _NotReady(Exception):
    """A call needs a tensor that no processed node has produced yet."""


class _Builder:
    """Replays the layer calls of a config to rebuild the graph."""

    def __init__(self, config: dict[str, Any], custom_objects: dict[str, Any] | None):
        self.custom_objects = custom_objects
        self.outputs: dict[tuple[str, int], list[Any]] = {}
        self.layers: dict[str, Any] = {}
        self.entries = config.get("layers")
        if not isinstance(self.entries, list):
            raise ValueError("A Functional config needs a 'layers' list.")

    def create_layers(self) -> None:
        from kerax.layers.core.input_layer import InputLayer

        for entry in self.entries:
            if not isinstance(entry, dict):
                raise ValueError(
                    f"Each layer entry must be a dict, received {entry!r}."
                )
            name = entry.get("name") or (entry.get("config") or {}).get("name")
            if not isinstance(name, str) or name in self.layers:
                raise ValueError(
                    f"Layer names in a Functional config must be unique strings; got {name!r}."
                )
            if class_lookup.is_ops_module(entry.get("module")):
                fn, constructor = op_config.resolve_op(entry)
                op_config.op_call_signature_ok(fn, constructor)
                self.layers[name] = (
                    fn,
                    deserialize_keras_object(constructor, self.custom_objects),
                )
                continue
            layer_config = {
                k: v for k, v in entry.items() if k not in ("name", "inbound_nodes")
            }
            layer = deserialize_keras_object(layer_config, self.custom_objects)
            if not isinstance(layer, Layer):
                raise ValueError(
                    f"The entry {name!r} of a Functional config must describe a "
                    f"layer, but it describes {type(layer).__name__}."
                )
            self.layers[name] = layer
            if isinstance(layer, InputLayer):
                self.outputs[(name, 0)] = [layer.output_tensor]

    def _decode(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self._decode(v) for v in value]
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            history = (value.get("config") or {}).get("keras_history")
            if not _is_triple(history):
                raise ValueError(f"Bad keras_history in {value!r}.")
            name, node_index, tensor_index = history
            found = self.outputs.get((name, node_index))
            if found is None:
                raise _NotReady(name)
            if not 0 <= tensor_index < len(found):
                raise ValueError(
                    f"Tensor index {tensor_index} out of range for {name!r}."
                )
            return found[tensor_index]
        if isinstance(value, dict) and "class_name" not in value:
            return {k: self._decode(v) for k, v in value.items()}
        return deserialize_keras_object(value, self.custom_objects)

    def _legacy_node(self, name: str, node: list[Any]) -> tuple[list, dict]:
        """Keras 2's node format: ``[[layer, node, tensor, kwargs], ...]``."""
        tensors, kwargs = [], {}
        for item in node:
            if not isinstance(item, list) or len(item) not in (3, 4):
                raise ValueError(f"Bad inbound node of layer {name!r}: {node!r}")
            tensors.append(self._decode(_tensor_ref(item[:3])))
            kwargs = self._decode(item[3]) if len(item) == 4 else {}
        return [tensors[0] if len(tensors) == 1 else tensors], kwargs

    def _call(self, name: str, node: Any) -> list[Any]:
        if isinstance(node, list):
            args, kwargs = self._legacy_node(name, node)
        elif isinstance(node, dict):
            args = self._decode(list(node.get("args") or []))
            kwargs = self._decode(dict(node.get("kwargs") or {}))
        else:
            raise ValueError(f"Bad inbound node of layer {name!r}: {node!r}")
        target = self.layers[name]
        if isinstance(target, tuple):
            fn, constructor = target
            out = op_config.call_op(fn, args, kwargs, constructor)
            created = jax.tree_util.tree_leaves(out, is_leaf=is_keras_tensor)[0]
            created._keras_history[0].name = name
        else:
            out = target(*args, **kwargs)
        return jax.tree_util.tree_leaves(out, is_leaf=is_keras_tensor)

    def run_nodes(self) -> None:
        pending = {
            entry["name"] if "name" in entry else entry["config"]["name"]: list(
                entry.get("inbound_nodes") or []
            )
            for entry in self.entries
        }
        done = {name: 0 for name in pending}
        progress = True
        while progress and any(pending.values()):
            progress = False
            for name, nodes in pending.items():
                while nodes:
                    try:
                        flat = self._call(name, nodes[0])
                    except _NotReady:
                        break
                    self.outputs[(name, done[name])] = flat
                    done[name] += 1
                    nodes.pop(0)
                    progress = True
        stuck = [name for name, nodes in pending.items() if nodes]
        if stuck:
            raise ValueError(
                f"The Functional config cannot be rebuilt: the calls of {stuck} use "
                "tensors that no layer in the config produces."
            )

    def tensors(self, structure: Any, what: str) -> Any:
        def find(triple: Any) -> Any:
            layer = self.layers.get(triple[0]) if _is_triple(triple) else None
            offset = _first_index(layer) if isinstance(layer, Layer) else 0
            found = (
                None
                if layer is None
                else self.outputs.get((triple[0], triple[1] - offset))
            )
            if found is None or not 0 <= triple[2] < len(found):
                raise ValueError(
                    f"The config's {what} names an unknown tensor {triple!r}."
                )
            return found[triple[2]]

        if _is_triple(structure):
            return find(structure)
        return jax.tree_util.tree_map(find, structure, is_leaf=_is_triple)


def functional_from_config(
    cls: type, config: dict[str, Any], custom_objects: dict[str, Any] | None = None
) -> Any:
    """Rebuild a Functional model (class ``cls``) from ``functional_config`` output."""
    builder = _Builder(config, custom_objects)
    builder.create_layers()
    builder.run_nodes()
    inputs = builder.tensors(config.get("input_layers"), "input_layers")
    outputs = builder.tensors(config.get("output_layers"), "output_layers")
    model = cls(inputs=inputs, outputs=outputs, name=config.get("name"))
    if config.get("trainable") is False:
        model.trainable = False
    return model
