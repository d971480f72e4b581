"""``Node``: one call of a layer on symbolic tensors, an edge set of the graph."""

from __future__ import annotations

from typing import Any

import jax

from kerax.backend.keras_tensor import KerasTensor, is_keras_tensor


class Node:
    """Records ``operation(*args, **kwargs) -> outputs`` on KerasTensors."""

    def __init__(
        self, operation: Any, call_args: tuple, call_kwargs: dict, outputs: Any
    ):
        self.operation = operation
        leaves, treedef = jax.tree_util.tree_flatten(
            (call_args, call_kwargs), is_leaf=is_keras_tensor
        )
        self.arguments_leaves = leaves
        self.arguments_treedef = treedef
        flat_outputs, self.output_treedef = jax.tree_util.tree_flatten(
            outputs, is_leaf=is_keras_tensor
        )
        self.outputs = flat_outputs
        operation._inbound_nodes.append(self)
        node_index = len(operation._inbound_nodes) - 1
        for tensor_index, tensor in enumerate(flat_outputs):
            if isinstance(tensor, KerasTensor):
                tensor._keras_history = (operation, node_index, tensor_index)

    @property
    def input_tensors(self) -> list[KerasTensor]:
        return [x for x in self.arguments_leaves if isinstance(x, KerasTensor)]

    @property
    def is_input(self) -> bool:
        return not self.input_tensors

    @property
    def parent_nodes(self) -> list[Node]:
        parents = []
        for tensor in self.input_tensors:
            history = tensor._keras_history
            if history is not None:
                operation, node_index, _ = history
                parents.append(operation._inbound_nodes[node_index])
        return parents

    def call_arguments(self, values: dict[int, Any]) -> tuple[tuple, dict]:
        """The recorded arguments with KerasTensors replaced by computed values."""
        leaves = [
            values[id(x)] if isinstance(x, KerasTensor) else x
            for x in self.arguments_leaves
        ]
        return jax.tree_util.tree_unflatten(self.arguments_treedef, leaves)
