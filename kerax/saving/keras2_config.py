"""Keras 2 (tf.keras 2.x) configs mapped onto the Keras 3 configs kerax reads.

Keras 2.13-2.15 ``.keras`` files and Keras 2 ``.h5`` files describe objects
almost as Keras 3 does; what differs is mapped here where the meaning is
clear, and refused with a ``Keras2ConfigError`` (a ``TypeError``) naming the
object and argument where it is not:

- ``InputLayer``: ``batch_input_shape`` -> ``batch_shape``. Other layers in
  a graph lose their ``batch_input_shape``/``input_shape`` hints and build
  configs (the graph gives the shapes).
- Lambda layers: named functions are looked up as Keras 3 does; bytecode
  (any Keras 2 lambda) is refused.
- Arguments Keras 3 removed are dropped when they hold their no-op value
  (``time_major=False``, BatchNormalization's ``fused``...). A
  BatchNormalization ``axis`` written as a one-element list becomes an int;
  MultiHeadAttention's build-time ``query_shape``... are dropped.
- dtype policies (``Policy``) become ``DTypePolicy``; ``shared_object_id``
  markers are dropped (each object is rebuilt on its own).
- Optimizers: ``Custom>Adam`` -> ``Adam``, ``jit_compile`` and
  ``is_legacy_optimizer`` dropped; legacy optimizers' ``lr`` ->
  ``learning_rate`` and ``decay`` -> an ``InverseTimeDecay`` schedule (the
  same formula). Losses: ``reduction="auto"`` -> ``"sum_over_batch_size"``.
- Functional graphs: nodes ``[[layer, node, tensor, kwargs], ...]`` become
  Keras 3 ``{"args", "kwargs"}`` nodes (tensors named in ``kwargs`` included),
  node indices of nested models drop the extra first node Keras 2 counted,
  a single input/output written as a one-element list is unwrapped, and
  TensorFlow ops recorded as layers (``TFOpLambda``, ``SlicingOpLambda``)
  become ``keras.ops`` operations where they have a twin (``keras2_tf_ops``).
"""

from __future__ import annotations

import inspect
from typing import Any

from kerax import registry

_CLASS_RENAMES = {"Model": "Functional"}
# Removed Keras 2 arguments and the values that make them no-ops.
_NO_OP_ARGUMENTS = {
    "time_major": (False,),
    "fused": (None, True, False),
    "virtual_batch_size": (None,),
    "adjustment": (None,),
    "num_constants": (None, 0),
    "groups": (1,),
}
# Arguments Keras 2 stored for layers that never used them.
_UNUSED = ("kernel_initializer", "kernel_regularizer", "kernel_constraint")
_UNUSED_BY = {
    name: _UNUSED
    for name in (
        "SeparableConv1D",
        "SeparableConv2D",
        "DepthwiseConv1D",
        "DepthwiseConv2D",
    )
}
# Build-time hints Keras 2 stored that Keras 3 takes from the graph.
_BUILD_HINTS = {"MultiHeadAttention": ("query_shape", "key_shape", "value_shape")}
_SHAPE_HINTS = ("batch_input_shape", "input_shape")
_OPTIMIZER_FLAGS = ("jit_compile", "is_legacy_optimizer")
_TF_OPS = ("TFOpLambda", "SlicingOpLambda")
_COMPILE_DEFAULTS = ("run_eagerly", "steps_per_execution", "jit_compile")


class Keras2ConfigError(TypeError):
    """A Keras 2 argument without a Keras 3 meaning; ``mapped`` lists what was mapped."""

    mapped: frozenset[str] = frozenset()  # set on raising


def _accepted(cls: Any) -> set[str]:
    """The named constructor arguments of ``cls`` and of its base classes."""
    names: set[str] = set()
    for klass in cls.__mro__:
        init = vars(klass).get("__init__")
        if init is not None and klass is not object:
            parameters = inspect.signature(init).parameters.values()
            names |= {p.name for p in parameters if p.kind is not p.VAR_KEYWORD}
    return names


