"""``Hashing``: values to bins by a stable string hash (as Keras/TensorFlow)."""

from __future__ import annotations

from typing import Any

import numpy as np

from kerax import config
from kerax.backend.keras_tensor import KerasTensor
from kerax.layers.core._arguments import is_int
from kerax.layers.preprocessing._encoding import (
    OUTPUT_MODES,
    check_output_mode,
    encode,
    encoded_shape,
)
from kerax.layers.preprocessing._hash_functions import hash_buckets
from kerax.layers.preprocessing._host import HostLayer, numeric_output, to_numpy
from kerax.registry import register


def check_salt(salt: Any, layer: str) -> list[int] | None:
    """``salt`` as a two-int key (an int ``s`` is ``[s, s]``), or None."""
    if salt is None:
        return None
    if isinstance(salt, (tuple, list)) and len(salt) == 2 and all(map(is_int, salt)):
        return [int(s) for s in salt]
    if is_int(salt):
        return [int(salt), int(salt)]
    raise ValueError(
        f"{layer}: `salt` must be a tuple of 2 integers or a single integer. "
        f"Received: salt={salt!r}."
    )


@register("keras.layers")
class Hashing(HostLayer):
    """Hashes strings or integers into ``num_bins`` bins.

    A value is written as text (integers in decimal; floats are truncated to
    integers first) and hashed with FarmHash Fingerprint64, or with SipHash
    keyed by ``salt`` when one is given: the same bins as Keras (which uses
    TensorFlow's ``to_hash_bucket_fast``/``to_hash_bucket_strong``).
    With ``mask_value``, that value goes to bin 0 and others to
    ``1 + hash % (num_bins - 1)``.

    Runs on host data (numpy arrays or lists); inside a compiled function
    numeric inputs are hashed on the host through ``jax.pure_callback``.

    Args:
        num_bins: the number of bins (including the mask bin).
        mask_value: a value that maps to bin 0.
        salt: an int or a pair of ints keying the SipHash.
        output_mode: ``"int"``, ``"one_hot"``, ``"multi_hot"`` or ``"count"``.
        sparse: not supported on JAX (must be False).

    Example:
        >>> kerax.layers.Hashing(num_bins=3)(np.array(["A", "B", "C"]))
        Array([1, 0, 1], dtype=int32)
    """

    def __init__(
        self,
        num_bins: int,
        mask_value: Any = None,
        salt: Any = None,
        output_mode: str = "int",
        sparse: bool = False,
        **kwargs: Any,
    ) -> None:
        layer = type(self).__name__
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else config.floatx()
        if num_bins is None or not is_int(num_bins) or num_bins <= 0:
            raise ValueError(
                f"{layer}: `num_bins` must be a positive integer. Received: "
                f"num_bins={num_bins!r}."
            )
        output_mode = check_output_mode(output_mode, layer, OUTPUT_MODES)
        if sparse:
            raise ValueError(f"{layer}: `sparse=True` is not supported on JAX.")
        super().__init__(**kwargs)
        if output_mode == "int" and self.dtype_policy.name not in ("int32", "int64"):
            raise ValueError(
                f"{layer}: with output_mode='int', `dtype` must be 'int32' or "
                f"'int64'. Received: dtype={kwargs['dtype']!r}."
            )
        self.num_bins = int(num_bins)
        self.mask_value = mask_value
        self.salt = check_salt(salt, layer)
        self.strong_hash = self.salt is not None
        self.output_mode = output_mode
        self.sparse = sparse

    def _bins(self, values: np.ndarray) -> np.ndarray:
        bins = self.num_bins
        masked = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            masked = values == np.asarray(self.mask_value, values.dtype)
        out = hash_buckets(values, bins, self.salt)
        if masked is not None:
            out = np.where(masked, 0, out + 1)
        return out

    def call(self, inputs: Any) -> Any:
        indices = self._bins(to_numpy(inputs))
        dtype = "int32" if self.output_mode == "int" else self.compute_dtype
        if self.output_mode == "int":
            return numeric_output(indices.astype(dtype))
        return encode(indices.astype("int32"), self.output_mode, self.num_bins, dtype)

    def _traced_call(self, inputs: Any) -> Any:
        out = self.compute_output_spec(KerasTensor(inputs.shape, inputs.dtype))
        return self._host_callback(inputs, out.shape, out.dtype)

    def compute_output_spec(self, inputs: Any) -> KerasTensor:
        dtype = "int32" if self.output_mode == "int" else self.compute_dtype
        shape = encoded_shape(inputs.shape, self.output_mode, self.num_bins)
        return KerasTensor(shape, dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return encoded_shape(input_shape, self.output_mode, self.num_bins)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_bins": self.num_bins,
            "salt": self.salt,
            "mask_value": self.mask_value,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
        }
