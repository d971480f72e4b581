"""The layer graph of a Functional model: built from KerasTensors, run on arrays."""

from __future__ import annotations

import inspect
from typing import Any

import jax
import jax.numpy as jnp

from kerax.backend.keras_tensor import KerasTensor, is_keras_tensor
from kerax.layers.node import Node


def _history(tensor: KerasTensor) -> tuple[Any, int, int]:
    if tensor._keras_history is None:
        raise ValueError(
            f"{tensor} was not produced by a layer. Model outputs must be "
            "computed from Input(...) tensors by layers or kerax ops."
        )
    return tensor._keras_history


class Graph:
    """Nodes between ``inputs`` and ``outputs`` in an order that runs them."""

    def __init__(self, inputs: Any, outputs: Any) -> None:
        self.inputs_struct = inputs
        self.outputs_struct = outputs
        self.inputs = jax.tree_util.tree_leaves(inputs, is_leaf=is_keras_tensor)
        self.outputs = jax.tree_util.tree_leaves(outputs, is_leaf=is_keras_tensor)
        for tensor in self.inputs + self.outputs:
            if not isinstance(tensor, KerasTensor):
                raise ValueError(
                    "Model inputs and outputs must be KerasTensors (from "
                    f"kerax.Input and layer calls), received {type(tensor).__name__}."
                )
        for tensor in self.inputs:
            layer = _history(tensor)[0]
            if layer._inbound_nodes[0].input_tensors:
                raise ValueError(
                    f"Model inputs must come from kerax.Input; {tensor} is the output "
                    f"of layer {layer.name!r}."
                )
        self.nodes = self._sort_nodes()
        self._check_reachable()

    def _sort_nodes(self) -> list[Node]:
        order: list[Node] = []
        state: dict[int, int] = {}  # 1 visiting, 2 done

        def visit(node: Node) -> None:
            key = id(node)
            if state.get(key) == 2:
                return
            if state.get(key) == 1:
                raise ValueError("The layer graph has a cycle.")
            state[key] = 1
            for parent in node.parent_nodes:
                visit(parent)
            state[key] = 2
            order.append(node)

        for tensor in self.outputs:
            layer, node_index, _ = _history(tensor)
            visit(layer._inbound_nodes[node_index])
        # Keras orders nodes by depth (longest path to an output), deepest first;
        # that is also a valid execution order. Ties keep the visiting order.
        depth: dict[int, int] = {}
        for node in reversed(order):
            depth.setdefault(id(node), 0)
            for parent in node.parent_nodes:
                depth[id(parent)] = max(depth.get(id(parent), 0), depth[id(node)] + 1)
        input_rank = {
            id(_history(t)[0]._inbound_nodes[0]): i for i, t in enumerate(self.inputs)
        }
        position = {id(node): i for i, node in enumerate(order)}
        return sorted(
            order,
            key=lambda n: (-depth[id(n)], input_rank.get(id(n), -1), position[id(n)]),
        )

    def _check_reachable(self) -> None:
        input_ids = {id(t) for t in self.inputs}
        for node in self.nodes:
            if node.is_input:
                if id(node.outputs[0]) not in input_ids:
                    raise ValueError(
                        f"Graph disconnected: cannot reach output from input "
                        f"{node.outputs[0].name!r}, which is not among the model "
                        "inputs. Pass every Input the outputs depend on."
                    )

    @property
    def layers(self) -> list[Any]:
        """Each layer once, in the order its first node runs."""
        seen: set[int] = set()
        result = []
        for node in self.nodes:
            layer = node.operation
            if id(layer) not in seen:
                seen.add(id(layer))
                result.append(layer)
        return result

    def run(self, flat_inputs: list[Any], masks: list[Any] | None = None) -> Any:
        """Compute the outputs from input arrays (in ``self.inputs`` order)."""
        values: dict[int, Any] = {id(t): x for t, x in zip(self.inputs, flat_inputs)}
        mask_values: dict[int, Any] = {}
        if masks is not None:
            for t, m in zip(self.inputs, masks):
                if m is not None:
                    mask_values[id(t)] = m
        for node in self.nodes:
            if node.is_input:
                continue
            layer = node.operation
            args, kwargs = node.call_arguments(values)
            mask = None
            if mask_values:
                mask, kwargs = _masks_for_call(node, mask_values, kwargs)
            outputs = layer(*args, **kwargs)
            flat = jax.tree_util.tree_leaves(outputs)
            for tensor, value in zip(node.outputs, flat):
                values[id(tensor)] = value
            if any(getattr(t, "_keras_mask", None) is not None for t in node.outputs):
                out_masks = layer.compute_mask(args[0] if args else None, mask)
                if isinstance(out_masks, (list, tuple)):
                    flat_masks = list(out_masks)  # one per output, None kept
                else:
                    flat_masks = [out_masks] * len(node.outputs)
                for tensor, m in zip(node.outputs, flat_masks):
                    mask_values[id(tensor)] = m
        outs = [values[id(t)] for t in self.outputs]
        return jax.tree_util.tree_unflatten(
            jax.tree_util.tree_structure(self.outputs_struct, is_leaf=is_keras_tensor),
            outs,
        )


def _masks_for_call(
    node: Node, mask_values: dict[int, Any], kwargs: dict
) -> tuple[Any, dict]:
    """Keras's rule: the first argument's masks go to ``mask``; a tensor passed
    as argument ``p`` sends its mask to ``p_mask`` when the layer takes one."""
    layer = node.operation
    recorded_args, recorded_kwargs = jax.tree_util.tree_unflatten(
        node.arguments_treedef, node.arguments_leaves
    )
    first = recorded_args[0] if recorded_args else None
    first_tensors = jax.tree_util.tree_leaves(first, is_leaf=is_keras_tensor)
    masks = [
        mask_values.get(id(t)) for t in first_tensors if isinstance(t, KerasTensor)
    ]
    mask = None
    if any(m is not None for m in masks):
        mask = masks[0] if len(masks) == 1 else masks
    kwargs = dict(kwargs)
    if mask is not None and layer._call_has_mask and "mask" not in kwargs:
        kwargs["mask"] = mask
    parameters = inspect.signature(layer.call).parameters
    named = [p for p in parameters if f"{p}_mask" in parameters]
    if named:
        try:
            bound = (
                inspect.signature(layer.call)
                .bind_partial(*recorded_args, **recorded_kwargs)
                .arguments
            )
        except TypeError:
            bound = {}
        for name in named:
            tensor = bound.get(name)
            if isinstance(tensor, KerasTensor) and bound.get(f"{name}_mask") is None:
                value = mask_values.get(id(tensor))
                if value is not None:
                    kwargs[f"{name}_mask"] = value
    return mask, kwargs


def adjust_input(x: Any, tensor: KerasTensor, index: int, model_name: str) -> Any:
    """Cast ``x`` to the Input's dtype and fix a missing or extra trailing 1 axis."""
    x = jnp.asarray(getattr(x, "value", x)) if not isinstance(x, jax.Array) else x
    expected = tensor.shape
    if x.ndim == len(expected) - 1 and expected[-1] == 1:
        x = x[..., None]
    elif x.ndim == len(expected) + 1 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim != len(expected) or any(
        e is not None and e != a for e, a in zip(expected, x.shape)
    ):
        raise ValueError(
            f'Input {index} of layer "{model_name}" is incompatible with the layer: '
            f"expected shape={expected}, found shape={tuple(x.shape)}"
        )
    if x.dtype != tensor.dtype:
        x = x.astype(tensor.dtype)
    return x