def _layer_class(class_name: str) -> Any:
    found = registry.lookup("keras.layers", class_name)
    return found if isinstance(found, type) else None


def _fix_layer_arguments(
    class_name: str, inner: dict[str, Any], mapped: set[str]
) -> None:
    cls = _layer_class(class_name)
    if cls is None:
        return
    for name in _BUILD_HINTS.get(class_name, ()):
        if inner.pop(name, None) is not None:
            mapped.add(f"dropped {name}")
    if class_name == "BatchNormalization" and isinstance(inner.get("axis"), list):
        if len(inner["axis"]) != 1:
            raise Keras2ConfigError(
                f"Keras 2 layer {inner.get('name')!r} (BatchNormalization) normalizes "
                f"over axis={inner['axis']}; Keras 3 BatchNormalization takes one axis."
            )
        inner["axis"] = inner["axis"][0]
    accepted = _accepted(cls)
    for name in _UNUSED_BY.get(class_name, ()):
        if name in inner and name not in accepted:
            del inner[name]
            mapped.add(f"dropped unused {name}")
    for name, no_ops in _NO_OP_ARGUMENTS.items():
        if name not in inner or name in accepted:
            continue
        if inner[name] not in no_ops:
            raise Keras2ConfigError(
                f"Keras 2 layer {inner.get('name')!r} ({class_name}) was saved with "
                f"{name}={inner[name]!r}, which Keras 3 (and kerax) no longer "
                f"supports: `{name}` was removed and only {list(no_ops)} can be "
                "mapped. Rebuild the layer without it and load the weights."
            )
        del inner[name]
        mapped.add(f"dropped {name}")


def _fix_lambda(inner: dict[str, Any]) -> None:
    """Keras 2 Lambda: bytecode is refused, named functions are looked up."""
    for key in ("function", "output_shape", "mask"):
        if inner.get(f"{key}_type") == "lambda" or (
            key == "function" and isinstance(inner.get(key), list)
        ):
            raise Keras2ConfigError(
                f"Keras 2 layer {inner.get('name')!r} (Lambda) stores its {key} as "
                "Python bytecode; kerax never loads code from a file (not even "
                "with safe_mode=False). Rebuild the model in code with "
                "keras.layers.Lambda(your_function) and load the file's weights "
                "with model.load_weights(...)."
            )
    for key in ("function", "output_shape", "mask"):
        if inner.pop(f"{key}_type", None) == "function" and isinstance(
            inner.get(key), str
        ):  # a named function: found in custom_objects or kerax's functions
            inner[key] = {
                "module": "builtins",
                "class_name": "function",
                "config": inner[key],
                "registered_name": "function",
            }
    for key in ("module", "output_shape_module", "mask_module"):
        inner.pop(key, None)


def _fix_optimizer(inner: dict[str, Any], mapped: set[str]) -> None:
    for name in _OPTIMIZER_FLAGS:
        if inner.pop(name, None) is not None:
            mapped.add(f"dropped optimizer {name}")
    if "lr" in inner and "learning_rate" not in inner:
        inner["learning_rate"] = inner.pop("lr")
        mapped.add("optimizer lr")
    decay = inner.pop("decay", None)
    if decay:
        mapped.add("optimizer decay")
        inner["learning_rate"] = {
            "module": "keras.optimizers.schedules",
            "class_name": "InverseTimeDecay",
            "config": {
                "initial_learning_rate": inner.get("learning_rate", 0.001),
                "decay_steps": 1,
                "decay_rate": decay,
            },
        }


def _is_optimizer(class_name: str, key: str | None) -> bool:
    found = registry.lookup("keras.optimizers", class_name)
    return isinstance(found, type) and key is not None and "optimizer" in key


