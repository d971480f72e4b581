"""``StringLookup``: strings to vocabulary indices (host data)."""

from __future__ import annotations

from typing import Any

import numpy as np

from kerax.layers.preprocessing._host import is_string, to_numpy
from kerax.layers.preprocessing.index_lookup import IndexLookup
from kerax.registry import register


@register("keras.layers")
class StringLookup(IndexLookup):
    """Maps strings to integer indices through a vocabulary (or back, with
    ``invert=True``).

    Works in NumPy on host data (numpy string arrays or nested lists of
    ``str``/``bytes``): use it in the data pipeline or before ``fit``; kerax
    has no string tensors, so it cannot sit inside a compiled model. Integer
    outputs are ``int32`` JAX arrays (Keras gives ``int64``).

    Args:
        max_tokens: the largest vocabulary size, special tokens included.
        num_oov_indices: the number of out-of-vocabulary indices; with more
            than one, an unknown string goes to ``hash(string) %
            num_oov_indices`` (FarmHash, or SipHash keyed by ``salt``).
        mask_token: a token that maps to index 0 (``"int"`` mode) or to
            nothing (other modes).
        oov_token: the token returned for OOV indices by ``invert``.
        vocabulary: a list of strings or the path of a text file (one a line).
        idf_weights: inverse document frequencies, for ``tf_idf``.
        invert: map indices back to strings.
        output_mode: ``"int"``, ``"one_hot"``, ``"multi_hot"``, ``"count"``
            or ``"tf_idf"``.
        pad_to_max_tokens: make encoded outputs ``max_tokens`` wide.
        sparse: not supported on JAX (must be False).
        encoding: the text encoding of ``bytes`` inputs.
        salt: an int or a pair of ints keying the OOV hash.

    Example:
        >>> layer = kerax.layers.StringLookup(vocabulary=["a", "b", "c"])
        >>> layer([["a", "c"], ["d", "b"]])
        Array([[1, 3],
               [0, 2]], dtype=int32)
    """

    def __init__(
        self,
        max_tokens: int | None = None,
        num_oov_indices: int = 1,
        mask_token: str | None = None,
        oov_token: str = "[UNK]",
        vocabulary: Any = None,
        idf_weights: Any = None,
        invert: bool = False,
        output_mode: str = "int",
        pad_to_max_tokens: bool = False,
        sparse: bool = False,
        encoding: str = "utf-8",
        name: str | None = None,
        salt: Any = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("vocabulary_dtype", None)
        self.encoding = encoding
        super().__init__(
            max_tokens=max_tokens,
            num_oov_indices=num_oov_indices,
            mask_token=mask_token,
            oov_token=oov_token,
            vocabulary_dtype="string",
            vocabulary=vocabulary,
            idf_weights=idf_weights,
            invert=invert,
            output_mode=output_mode,
            sparse=sparse,
            pad_to_max_tokens=pad_to_max_tokens,
            name=name,
            salt=salt,
            **kwargs,
        )

    def _prepare(self, data: Any) -> np.ndarray:
        array = to_numpy(data, self.encoding)
        if self.invert and array.dtype.kind in "iu":
            return array.astype("int64")
        if not is_string(array):
            expected = "integer indices" if self.invert else "strings"
            raise TypeError(
                f"StringLookup expects {expected} (a numpy array or nested lists). "
                f"Received data of dtype {array.dtype}."
            )
        return array

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["vocabulary_dtype"]
        return {**config, "encoding": self.encoding}
