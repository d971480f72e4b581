"""User classes and functions that files may name: registration and scopes.

A file can only make kerax build objects that kerax registered itself or that
the user named here: with ``register_keras_serializable`` (global, under
``"Package>Name"``), with ``custom_object_scope`` (for a block of code), or
with the ``custom_objects=`` argument of a loading function.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

# "Package>Name" -> object, filled by register_keras_serializable.
_GLOBAL_CUSTOM_OBJECTS: dict[str, Any] = {}
# object -> "Package>Name", the reverse map used when serializing.
_GLOBAL_CUSTOM_NAMES: dict[Any, str] = {}
_local = threading.local()


def _scopes() -> list[dict[str, Any]]:
    stack = getattr(_local, "scopes", None)
    if stack is None:
        stack = _local.scopes = []
    return stack


def register_keras_serializable(
    package: str = "Custom", name: str | None = None
) -> Callable[[T], T]:
    """Register a class or function so files can name it as ``package>name``.

    Args:
        package: the prefix of the registered name.
        name: defaults to the object's ``__name__``.

    Example:
        >>> @register_keras_serializable(package="Doc")
        ... def twice(x):
        ...     return 2 * x
        >>> get_registered_name(twice)
        'Doc>twice'
    """

    def decorator(obj: T) -> T:
        public = name if name is not None else obj.__name__  # type: ignore[attr-defined]
        registered = f"{package}>{public}"
        if inspect.isclass(obj) and not hasattr(obj, "get_config"):
            raise ValueError(
                f"Cannot register {obj.__name__}: a class registered for "
                "serialization must implement `get_config()`."
            )
        if registered in _GLOBAL_CUSTOM_OBJECTS:
            raise ValueError(
                f"{registered!r} has already been registered to "
                f"{_GLOBAL_CUSTOM_OBJECTS[registered]!r}; choose another "
                "`package` or `name`."
            )
        _GLOBAL_CUSTOM_OBJECTS[registered] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = registered
        return obj

    return decorator


def get_registered_name(obj: Any) -> str:
    """``"Package>Name"`` if ``obj`` was registered, else its ``__name__``."""
    if obj in _GLOBAL_CUSTOM_NAMES:
        return _GLOBAL_CUSTOM_NAMES[obj]
    return obj.__name__


def is_registered(obj: Any) -> bool:
    """True if ``obj`` (a class or function) was registered by the user."""
    try:
        return obj in _GLOBAL_CUSTOM_NAMES
    except TypeError:  # unhashable
        return False


def get_custom_objects() -> dict[str, Any]:
    """The global table of registered objects (``"Package>Name"`` -> object)."""
    return _GLOBAL_CUSTOM_OBJECTS


def active_custom_objects(
    custom_objects: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Every user object a file may name now, by the keys that can name it.

    Registered objects are found by ``"Package>Name"`` and by their plain
    name; the innermost ``custom_object_scope`` wins over outer ones, and
    ``custom_objects`` (the caller's) over everything.
    """
    merged: dict[str, Any] = {}
    for registered, obj in _GLOBAL_CUSTOM_OBJECTS.items():
        merged.setdefault(registered.split(">", 1)[1], obj)
        merged[registered] = obj
    for scope in _scopes():
        merged.update(scope)
    merged.update(custom_objects or {})
    return merged


def get_registered_object(
    name: str | None,
    custom_objects: dict[str, Any] | None = None,
    module_objects: dict[str, Any] | None = None,
) -> Any:
    """The user object ``name`` stands for, or None.

    Looks in ``custom_objects``, then the active scopes, then the global
    registry, then ``module_objects``.
    """
    if name is None:
        return None
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    for scope in reversed(_scopes()):
        if name in scope:
            return scope[name]
    if name in _GLOBAL_CUSTOM_OBJECTS:
        return _GLOBAL_CUSTOM_OBJECTS[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None


class CustomObjectScope:
    """Make extra names resolvable while the ``with`` block runs.

    Example:
        >>> with CustomObjectScope({"twice": lambda x: 2 * x}):
        ...     get_registered_object("twice")(3)
        6
    """

    def __init__(self, *custom_objects: dict[str, Any] | None) -> None:
        merged: dict[str, Any] = {}
        for objects in custom_objects:
            if objects is None:
                continue
            if not isinstance(objects, dict):
                raise TypeError(
                    "custom_object_scope expects dicts of name -> object, "
                    f"received {type(objects).__name__}: {objects!r}"
                )
            merged.update(objects)
        self.custom_objects = merged

    def __enter__(self) -> CustomObjectScope:
        _scopes().append(self.custom_objects)
        return self

    def __exit__(self, *exc: Any) -> None:
        _scopes().pop()


custom_object_scope = CustomObjectScope


@contextmanager
def safe_mode_scope(safe_mode: bool | None) -> Iterator[None]:
    """Set ``in_safe_mode()`` for a block (None keeps the enclosing setting)."""
    stack = getattr(_local, "safe", None)
    if stack is None:
        stack = _local.safe = []
    stack.append(safe_mode)
    try:
        yield
    finally:
        stack.pop()


def in_safe_mode() -> bool | None:
    """The innermost explicit safe-mode setting, or None outside any."""
    for value in reversed(getattr(_local, "safe", [])):
        if value is not None:
            return value
    return None
