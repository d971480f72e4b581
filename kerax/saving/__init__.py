"""Saving and loading (``kerax.saving``): Keras 3 ``.keras`` and ``.weights.h5`` files.

Files move between kerax and Keras 3 in both directions, and are safe to open:
loading never imports a module or runs code that a file names or carries
(Python bytecode is refused even with ``safe_mode=False``) and rejects
malformed or hostile archives.
"""

from kerax.models.cloning import clone_model
from kerax.saving.export import export_model, load_exported
from kerax.saving.object_registration import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from kerax.saving.saving_api import (
    load_model,
    load_weights,
    model_from_json,
    model_to_json,
    save_model,
    save_weights,
)
from kerax.saving.serialization import deserialize_keras_object, serialize_keras_object

__all__ = [
    "CustomObjectScope",
    "clone_model",
    "custom_object_scope",
    "deserialize_keras_object",
    "export_model",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "load_exported",
    "load_model",
    "load_weights",
    "model_from_json",
    "model_to_json",
    "register_keras_serializable",
    "save_model",
    "save_weights",
    "serialize_keras_object",
]
