"""The order in which Keras lists the operations of a Functional graph.

Keras sorts a graph's operations by depth (longest path to an output,
deepest first; a shared layer takes the depth of its deepest call) and, at
equal depth, by the order a depth-first walk from the outputs first meets
them. That order decides both the ``layers`` list of a config and the names
of the weight groups (``layers/dense``, ``layers/dense_1``...), so files only
match Keras's if kerax uses the same order.
"""

from __future__ import annotations

from typing import Any

from kerax.layers.op_layer import OpLayer


def _walk(graph: Any) -> tuple[list[Any], dict[int, int]]:
    """Nodes in post-order and each operation's discovery index."""
    input_ids = {id(t) for t in graph.inputs}
    finished: set[int] = set()
    in_progress: set[int] = set()
    order: list[Any] = []
    discovered: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(t, False) for t in reversed(graph.outputs)]
    while stack:
        tensor, expanded = stack.pop()
        operation, node_index, _ = tensor._keras_history
        node = operation._inbound_nodes[node_index]
        if expanded:
            finished.add(id(node))
            in_progress.discard(id(node))
            order.append(node)
            continue
        if id(node) in finished:
            continue
        if not node.is_input and id(tensor) in input_ids:
            finished.add(id(node))
            continue
        if id(node) in in_progress:
            raise ValueError(f"The graph has a cycle through {operation.name!r}.")
        discovered.setdefault(id(operation), len(discovered))
        in_progress.add(id(node))
        stack.append((tensor, True))
        if not node.is_input:
            stack.extend((t, False) for t in reversed(node.input_tensors))
    return order, discovered


def operations_in_keras_order(graph: Any) -> list[Any]:
    """Each operation (layer or op) of ``graph`` once, in Keras's order."""
    order, discovered = _walk(graph)
    in_graph = {id(node) for node in order}
    node_depth: dict[int, int] = {}
    operation_depth: dict[int, int] = {}
    operations: dict[int, Any] = {}
    for node in reversed(order):
        operation = node.operation
        operations[id(operation)] = operation
        depth = max(node_depth.get(id(node), 0), operation_depth.get(id(operation), 0))
        operation_depth[id(operation)] = depth
        node_depth[id(node)] = depth
        for parent in node.parent_nodes:
            if id(parent) in in_graph:
                node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    for tensor in graph.inputs:
        operation = tensor._keras_history[0]
        if id(operation) not in operation_depth:
            operations[id(operation)] = operation
            operation_depth[id(operation)] = 0
            discovered[id(operation)] = -1
    return sorted(
        operations.values(),
        key=lambda op: (-operation_depth[id(op)], discovered[id(op)]),
    )


def layers_in_keras_order(model: Any) -> list[Any]:
    """``model.layers`` as Keras lists them: ops excluded, Keras's order."""
    graph = getattr(model, "_graph", None)
    if graph is None:
        return list(model.layers)
    return [
        op for op in operations_in_keras_order(graph) if not isinstance(op, OpLayer)
    ]