def _map_object(result: dict[str, Any], key: str | None, mapped: set[str]) -> None:
    """Map one ``{"class_name", "config"}`` object in place."""
    result.pop("shared_object_id", None)
    class_name = result["class_name"]
    inner = result["config"]
    inner.pop("shared_object_id", None)
    if class_name in _CLASS_RENAMES:
        mapped.add(f"class {class_name}")
        class_name = result["class_name"] = _CLASS_RENAMES[class_name]
    if class_name.startswith("Custom>") and _is_optimizer(class_name[7:], key):
        class_name = result["class_name"] = class_name[7:]
        result.pop("registered_name", None)
    if class_name == "Policy":
        result.update(module="keras", class_name="DTypePolicy", registered_name=None)
        return
    if _is_optimizer(class_name, key):
        _fix_optimizer(inner, mapped)
    if class_name == "Lambda" and "function_type" in inner:
        _fix_lambda(inner)
    if inner.get("reduction") == "auto" and registry.lookup("keras.losses", class_name):
        inner["reduction"] = "sum_over_batch_size"
    if class_name == "InputLayer" and "batch_input_shape" in inner:
        mapped.add("batch_input_shape")
        inner["batch_shape"] = inner.pop("batch_input_shape")
    if class_name == "Sequential":
        _fix_sequential(inner, mapped)
    elif class_name == "Functional":
        _fix_functional(inner, mapped)
    _fix_layer_arguments(class_name, inner, mapped)


def _input_layer(shape: Any, config: dict[str, Any]) -> dict[str, Any]:
    inner = {"batch_shape": shape, "dtype": config.get("dtype", "float32")}
    return {"module": "keras.layers", "class_name": "InputLayer", "config": inner}


def _fix_sequential(config: dict[str, Any], mapped: set[str]) -> None:
    layers = config.get("layers")
    if not isinstance(layers, list) or not layers or not isinstance(layers[0], dict):
        return
    first = layers[0].get("config")
    if layers[0].get("class_name") != "InputLayer" and isinstance(first, dict):
        if "batch_input_shape" in first:
            mapped.add("batch_input_shape")
            layers.insert(0, _input_layer(first.pop("batch_input_shape"), first))
        elif "input_shape" in first:
            mapped.add("input_shape")
            shape = [None, *first.pop("input_shape")]
            layers.insert(0, _input_layer(shape, first))
    if layers[0].get("class_name") == "InputLayer":
        _drop_shape_hints(layers[1:], mapped)


def _drop_shape_hints(layers: list[Any], mapped: set[str]) -> None:
    """Shapes come from the graph: per-layer shape hints and build configs go."""
    for layer in layers:
        if isinstance(layer, dict):
            layer.pop("build_config", None)
        inner = layer.get("config") if isinstance(layer, dict) else None
        if isinstance(inner, dict) and layer.get("class_name") != "InputLayer":
            for name in _SHAPE_HINTS:
                if name in inner:
                    mapped.add(name)
                    del inner[name]


def _has_own_input(entry: dict[str, Any]) -> bool:
    """Keras 2 counted a first node for models built on their own input."""
    if entry.get("class_name") in ("Functional", "Model"):
        return True
    if entry.get("class_name") != "Sequential":
        return False
    layers = (entry.get("config") or {}).get("layers") or [{}]
    first = layers[0] if isinstance(layers[0], dict) else {}
    hints = set(first.get("config") or {}) & set(_SHAPE_HINTS)
    return first.get("class_name") == "InputLayer" or bool(hints)


