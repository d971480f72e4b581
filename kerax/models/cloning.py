"""``clone_model``: the same architecture with new layers (fresh weights)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax

from kerax.autodiff import recording
from kerax.backend.keras_tensor import KerasTensor, is_keras_tensor
from kerax.layers.core.input_layer import Input, InputLayer
from kerax.layers.layer import Layer
from kerax.layers.op_layer import OpLayer
from kerax.models.functional import Functional
from kerax.models.sequential import Sequential


def _default_clone(layer: Layer) -> Layer:
    """``layer.__class__.from_config(layer.get_config())`` with its classes known."""
    from kerax.saving.object_registration import CustomObjectScope

    classes = {type(sub).__name__: type(sub) for sub in layer._flatten_layers()}
    with CustomObjectScope(classes):
        return type(layer).from_config(layer.get_config())


def _layer_cloner(
    clone_function: Callable[[Layer], Layer] | None,
    call_function: Callable[..., Any] | None,
    recursive: bool,
) -> Callable[[Layer], Layer]:
    """Clone each layer once (shared layers stay shared), recursing if asked."""
    cache: dict[int, Layer] = {}

    def clone(layer: Layer) -> Layer:
        if id(layer) in cache:
            return cache[id(layer)]
        if recursive and isinstance(layer, (Sequential, Functional)):
            new = clone_model(
                layer,
                clone_function=clone_function,
                call_function=call_function if isinstance(layer, Functional) else None,
                recursive=True,
            )
        else:
            new = (clone_function or _default_clone)(layer)
        if not isinstance(new, Layer):
            raise ValueError(
                "`clone_function` must return a Layer; for layer "
                f"{layer.name!r} it returned {new!r}."
            )
        cache[id(layer)] = new
        return new

    return clone


def _single_input(input_tensors: Any) -> KerasTensor:
    if isinstance(input_tensors, (list, tuple)):
        if len(input_tensors) != 1:
            raise ValueError("Argument `input_tensors` must contain a single tensor.")
        input_tensors = input_tensors[0]
    if not isinstance(input_tensors, KerasTensor):
        raise ValueError(
            "Argument `input_tensors` must be a KerasTensor (from kerax.Input). "
            f"Received: input_tensors={input_tensors!r}"
        )
    return input_tensors


def _clone_sequential(model: Sequential, clone: Any, input_tensors: Any) -> Sequential:
    new = Sequential(name=model.name, trainable=model.trainable)
    if input_tensors is not None:
        new.add(_single_input(input_tensors), rebuild=False)
    elif model._input_layer is not None:
        source = model._input_layer
        new.add(
            Input(batch_shape=source.batch_shape, dtype=source.dtype, name=source.name),
            rebuild=False,
        )
    for layer in model.layers:
        new.add(clone(layer), rebuild=False)
    new._maybe_build_graph()
    return new


def _new_inputs(model: Functional, input_tensors: Any) -> list[KerasTensor]:
    originals = model._graph.inputs
    if input_tensors is None:
        result = []
        for tensor in originals:
            layer = tensor._keras_history[0]
            result.append(InputLayer.from_config(layer.get_config()).output_tensor)
        return result
    given = jax.tree_util.tree_leaves(input_tensors, is_leaf=is_keras_tensor)
    if len(given) != len(originals) or not all(
        isinstance(t, KerasTensor) for t in given
    ):
        raise ValueError(
            f"Argument `input_tensors` must hold {len(originals)} KerasTensor(s) "
            f"(one per model input); received {input_tensors!r}."
        )
    return given


def _clone_functional(
    model: Functional, clone: Any, call_function: Any, input_tensors: Any
) -> Functional:
    graph = model._graph
    new_inputs = _new_inputs(model, input_tensors)
    values: dict[int, Any] = {id(t): n for t, n in zip(graph.inputs, new_inputs)}
    for node in graph.nodes:
        if node.is_input:
            continue
        layer = node.operation
        if isinstance(layer, OpLayer):
            args, kwargs = layer._fill(tuple(values[id(t)] for t in node.input_tensors))
            outputs = recording.apply(layer.fn, *args, **kwargs)
        else:
            args, kwargs = node.call_arguments(values)
            new_layer = clone(layer)
            if call_function is not None:
                outputs = call_function(new_layer, *args, **kwargs)
            else:
                outputs = new_layer(*args, **kwargs)
        flat = jax.tree_util.tree_leaves(outputs, is_leaf=is_keras_tensor)
        for old, new in zip(node.outputs, flat):
            values[id(old)] = new

    def rebuild(structure: Any, tensors: list[Any]) -> Any:
        treedef = jax.tree_util.tree_structure(structure, is_leaf=is_keras_tensor)
        return jax.tree_util.tree_unflatten(treedef, tensors)

    inputs = rebuild(graph.inputs_struct, new_inputs)
    outputs = rebuild(graph.outputs_struct, [values[id(t)] for t in graph.outputs])
    new = Functional(inputs, outputs, name=model.name)
    new.trainable = model.trainable
    return new


def clone_model(
    model: Any,
    input_tensors: Any = None,
    clone_function: Callable[[Layer], Layer] | None = None,
    call_function: Callable[..., Any] | None = None,
    recursive: bool = False,
    **kwargs: Any,
) -> Any:
    """A new model with the architecture of ``model`` and newly created weights.

    Args:
        model: a Sequential, Functional or (registered or config-complete)
            subclassed model.
        input_tensors: KerasTensors to build the clone on (Sequential and
            Functional models).
        clone_function: makes each new layer from an old one; by default
            ``layer.__class__.from_config(layer.get_config())``.
        call_function: ``call_function(layer, *args, **kwargs)`` replaces each
            layer call of a Functional model.
        recursive: clone nested Sequential/Functional models layer by layer
            with the same functions, instead of passing them to
            ``clone_function`` whole.
    """
    if kwargs:
        raise ValueError(f"Unexpected keyword argument(s): {tuple(kwargs)}")
    if isinstance(model, Sequential):
        if call_function is not None:
            raise ValueError(
                "`call_function` is not supported with Sequential models, whose "
                "layers are listed rather than called; use it with Functional models."
            )
        return _clone_sequential(
            model, _layer_cloner(clone_function, None, recursive), input_tensors
        )
    if isinstance(model, Functional):
        cloner = _layer_cloner(clone_function, call_function, recursive)
        return _clone_functional(model, cloner, call_function, input_tensors)
    if (
        clone_function is not None
        or input_tensors is not None
        or call_function is not None
    ):
        raise ValueError(
            "Arguments `clone_function`, `call_function` and `input_tensors` are "
            "only supported for Sequential and Functional models. Received a model "
            f"of type {type(model).__name__!r}."
        )
    from kerax.saving.serialization import (
        deserialize_keras_object,
        serialize_keras_object,
    )

    config = serialize_keras_object(model)
    config.pop("compile_config", None)
    return deserialize_keras_object(
        config, custom_objects={type(model).__name__: type(model)}
    )
