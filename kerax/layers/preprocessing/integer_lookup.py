"""``IntegerLookup``: integers to vocabulary indices (also inside jit)."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from kerax.layers.preprocessing._host import to_numpy
from kerax.layers.preprocessing.index_lookup import IndexLookup
from kerax.registry import register


@register("keras.layers")
class IntegerLookup(IndexLookup):
    """Maps integers to contiguous indices through a vocabulary (or back, with
    ``invert=True``).

    Runs in NumPy on host data and, once its vocabulary is set, also inside
    compiled code (a model trained with ``fit``) with ``jnp.searchsorted``;
    FarmHash OOV hashing then runs on the host through ``jax.pure_callback``.
    Inside compiled code, values must fit in int32, and with
    ``num_oov_indices=0`` unknown values give -1 instead of an error.

    Args:
        max_tokens: the largest vocabulary size, special indices included.
        num_oov_indices: the number of out-of-vocabulary indices; with more
            than one, an unknown value ``v`` goes to ``v % num_oov_indices``
            (or a FarmHash of it with ``oov_method="farmhash"``).
        mask_token: a value that maps to index 0 (``"int"`` mode) or to
            nothing (other modes).
        oov_token: the value returned for OOV indices by ``invert``.
        vocabulary: a list of integers or the path of a text file.
        vocabulary_dtype: only ``"int64"``.
        idf_weights: inverse document frequencies, for ``tf_idf``.
        invert: map indices back to values.
        output_mode: ``"int"``, ``"one_hot"``, ``"multi_hot"``, ``"count"``
            or ``"tf_idf"``.
        sparse: not supported on JAX (must be False).
        pad_to_max_tokens: make encoded outputs ``max_tokens`` wide.
        oov_method: ``"floormod"`` or ``"farmhash"``.
        salt: with ``"farmhash"``, an int or a pair of ints keying a SipHash.

    Example:
        >>> layer = kerax.layers.IntegerLookup(vocabulary=[12, 36, 1138, 42])
        >>> layer(np.array([[12, 1138, 42], [42, 1000, 36]]))
        Array([[1, 3, 4],
               [4, 0, 2]], dtype=int32)
    """

    def __init__(
        self,
        max_tokens: int | None = None,
        num_oov_indices: int = 1,
        mask_token: int | None = None,
        oov_token: int = -1,
        vocabulary: Any = None,
        vocabulary_dtype: str = "int64",
        idf_weights: Any = None,
        invert: bool = False,
        output_mode: str = "int",
        sparse: bool = False,
        pad_to_max_tokens: bool = False,
        oov_method: str = "floormod",
        salt: Any = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        if vocabulary_dtype != "int64":
            raise ValueError(
                "IntegerLookup: only `vocabulary_dtype='int64'` is supported. "
                f"Received: vocabulary_dtype={vocabulary_dtype!r}"
            )
        super().__init__(
            max_tokens=max_tokens,
            num_oov_indices=num_oov_indices,
            mask_token=mask_token,
            oov_token=oov_token,
            vocabulary_dtype=vocabulary_dtype,
            vocabulary=vocabulary,
            idf_weights=idf_weights,
            invert=invert,
            output_mode=output_mode,
            sparse=sparse,
            pad_to_max_tokens=pad_to_max_tokens,
            oov_method=oov_method,
            salt=salt,
            name=name,
            **kwargs,
        )

    def _prepare(self, data: Any) -> np.ndarray:
        array = to_numpy(data)
        if array.dtype.kind not in "iub":
            raise TypeError(
                "IntegerLookup expects integer inputs (a numpy array or nested "
                f"lists). Received data of dtype {array.dtype}."
            )
        return array.astype("int64")

    def _found(self, values: Any) -> Any:
        if isinstance(values, np.ndarray):
            return super()._found(values)
        if not self._tokens:
            return jnp.full(values.shape, -1, "int32")
        order = np.argsort(self._tokens)
        keys = jnp.asarray(np.asarray(self._tokens)[order], "int32")
        position = jnp.clip(jnp.searchsorted(keys, values), 0, len(order) - 1)
        index = jnp.asarray(order + self._token_start_index(), "int32")[position]
        return jnp.where(keys[position] == values, index, -1)

    def _traced_call(self, inputs: Any) -> Any:
        values = jnp.asarray(inputs).astype("int32")
        if self.invert:
            return self._invert(values)
        if self.num_oov_indices > 1 and self.oov_method == "farmhash":
            out = self.compute_output_spec(values)
            return self._host_callback(values, out.shape, out.dtype)
        if self.output_mode != "int":
            self._depth()
        return self._encode(self._indices(values))

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        for key in ("oov_token", "mask_token"):
            if config[key] is not None:
                config[key] = int(config[key])
        if config["vocabulary"] is not None:
            config["vocabulary"] = [int(v) for v in config["vocabulary"]]
        return config
