"""Keras 3 config dicts for optimizers and schedules, resolved only through the registry.

A serialized object is ``{"module", "class_name", "config", "registered_name"}``,
as Keras writes it. Reading one back instantiates a registered class (looked up
case-insensitively, as Keras does for optimizers) or one the caller supplies in
``custom_objects``; nothing else can be named by a file.
"""

from __future__ import annotations

from typing import Any

from kerax import registry


def serialize_object(obj: Any, namespace: str) -> dict[str, Any]:
    """Return the Keras dict describing ``obj`` (an instance with ``get_config``)."""
    cls = type(obj)
    # A subclass inherits its parent's registration attribute: only trust it
    # when the registry maps the name back to this very class.
    found = registry.public_name(cls)
    if found and found[0] == namespace and registry.lookup(*found) is cls:
        module, class_name, registered_name = namespace, found[1], None
    else:
        module, class_name = cls.__module__, cls.__name__
        registered_name = class_name
    return {
        "module": module,
        "class_name": class_name,
        "config": obj.get_config(),
        "registered_name": registered_name,
    }


def resolve_class(
    config: Any,
    namespace: str,
    kind: str,
    custom_objects: dict[str, Any] | None = None,
) -> type:
    """Find the class a Keras dict names: custom objects first, then the registry."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise TypeError(
            f"Cannot deserialize {kind}: expected a dict with a 'class_name' key "
            f"(as written by serialize), received {config!r}."
        )
    custom = custom_objects or {}
    for key in (config.get("registered_name"), config["class_name"]):
        if key is not None and key in custom:
            return custom[key]
    name = str(config["class_name"])
    found = registry.lookup(namespace, name)
    if found is None:
        by_lower = {n.lower(): n for n in registry.names(namespace)}
        if name.lower() in by_lower:
            found = registry.lookup(namespace, by_lower[name.lower()])
    if found is None:
        raise ValueError(
            f"Unknown {kind} {name!r}. Expected one of "
            f"{registry.names(namespace)}, or pass your own class in "
            "`custom_objects`."
        )
    return found
