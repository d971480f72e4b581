"""One decorator gives a class its public and serialization name.

``@register("keras.layers")`` on ``class Dense`` makes ``"Dense"`` resolvable
in the ``keras.layers`` namespace: that is the ``module``/``class_name`` pair a
Keras file names. Deserialization only ever instantiates registered classes (or
the caller's ``custom_objects``), which is what makes files safe to open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

# namespace ("keras.layers") -> public name -> object
_REGISTRY: dict[str, dict[str, Any]] = {}


def register(namespace: str, name: str | None = None) -> Callable[[T], T]:
    """Register a class or function under ``namespace`` with its public name."""

    def decorator(obj: T) -> T:
        public = name or obj.__name__  # type: ignore[attr-defined]
        _REGISTRY.setdefault(namespace, {})[public] = obj
        obj._kerax_public = (namespace, public)  # type: ignore[attr-defined]
        return obj

    return decorator


def lookup(namespace: str, name: str) -> Any:
    """The object registered as ``name`` in ``namespace``, or None."""
    return _REGISTRY.get(namespace, {}).get(name)


def names(namespace: str) -> list[str]:
    """All public names registered in ``namespace``, sorted."""
    return sorted(_REGISTRY.get(namespace, {}))


def public_name(obj: Any) -> tuple[str, str] | None:
    """``(namespace, name)`` of a registered class or instance, else None."""
    cls = (
        obj
        if isinstance(obj, type) or callable(obj) and not hasattr(obj, "__dict__")
        else type(obj)
    )
    found = getattr(cls, "_kerax_public", None)
    if found is None:
        found = getattr(obj, "_kerax_public", None)
    return found
