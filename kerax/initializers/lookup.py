"""``get``, ``serialize`` and ``deserialize`` for ``keras.initializers``."""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from kerax.backend.dtypes import standardize_dtype
from kerax.backend.tensors import convert_to_tensor, is_tensor
from kerax.initializers.serialization import (
    deserialize_object,
    get_object,
    serialize_object,
)

_NAMESPACE = "keras.initializers"
_ALIASES = {
    "constant": "Constant",
    "glorot_normal": "GlorotNormal",
    "glorot_uniform": "GlorotUniform",
    "he_normal": "HeNormal",
    "he_uniform": "HeUniform",
    "identity": "Identity",
    "initializer": "Initializer",
    "lecun_normal": "LecunNormal",
    "lecun_uniform": "LecunUniform",
    "ones": "Ones",
    "orthogonal": "Orthogonal",
    "random_normal": "RandomNormal",
    "random_uniform": "RandomUniform",
    "stft": "STFT",
    "truncated_normal": "TruncatedNormal",
    "variance_scaling": "VarianceScaling",
    "zeros": "Zeros",
    "normal": "RandomNormal",
    "one": "Ones",
    "uniform": "RandomUniform",
    "zero": "Zeros",
    "IdentityInitializer": "Identity",
    "OrthogonalInitializer": "Orthogonal",
    "STFTInitializer": "STFT",
}


def serialize(initializer: Any) -> dict[str, Any] | None:
    """The Keras config dict of ``initializer`` (None for None)."""
    return serialize_object(initializer)


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """The initializer a name or a config dict describes."""
    return deserialize_object(
        config, _NAMESPACE, _ALIASES, "initializer", custom_objects
    )


def get(identifier: Any) -> Any:
    """An initializer from a name, config dict, class, callable or array.

    Names are class names or their snake_case forms (``"glorot_uniform"``).
    An array gives an initializer that returns it (cast to the requested dtype)
    and checks the requested shape. None stays None.

    Example:
        >>> get("ones")((2,)).tolist()
        [1.0, 1.0]
    """
    if is_tensor(identifier) or isinstance(identifier, (np.ndarray, np.generic)):
        return _from_array(identifier)
    return get_object(identifier, _NAMESPACE, _ALIASES, "initializer")


def _from_array(array: Any) -> Any:
    def initialize(shape: Any, dtype: Any = None) -> jax.Array:
        if tuple(shape) != tuple(array.shape):
            raise ValueError(
                f"An array initializer of shape {tuple(array.shape)} cannot "
                f"initialize a weight of shape {tuple(shape)}."
            )
        return convert_to_tensor(array, standardize_dtype(dtype))

    return initialize
