"""Configs from legacy ``.h5`` files, turned into configs kerax deserializes.

Legacy configs (Keras 3's ``use_legacy_config`` and Keras 2 / tf.keras) give
objects as ``{"class_name", "config"}`` without a ``module``; the module is
filled in from where the object sits (an initializer argument, a layer
list...). Keras 2 argument names that Keras 3 renamed are mapped:
``batch_input_shape`` -> ``batch_shape`` (InputLayer) or a leading InputLayer
(first layer of a Sequential), ``input_shape`` likewise, class names
``Model`` -> ``Functional``, and a single Functional input/output written as a
one-element list is unwrapped (Keras 2 returned it unwrapped). Keras 2 arguments Keras 3 removed are dropped
when they hold their no-op value (``time_major=False``, BatchNormalization's
``fused``, ``virtual_batch_size=None``, ``adjustment=None``); other values
are kept so that the layer reports them.
"""

from __future__ import annotations

import inspect
from typing import Any

from kerax import registry

# Where an object found under a config key (by suffix) is looked up.
_KEY_MODULES = (
    ("initializer", "keras.initializers"),
    ("regularizer", "keras.regularizers"),
    ("constraint", "keras.constraints"),
    ("optimizer_config", "keras.optimizers"),
    ("optimizer", "keras.optimizers"),
    ("loss", "keras.losses"),
    ("metrics", "keras.metrics"),
)
_FALLBACK = (
    "keras.layers",
    "keras",
    "keras.initializers",
    "keras.regularizers",
    "keras.constraints",
    "keras.optimizers.schedules",
    "keras.optimizers",
    "keras.losses",
    "keras.metrics",
)
_CLASS_RENAMES = {"Model": "Functional"}
# Removed Keras 2 layer arguments and the values that make them no-ops.
_NO_OP_ARGUMENTS = {
    "time_major": (False,),
    "fused": (None, True, False),
    "virtual_batch_size": (None,),
    "adjustment": (None,),
}


def _drop_removed(class_name: str, inner: dict[str, Any], renamed: set[str]) -> None:
    cls = registry.lookup("keras.layers", class_name)
    if not isinstance(cls, type):
        return
    accepted = inspect.signature(cls.__init__).parameters
    for name, no_ops in _NO_OP_ARGUMENTS.items():
        if name in inner and name not in accepted and inner[name] in no_ops:
            del inner[name]
            renamed.add(f"dropped {name}")


def _module_for(class_name: str, key: str | None) -> str | None:
    for suffix, module in _KEY_MODULES:
        if key is not None and key.endswith(suffix):
            if registry.lookup(module, class_name) is not None:
                return module
    for module in _FALLBACK:
        if registry.lookup(module, class_name) is not None:
            return module
    return None


def _input_layer(shape: Any, config: dict[str, Any]) -> dict[str, Any]:
    inner = {"batch_shape": shape, "dtype": config.get("dtype", "float32")}
    return {"module": "keras.layers", "class_name": "InputLayer", "config": inner}


def _fix_sequential(config: dict[str, Any], renamed: set[str]) -> None:
    layers = config.get("layers")
    if not isinstance(layers, list) or not layers or not isinstance(layers[0], dict):
        return
    first = layers[0].get("config")
    if layers[0].get("class_name") == "InputLayer" or not isinstance(first, dict):
        return
    if "batch_input_shape" in first:
        renamed.add("batch_input_shape")
        layers.insert(0, _input_layer(first.pop("batch_input_shape"), first))
    elif "input_shape" in first:
        renamed.add("input_shape")
        shape = [None, *first.pop("input_shape")]
        layers.insert(0, _input_layer(shape, first))


def _unwrap_single(config: dict[str, Any]) -> None:
    """Keras 2 wrote one input/output as ``[[name, node, tensor]]``: unwrap it."""
    for key in ("input_layers", "output_layers"):
        value = config.get(key)
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], list):
            config[key] = value[0]


def _convert(value: Any, key: str | None, renamed: set[str]) -> Any:
    if isinstance(value, list):
        return [_convert(item, key, renamed) for item in value]
    if not isinstance(value, dict):
        return value
    result = {k: _convert(v, k, renamed) for k, v in value.items()}
    class_name = result.get("class_name")
    inner = result.get("config")
    if not isinstance(class_name, str) or not isinstance(inner, dict):
        return result
    if class_name in _CLASS_RENAMES:
        renamed.add(f"class {class_name}")
        class_name = result["class_name"] = _CLASS_RENAMES[class_name]
    if class_name == "InputLayer" and "batch_input_shape" in inner:
        renamed.add("batch_input_shape")
        inner["batch_shape"] = inner.pop("batch_input_shape")
    if class_name == "Sequential":
        _fix_sequential(inner, renamed)
    if class_name == "Functional":
        _unwrap_single(inner)
    _drop_removed(class_name, inner, renamed)
    for layer in inner.get("layers", []) if class_name != "Sequential" else ():
        if isinstance(layer, dict) and isinstance(layer.get("config"), dict):
            for old in ("batch_input_shape", "input_shape"):
                if layer["class_name"] != "InputLayer" and old in layer["config"]:
                    renamed.add(old)
                    layer["config"].pop(old)
    if "module" not in result:
        module = _module_for(class_name, key)
        if module is not None:
            result["module"] = module
    return result


def to_keras3_config(config: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """The config with modules filled in and Keras 2 names mapped, and what was mapped."""
    renamed: set[str] = set()
    return _convert(config, None, renamed), renamed


def training_arguments(
    config: dict[str, Any], custom_objects: dict[str, Any] | None
) -> dict[str, Any]:
    """``compile()`` keyword arguments from a legacy ``training_config``."""
    from kerax.saving.serialization import deserialize_keras_object

    config, _ = to_keras3_config(config)
    arguments: dict[str, Any] = {}
    optimizer = config.get("optimizer_config")
    if isinstance(optimizer, dict):
        arguments["optimizer"] = deserialize_keras_object(optimizer, custom_objects)
    for name in ("loss", "metrics", "loss_weights", "weighted_metrics"):
        if config.get(name) is not None:
            arguments[name] = deserialize_keras_object(config[name], custom_objects)
    for name in ("run_eagerly", "steps_per_execution", "jit_compile"):
        if name in config:
            arguments[name] = config[name]
    return arguments
