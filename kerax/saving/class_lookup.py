"""Which kerax class or function a Keras file names, found without importing.

A serialized object names its ``module`` (``"keras.layers"``,
``"keras.src.layers.core.dense"``, ``"keras.src.engine.functional"`` from
Keras 2.13...) and ``class_name``. The module is mapped onto a kerax registry
namespace and the name is looked up there; user objects come only from the
custom-object tables. Nothing a file names is ever imported or evaluated.
"""

from __future__ import annotations

from typing import Any

from kerax import registry
from kerax.saving import object_registration

# Keras packages (the first part after ``keras.`` / ``keras.src.``) whose
# classes a model file may instantiate, and the kerax namespaces to search.
_PACKAGE_NAMESPACES: dict[str, tuple[str, ...]] = {
    "layers": ("keras.layers",),
    "models": ("keras", "keras.layers"),
    "engine": ("keras", "keras.layers"),
    "initializers": ("keras.initializers",),
    "regularizers": ("keras.regularizers",),
    "constraints": ("keras.constraints",),
    "activations": ("keras.activations",),
    "losses": ("keras.losses",),
    "metrics": ("keras.metrics",),
    "optimizers": ("keras.optimizers",),
    "": ("keras",),
}
# Where functions stored by bare name (module "builtins") are looked up.
BUILTIN_FUNCTION_NAMESPACES = (
    "keras.activations",
    "keras.losses",
    "keras.metrics",
    "keras.initializers",
    "keras.regularizers",
    "keras.constraints",
)


def _special_classes() -> dict[str, Any]:
    from kerax.dtype_policies import DTypePolicy
    from kerax.random import SeedGenerator

    return {
        "DTypePolicy": DTypePolicy,
        "FloatDTypePolicy": DTypePolicy,
        "SeedGenerator": SeedGenerator,
    }


def is_keras_module(module: Any) -> bool:
    """True for ``keras`` and its submodules (public or ``keras.src``)."""
    return isinstance(module, str) and (
        module == "keras" or module.startswith("keras.")
    )


def is_ops_module(module: Any) -> bool:
    """True for the modules Keras names for ops inside a graph."""
    return isinstance(module, str) and (
        module.startswith("keras.src.ops") or module.startswith("keras.ops")
    )


def namespaces_for(module: str | None) -> tuple[str, ...]:
    """The kerax namespaces that a Keras ``module`` string maps onto."""
    if not is_keras_module(module):
        return ()
    assert module is not None
    parts = module.split(".")[1:]
    if parts and parts[0] == "src":
        parts = parts[1:]
    package = parts[0] if parts else ""
    if package == "optimizers" and "schedules" in parts:
        return ("keras.optimizers.schedules",)
    if package in ("dtype_policies", "mixed_precision", "random"):
        return ("keras",)
    return _PACKAGE_NAMESPACES.get(package, ())


def unknown_message(kind: str, name: str, module: Any) -> str:
    """The error text for a name that nothing can resolve."""
    hint = (
        "If it is your own class or function, decorate it with "
        "`kerax.saving.register_keras_serializable()` (and import it before "
        "loading) or pass it in `custom_objects`."
    )
    spaces = namespaces_for(module)
    if spaces:
        known = sorted({n for space in spaces for n in registry.names(space)})
        return (
            f"Could not locate {kind} {name!r} (module {module!r}): kerax has no "
            f"such {kind}. Known names there: {known}. {hint}"
        )
    return f"Could not locate {kind} {name!r} (module {module!r}). {hint}"


def resolve_class(
    class_name: str,
    registered_name: str | None,
    module: str | None,
    custom_objects: dict[str, Any],
) -> Any:
    """The class a serialized object names, or raise ``TypeError``.

    ``custom_objects`` must already hold every user object that may be named
    (see ``object_registration.active_custom_objects``).
    """
    for key in (registered_name, class_name):
        if key is not None and key in custom_objects:
            return custom_objects[key]
    if module is None or is_keras_module(module):
        for space in namespaces_for(module or "keras"):
            found = registry.lookup(space, class_name)
            if found is not None and isinstance(found, type):
                return found
        special = _special_classes().get(class_name)
        if special is not None and namespaces_for(module or "keras") == ("keras",):
            return special
    raise TypeError(unknown_message("class", class_name, module))


def resolve_function(
    name: str, module: str | None, custom_objects: dict[str, Any]
) -> Any:
    """The function a ``{"class_name": "function"}`` entry names, or raise."""
    found = object_registration.get_registered_object(name, custom_objects)
    if found is not None:
        return found
    spaces = namespaces_for(module) or (
        BUILTIN_FUNCTION_NAMESPACES if module in (None, "builtins") else ()
    )
    for space in spaces:
        found = registry.lookup(space, name)
        if found is not None and callable(found) and not isinstance(found, type):
            return found
    if ">" not in name:  # files from Keras <= 3.6 stored custom names bare
        for key, obj in custom_objects.items():
            if key.endswith(f">{name}"):
                return obj
    raise TypeError(unknown_message("function", name, module))
