"""Layers computed with NumPy on host data: strings, hashing, vocabularies.

kerax has no string tensors, so these layers take numpy arrays or (nested)
lists on the host and belong in the data pipeline (or run once before
``fit``). Called on symbolic inputs they only infer shapes; called inside a
compiled function they either run on the host through ``jax.pure_callback``
(numeric inputs, where a layer supports it) or raise a clear error.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerax.backend.keras_tensor import any_symbolic
from kerax.layers.layer import Layer


def has_tracer(tree: Any) -> bool:
    """True when any leaf of ``tree`` is being traced by JAX."""
    return any(isinstance(x, jax.core.Tracer) for x in jax.tree_util.tree_leaves(tree))


def to_numpy(inputs: Any, encoding: str = "utf-8") -> np.ndarray:
    """A numpy array of host data; bytes become ``str`` decoded with
    ``encoding``, other strings stay ``str``."""
    array = np.asarray(getattr(inputs, "value", inputs))
    if array.dtype.kind == "S":
        return np.char.decode(array, encoding)
    if array.dtype.kind == "O":
        flat = [
            x.decode(encoding) if isinstance(x, bytes) else x for x in array.ravel()
        ]
        if all(isinstance(x, str) for x in flat):
            return np.asarray(flat, dtype=str).reshape(array.shape)
        return np.asarray(flat).reshape(array.shape)
    return array


def is_string(array: np.ndarray) -> bool:
    return array.dtype.kind in "US"


def numeric_output(array: np.ndarray) -> Any:
    """Numbers go back as JAX arrays (as Keras returns backend tensors)."""
    return jnp.asarray(array)


class HostLayer(Layer):
    """A layer whose ``call`` runs NumPy code on concrete host data."""

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if any_symbolic(inputs):
            return super().__call__(inputs, *args, **kwargs)
        kwargs.pop("training", None)
        if has_tracer(inputs):
            return self._traced_call(inputs, *args, **kwargs)
        self.built = True
        return self.call(inputs, *args, **kwargs)

    def _traced_call(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(
            f"Layer {type(self).__name__} ({self.name!r}) runs on host data "
            "(numpy arrays or lists of strings) and cannot run inside a compiled "
            "function (fit, predict, jax.jit). Apply it to your data before "
            "training, in a PyDataset or generator, or call the model eagerly."
        )

    def _host_callback(self, inputs: jax.Array, out_shape: tuple, dtype: Any) -> Any:
        """Run ``call`` on the host from compiled code (numeric inputs)."""

        def host(x: np.ndarray) -> np.ndarray:
            return np.asarray(self.call(np.asarray(x)), dtype)

        spec = jax.ShapeDtypeStruct(out_shape, jnp.dtype(dtype))
        return jax.pure_callback(host, spec, inputs, vmap_method="sequential")