class _Nodes:
    """Turns Keras 2 node references into Keras 3 tensor references."""

    def __init__(self, nested: set[str], sequential: set[str]) -> None:
        self.nested = nested
        self.sequential = sequential

    def triple(self, ref: list[Any]) -> list[Any]:
        name, node, tensor = ref[:3]
        return [name, node - 1 if name in self.nested else node, tensor]

    def endpoint(self, ref: list[Any]) -> list[Any]:
        """Model outputs: Keras 3 still counts the first node of Functional models."""
        name, node, tensor = ref[:3]
        return [name, node - 1 if name in self.sequential else node, tensor]

    def tensor(self, ref: list[Any]) -> dict[str, Any]:
        return {
            "class_name": "__keras_tensor__",
            "config": {"keras_history": self.triple(ref)},
        }

    def value(self, value: Any) -> Any:
        """Tensors inside call arguments were written as ``[layer, node, tensor]``."""
        if _is_ref(value):
            return self.tensor(value)
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, dict) and "class_name" not in value:
            return {k: self.value(v) for k, v in value.items()}
        return value

    def node(self, layer: str, node: Any) -> dict[str, Any]:
        if isinstance(node, dict):
            return node
        items = [node] if node and isinstance(node[0], str) else node
        if not isinstance(items, list) or not items:
            raise ValueError(f"Bad Keras 2 inbound node of layer {layer!r}: {node!r}")
        for item in items:
            if not (
                isinstance(item, list) and len(item) in (3, 4) and _is_ref(item[:3])
            ):
                raise ValueError(
                    f"Bad Keras 2 inbound node of layer {layer!r}: {node!r}"
                )
        tensors = [self.tensor(item) for item in items]
        kwargs = items[-1][3] if len(items[-1]) == 4 else {}
        arg = tensors[0] if len(tensors) == 1 else tensors
        return {"args": [arg], "kwargs": self.value(kwargs or {})}


def _is_ref(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 3
        and isinstance(value[0], str)
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value[1:])
    )


def _fix_functional(config: dict[str, Any], mapped: set[str]) -> None:
    layers = config.get("layers")
    if not isinstance(layers, list):
        return
    nested = {
        entry.get("name"): entry.get("class_name")
        for entry in layers
        if isinstance(entry, dict) and _has_own_input(entry)
    }
    old_format = any(
        isinstance(node, list)
        for entry in layers
        if isinstance(entry, dict)
        for node in entry.get("inbound_nodes") or []
    )
    if not old_format:  # Keras 3 numbering already
        nested = {}
    sequential = {n for n, c in nested.items() if c == "Sequential"}
    nodes = _Nodes(set(nested), sequential)
    for index, entry in enumerate(layers):
        if not isinstance(entry, dict):
            continue
        if entry.get("class_name") in _TF_OPS:
            from kerax.saving.keras2_tf_ops import tf_op_entry

            layers[index] = tf_op_entry(entry, nodes.node)
            mapped.add(f"{entry['class_name']} -> {layers[index]['class_name']}")
            continue
        name = entry.get("name")
        old = entry.get("inbound_nodes") or []
        entry["inbound_nodes"] = [nodes.node(name, node) for node in old]
    _drop_shape_hints(layers, mapped)
    for key in ("input_layers", "output_layers"):
        value = config.get(key)
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], list):
            value = value[0]
        if _is_ref(value):
            config[key] = nodes.endpoint(value)
        elif isinstance(value, list):
            config[key] = [nodes.endpoint(v) if _is_ref(v) else v for v in value]


def _convert(value: Any, key: str | None, mapped: set[str]) -> Any:
    if isinstance(value, list):
        return [_convert(item, key, mapped) for item in value]
    if not isinstance(value, dict):
        return value
    result = {k: _convert(v, k, mapped) for k, v in value.items()}
    if isinstance(result.get("class_name"), str) and isinstance(
        result.get("config"), dict
    ):
        _map_object(result, key, mapped)
    return result


def _fix_compile_config(config: Any) -> None:
    """Keras 2 wrote ``None`` for compile arguments left at their default."""
    if isinstance(config, dict) and isinstance(config.get("compile_config"), dict):
        compile_config = config["compile_config"]
        for name in _COMPILE_DEFAULTS:
            if name in compile_config and compile_config[name] is None:
                del compile_config[name]


def keras2_to_keras3(config: Any) -> tuple[Any, set[str]]:
    """``config`` with Keras 2 names and formats mapped, and what was mapped."""
    mapped: set[str] = set()
    try:
        config = _convert(config, None, mapped)
    except Keras2ConfigError as error:
        error.mapped = frozenset(mapped)
        raise
    _fix_compile_config(config)
    return config, mapped


def is_keras2_version(version: Any) -> bool:
    """True for a ``keras_version`` string of Keras (or tf.keras) 2.x or older."""
    if not isinstance(version, str):
        return False
    major = version.split(".")[0]
    return major.isdigit() and int(major) < 3
