"""Keras's config dict for objects such as initializers, and lookup by name.

Initializers, regularizers and constraints all serialize to the Keras form
``{"module", "class_name", "config", "registered_name"}`` and are found by
class name, by snake_case alias or from such a dict; the helpers here serve
all three namespaces.
"""

from __future__ import annotations

import inspect
from typing import Any

from kerax import registry


def own_public_name(obj: Any) -> tuple[str, str] | None:
    """The registered name of ``obj``'s own class (not one it inherits)."""
    cls = obj if inspect.isclass(obj) else type(obj)
    found = cls.__dict__.get("_kerax_public")
    if found is None and inspect.isfunction(obj):
        found = getattr(obj, "_kerax_public", None)
    return found


def serialize_object(obj: Any) -> dict[str, Any] | None:
    """``obj`` as a Keras config dict (None stays None).

    Registered kerax classes name their Keras module (``"keras.initializers"``);
    other classes give their Python module, with their class name as
    ``registered_name`` so that ``custom_objects`` can resolve them. A plain
    function serializes by name with ``class_name`` ``"function"``.
    """
    if obj is None:
        return None
    public = own_public_name(obj)
    if inspect.isfunction(obj):
        module, name = public or (obj.__module__, obj.__name__)
        return {
            "module": module,
            "class_name": "function",
            "config": name,
            "registered_name": name,
        }
    if not hasattr(obj, "get_config"):
        raise TypeError(f"Cannot serialize {obj!r}: it has no `get_config()` method.")
    if public is not None:
        return {
            "module": public[0],
            "class_name": public[1],
            "config": obj.get_config(),
            "registered_name": None,
        }
    cls = type(obj)
    return {
        "module": cls.__module__,
        "class_name": cls.__name__,
        "config": obj.get_config(),
        "registered_name": cls.__name__,
    }


def _unknown(kind: str, name: str, namespace: str, aliases: dict[str, str]) -> str:
    valid = sorted(set(registry.names(namespace)) | set(aliases))
    return (
        f"Unknown {kind} {name!r}. Expected one of {valid}, or pass the object "
        "in `custom_objects`."
    )


def _resolve(
    name: str,
    namespace: str,
    aliases: dict[str, str],
    custom_objects: dict[str, Any] | None,
    module: str | None = None,
) -> Any:
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if module and module != namespace:
        found = registry.lookup(module, name)
        if found is not None:
            return found
    return registry.lookup(namespace, aliases.get(name, name))


def deserialize_object(
    config: Any,
    namespace: str,
    aliases: dict[str, str],
    kind: str,
    custom_objects: dict[str, Any] | None = None,
) -> Any:
    """Build the object a name or a Keras config dict describes.

    Args:
        config: a class name or alias (the class is instantiated with its
            defaults), or a dict with ``class_name`` and ``config``.
        namespace: the registry namespace, e.g. ``"keras.initializers"``.
        aliases: extra names (``"glorot_uniform"``) mapped to class names.
        kind: what is built, for error messages (``"initializer"``).
        custom_objects: names of user classes and functions.
    """
    if isinstance(config, str):
        found = _resolve(config, namespace, aliases, custom_objects)
        if found is None:
            raise ValueError(_unknown(kind, config, namespace, aliases))
        return found() if inspect.isclass(found) else found
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"Could not interpret {kind} identifier: expected a name or a dict "
            f"with 'class_name' and 'config', received {config!r}."
        )
    inner = config.get("config")
    if config["class_name"] == "function":
        found = _resolve(str(inner), namespace, aliases, custom_objects)
        if found is None:
            raise ValueError(_unknown(kind, str(inner), namespace, aliases))
        return found
    found = None
    if custom_objects and config.get("registered_name") in custom_objects:
        found = custom_objects[config["registered_name"]]
    if found is None:
        found = _resolve(
            config["class_name"],
            namespace,
            aliases,
            custom_objects,
            module=config.get("module"),
        )
    if found is None:
        raise ValueError(_unknown(kind, config["class_name"], namespace, aliases))
    return found.from_config(inner or {})


def get_object(
    identifier: Any,
    namespace: str,
    aliases: dict[str, str],
    kind: str,
) -> Any:
    """None, a name, a config dict, a class (instantiated) or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize_object(identifier, namespace, aliases, kind)
    if inspect.isclass(identifier):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(
        f"Could not interpret {kind} identifier: expected a name, a config dict, "
        f"a class or a callable, received {identifier!r}."
    )
