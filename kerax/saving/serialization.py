"""Keras 3's config dicts: ``serialize_keras_object`` and its inverse.

An object becomes ``{"module", "class_name", "config", "registered_name"}``
(plus ``"build_config"`` for built layers and ``"compile_config"`` for
compiled models); arrays, bytes, slices and functions have the small special
forms Keras uses. Deserializing resolves classes only through kerax's
registry and the user's custom objects (``class_lookup``) and never runs code
from a file (stored bytecode is refused whatever ``safe_mode`` says).
"""

from __future__ import annotations

import inspect
import types
from typing import Any

import numpy as np

from kerax import registry
from kerax.saving import class_lookup, object_registration, special_values
from kerax.saving.object_registration import (
    CustomObjectScope,
    active_custom_objects,
    in_safe_mode,
    safe_mode_scope,
)

_PLAIN = (str, int, float, bool)


class RebuildError(TypeError):
    """A class's ``from_config`` failed (raised once, at the innermost object)."""


# kerax model classes are written under the module names Keras uses for them.
_MODEL_MODULES = {"Functional": ("keras.src.models.functional", "Functional")}


def _kerax_public(cls: type) -> tuple[str, str] | None:
    """The registry name of ``cls`` itself (subclasses don't inherit it)."""
    found = registry.public_name(cls)
    if found is not None and registry.lookup(*found) is cls:
        return found
    return None


def _class_identity(cls: type) -> tuple[Any, str, Any]:
    """``(module, class_name, registered_name)`` for an object of class ``cls``."""
    if object_registration.is_registered(cls):
        return (
            cls.__module__,
            cls.__name__,
            object_registration.get_registered_name(cls),
        )
    public = _kerax_public(cls)
    if public is not None:
        if public[1] in _MODEL_MODULES and public[0] == "keras":
            module, registered = _MODEL_MODULES[public[1]]
            return module, public[1], registered
        return public[0], public[1], None
    from kerax.dtype_policies import DTypePolicy

    if cls is DTypePolicy:
        return "keras", "DTypePolicy", None
    return cls.__module__, cls.__name__, cls.__name__


def _serialize_function(fn: Any) -> dict[str, Any]:
    if getattr(fn, "__name__", None) == "<lambda>":
        raise ValueError(
            f"Cannot serialize the lambda {fn!r}: a file would have to carry its "
            "bytecode. Define a named function and decorate it with "
            "`kerax.saving.register_keras_serializable()`."
        )
    if object_registration.is_registered(fn):
        name = object_registration.get_registered_name(fn)
    else:
        public = registry.public_name(fn) if not inspect.isclass(fn) else None
        name = public[1] if public else fn.__name__
    return {
        "module": "builtins",
        "class_name": "function",
        "config": name,
        "registered_name": "function",
    }


def _delegate(obj: Any) -> dict[str, Any] | None:
    """Built-in losses and metrics keep their own namespace's serializer."""
    if object_registration.is_registered(type(obj)):
        return None
    from kerax.losses.loss import Loss
    from kerax.metrics.metric import Metric

    if isinstance(obj, Loss):
        from kerax.losses import serialize

        return serialize(obj)
    if isinstance(obj, Metric):
        from kerax.metrics import serialize as serialize_metric

        return serialize_metric(obj)
    return None


def serialize_keras_object(obj: Any) -> Any:
    """``obj`` in Keras 3's JSON-compatible form (see the module docstring).

    Example:
        >>> serialize_keras_object(kerax.initializers.Zeros())["class_name"]
        'Zeros'
    """
    if obj is None or isinstance(obj, _PLAIN):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, (list, tuple)):
        return type(obj)(serialize_keras_object(x) for x in obj)
    if isinstance(obj, dict):
        return {key: serialize_keras_object(value) for key, value in obj.items()}
    special = special_values.serialize_special(obj)
    if special is not None:
        return special
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)):
        return _serialize_function(obj)
    if not hasattr(obj, "get_config") or inspect.isclass(obj):
        raise TypeError(
            f"Cannot serialize {obj!r} of type {type(obj).__name__}: it has no "
            "`get_config()` method."
        )
    delegated = _delegate(obj)
    if delegated is not None:
        return delegated
    module, class_name, registered_name = _class_identity(type(obj))
    result = {
        "module": module,
        "class_name": class_name,
        "config": serialize_keras_object(obj.get_config()),
        "registered_name": registered_name,
    }
    _add_build_and_compile(obj, result)
    return result


def _add_build_and_compile(obj: Any, result: dict[str, Any]) -> None:
    from kerax.layers.layer import Layer

    if not isinstance(obj, Layer):
        return
    build_config = obj.get_build_config() if obj.built else None
    if build_config is not None:
        result["build_config"] = serialize_keras_object(build_config)
    if getattr(obj, "compiled", False) and getattr(obj, "optimizer", None) is not None:
        from kerax.saving.compile_config import get_compile_config

        result["compile_config"] = get_compile_config(obj)


