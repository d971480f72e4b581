"""Configs from legacy ``.h5`` files, turned into configs kerax deserializes.

Legacy configs (Keras 3's ``use_legacy_config`` and Keras 2 / tf.keras) give
objects as ``{"class_name", "config"}`` without a ``module``; the module is
filled in from where the object sits (an initializer argument, a layer
list...). Keras 2 names and formats are mapped first (see ``keras2_config``).
"""

from __future__ import annotations

from typing import Any

from kerax import registry
from kerax.saving.keras2_config import keras2_to_keras3

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


def _module_for(class_name: str, key: str | None) -> str | None:
    for suffix, module in _KEY_MODULES:
        if key is not None and key.endswith(suffix):
            if registry.lookup(module, class_name) is not None:
                return module
    for module in _FALLBACK:
        if registry.lookup(module, class_name) is not None:
            return module
    return None


def _fill_modules(value: Any, key: str | None) -> Any:
    if isinstance(value, list):
        return [_fill_modules(item, key) for item in value]
    if not isinstance(value, dict):
        return value
    result = {k: _fill_modules(v, k) for k, v in value.items()}
    class_name = result.get("class_name")
    if (
        isinstance(class_name, str)
        and isinstance(result.get("config"), dict)
        and "module" not in result
    ):
        module = _module_for(class_name, key)
        if module is not None:
            result["module"] = module
    return result


def to_keras3_config(config: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """The config with Keras 2 names mapped and modules filled in, and what was mapped."""
    config, renamed = keras2_to_keras3(config)
    return _fill_modules(config, None), renamed


def training_arguments(
    config: dict[str, Any],
    custom_objects: dict[str, Any] | None,
    single_output: bool = False,
) -> dict[str, Any]:
    """``compile()`` keyword arguments from a legacy ``training_config``.

    Keras 2 wrote metrics per output (``[[...]]``); for a model with a single
    output (``single_output``) the one list is unwrapped.
    """
    from kerax.saving.serialization import deserialize_keras_object

    config, _ = to_keras3_config(config)
    arguments: dict[str, Any] = {}
    optimizer = config.get("optimizer_config")
    if isinstance(optimizer, dict):
        arguments["optimizer"] = deserialize_keras_object(optimizer, custom_objects)
    for name in ("loss", "metrics", "loss_weights", "weighted_metrics"):
        value = config.get(name)
        if value is None:
            continue
        per_output = isinstance(value, list) and len(value) == 1
        if single_output and per_output and isinstance(value[0], list):
            value = value[0]
        arguments[name] = deserialize_keras_object(value, custom_objects)
    for name in ("run_eagerly", "steps_per_execution", "jit_compile"):
        if name in config:
            arguments[name] = config[name]
    return arguments