def deserialize_keras_object(
    config: Any,
    custom_objects: dict[str, Any] | None = None,
    safe_mode: bool = True,
    **kwargs: Any,
) -> Any:
    """Build the object that ``serialize_keras_object`` described.

    Args:
        config: a config dict (or a list/dict of them, or a plain value).
        custom_objects: user classes and functions by name.
        safe_mode: refuse stored Python bytecode (lambdas); an enclosing
            ``load_model(..., safe_mode=...)`` setting takes precedence.
        module_objects: optional names -> objects to resolve plain strings.
    """
    module_objects = kwargs.pop("module_objects", None)
    kwargs.pop("printable_module_name", None)
    if kwargs:
        raise TypeError(f"Unexpected arguments to deserialize_keras_object: {kwargs}")
    scoped = in_safe_mode()
    safe = scoped if scoped is not None else safe_mode
    custom = active_custom_objects(custom_objects)
    if isinstance(config, str) and module_objects and config in module_objects:
        found = module_objects[config]
        return found() if inspect.isclass(found) else found
    return _deserialize(config, custom, bool(safe))


def _deserialize(config: Any, custom: dict[str, Any], safe: bool) -> Any:
    if config is None or isinstance(config, _PLAIN):
        if isinstance(config, str) and config in custom:
            found = custom[config]
            registered = object_registration.is_registered(found)
            if (
                not registered
                or object_registration.get_registered_name(found) == config
            ):
                return found  # a registered object only by its "Package>Name"
        return config
    if isinstance(config, (list, tuple)):
        return [_deserialize(x, custom, safe) for x in config]
    if not isinstance(config, dict):
        raise TypeError(f"Could not deserialize {config!r}: expected a config dict.")
    if "class_name" not in config or "config" not in config:
        return {key: _deserialize(value, custom, safe) for key, value in config.items()}
    class_name = config["class_name"]
    if not isinstance(class_name, str):
        raise TypeError(f"'class_name' must be a string, received {class_name!r}.")
    if special_values.is_special(class_name):
        inner = config["config"]
        if class_name == "__slice__":
            inner = {k: _deserialize(v, custom, safe) for k, v in inner.items()}
        return special_values.deserialize_special(class_name, inner, custom, safe)
    module = config.get("module")
    if class_name == "function":
        name = config["config"]
        if not isinstance(name, str):
            raise TypeError(
                f"A serialized function needs its name, received {config!r}."
            )
        return class_lookup.resolve_function(name, module, custom)
    return _deserialize_object(config, custom, safe)


def _deserialize_object(
    config: dict[str, Any], custom: dict[str, Any], safe: bool
) -> Any:
    class_name = config["class_name"]
    inner = config["config"] if config["config"] is not None else {}
    if not isinstance(inner, dict):
        raise TypeError(
            f"Expected 'config' of {class_name!r} to be a dict, received {inner!r}."
        )
    cls = class_lookup.resolve_class(
        class_name, config.get("registered_name"), config.get("module"), custom
    )
    if isinstance(cls, types.FunctionType):
        return cls
    if not hasattr(cls, "from_config"):
        raise TypeError(f"Cannot rebuild {class_name!r}: it has no `from_config()`.")
    if _kerax_public(cls) is not None:
        inner = _resolve_user_objects(inner, custom, safe)
    with CustomObjectScope(custom), safe_mode_scope(safe):
        instance = _from_config(cls, inner, custom)
        build_config = config.get("build_config")
        if build_config and not getattr(instance, "built", True):
            instance.build_from_config(build_config)
            instance.built = True
        compile_config = config.get("compile_config")
        if compile_config:
            from kerax.saving.compile_config import compile_from_config

            compile_from_config(instance, compile_config)
    return instance


def _from_config(cls: Any, inner: dict[str, Any], custom: dict[str, Any]) -> Any:
    from kerax.models.model import Model

    if issubclass(cls, Model) and "layers" in inner and "input_layers" in inner:
        from kerax.models.functional import Functional

        if cls is Model:
            cls = Functional
    parameters = inspect.signature(cls.from_config).parameters
    extra: dict[str, Any] = {}
    if "custom_objects" in parameters:
        extra["custom_objects"] = custom
    if "safe_mode" in parameters:
        extra["safe_mode"] = bool(in_safe_mode())
    try:
        return cls.from_config(inner, **extra)
    except RebuildError:
        raise
    except TypeError as error:
        shown = repr(inner)
        shown = shown if len(shown) <= 600 else shown[:600] + " ...}"
        raise RebuildError(
            f"{cls.__name__} could not be rebuilt from its config: {error}. Its "
            "`get_config()` must return every `__init__` argument, and if these "
            "include other objects (layers, models), its `from_config()` must "
            f"deserialize them.\n\nconfig={shown}"
        ) from error


def _resolve_user_objects(
    inner: dict[str, Any], custom: dict[str, Any], safe: bool
) -> dict[str, Any]:
    """Turn entries naming user objects into objects for kerax's own classes.

    kerax's built-in layers resolve their arguments (``kernel_initializer``,
    ``activation``...) by name through their own namespace, which knows only
    kerax objects; user initializers, activations or regularizers named in
    the config are therefore built here first. User layers are left as
    configs: the layer's ``from_config`` deserializes them.
    """
    from kerax.layers.layer import Layer

    result = dict(inner)
    for key, value in inner.items():
        if not isinstance(value, dict) or "class_name" not in value:
            continue
        names = (value.get("registered_name"), value.get("class_name"))
        if value.get("class_name") == "function":
            names = (value.get("config"),)
        found = next(
            (custom[n] for n in names if isinstance(n, str) and n in custom), None
        )
        if found is None or (inspect.isclass(found) and issubclass(found, Layer)):
            continue
        result[key] = _deserialize(value, custom, safe)
    return result
