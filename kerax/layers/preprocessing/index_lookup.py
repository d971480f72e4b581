"""``IndexLookup``: the vocabulary machinery of StringLookup and IntegerLookup.

Index layout (as Keras): with ``output_mode="int"`` and a ``mask_token``,
index 0 is the mask; then come ``num_oov_indices`` out-of-vocabulary
indices, then the vocabulary tokens. Other output modes have no mask index
(masked values count for nothing). The vocabulary is given, or learned by
``adapt`` (tokens by decreasing frequency, ties by decreasing token).
"""

from __future__ import annotations

import collections
import os
from typing import Any

import jax.numpy as jnp
import numpy as np

from kerax import config
from kerax.backend.keras_tensor import KerasTensor
from kerax.layers.core._arguments import is_int
from kerax.layers.preprocessing._adapt_data import iterate_batches
from kerax.layers.preprocessing._encoding import (
    check_output_mode,
    encode,
    encoded_shape,
)
from kerax.layers.preprocessing._hash_functions import hash_buckets
from kerax.layers.preprocessing._host import HostLayer, to_numpy
from kerax.layers.preprocessing.hashing import check_salt

_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


def listify(value: Any) -> Any:
    """Arrays as lists, for configs."""
    if isinstance(value, np.ndarray) or hasattr(value, "tolist"):
        return value.tolist()
    return value


class IndexLookup(HostLayer):
    """Maps tokens to indices (or back, with ``invert``) through a vocabulary."""

    def __init__(
        self,
        max_tokens: int | None,
        num_oov_indices: int,
        mask_token: Any,
        oov_token: Any,
        vocabulary_dtype: str,
        vocabulary: Any = None,
        idf_weights: Any = None,
        invert: bool = False,
        output_mode: str = "int",
        sparse: bool = False,
        pad_to_max_tokens: bool = False,
        oov_method: str = "floormod",
        name: str | None = None,
        salt: Any = None,
        **kwargs: Any,
    ) -> None:
        layer = type(self).__name__
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(
                f"{layer}: if set, `max_tokens` must be greater than 1. "
                f"Received: max_tokens={max_tokens}"
            )
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(
                f"{layer}: `pad_to_max_tokens=True` needs `max_tokens`. "
                f"Received: max_tokens={max_tokens}"
            )
        if not is_int(num_oov_indices) or num_oov_indices < 0:
            raise ValueError(
                f"{layer}: `num_oov_indices` must be an integer >= 0. "
                f"Received: num_oov_indices={num_oov_indices!r}"
            )
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError(
                f"{layer}: unknown `oov_method` {oov_method!r}. Expected one of "
                "('floormod', 'farmhash')."
            )
        is_integer = vocabulary_dtype != "string"
        if salt is not None and is_integer and oov_method != "farmhash":
            raise ValueError(
                f"{layer}: `salt` can only be used when `oov_method='farmhash'`. "
                f"Received: oov_method={oov_method!r}"
            )
        output_mode = check_output_mode(output_mode, layer, _MODES)
        if invert and output_mode != "int":
            raise ValueError(
                f"{layer}: `output_mode` must be 'int' when `invert=True`. "
                f"Received: output_mode={output_mode!r}"
            )
        if sparse:
            raise ValueError(f"{layer}: `sparse=True` is not supported on JAX.")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(
                f"{layer}: `idf_weights` is only used with output_mode='tf_idf'. "
                f"Received: output_mode={output_mode!r}"
            )
        frozen_size = kwargs.pop("vocabulary_size", None)
        has_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        kwargs.pop("trainable", None)
        kwargs.pop("dtype", None)
        if kwargs:
            raise TypeError(f"{layer}: unrecognized keyword arguments {kwargs}.")
        super().__init__(name=name)
        self.invert = invert
        self.max_tokens = max_tokens
        self.num_oov_indices = int(num_oov_indices)
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.output_mode = output_mode
        self.sparse = sparse
        self.pad_to_max_tokens = pad_to_max_tokens
        self.vocabulary_dtype = vocabulary_dtype
        self.oov_method = oov_method
        self.salt = check_salt(salt, layer)
        self.input_vocabulary = None if isinstance(vocabulary, str) else vocabulary
        self.input_idf_weights = idf_weights
        self._has_input_vocabulary = has_vocabulary
        self._frozen_vocab_size = frozen_size
        self._tokens: list[Any] = []
        self._index: dict[Any, int] = {}
        self.idf_weights: np.ndarray | None = None
        self.reset_state()
        if output_mode == "tf_idf" and has_vocabulary and idf_weights is None:
            raise ValueError(
                f"{layer}: with a `vocabulary` and output_mode='tf_idf', "
                "`idf_weights` must also be given."
            )
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # -- index layout ---------------------------------------------------------
    def _oov_start_index(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self) -> int:
        return self._oov_start_index() + self.num_oov_indices

    def vocabulary_size(self) -> int:
        """The number of indices, special ones included."""
        return self._token_start_index() + len(self._tokens)

    def get_vocabulary(self, include_special_tokens: bool = True) -> list[Any]:
        """The token of every index, in index order."""
        specials = [self.oov_token] * self._token_start_index()
        if self._oov_start_index():
            specials[0] = self.mask_token
        vocabulary = specials + list(self._tokens)
        if not include_special_tokens:
            return vocabulary[self._token_start_index() :]
        return vocabulary

    def _token(self, value: Any) -> Any:
        """A token in the layer's vocabulary type."""
        return int(value) if self.vocabulary_dtype != "string" else str(value)

    # -- setting the vocabulary -------------------------------------------------
    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        """Set the vocabulary (a list, an array or a text file with one token per
        line) and, for ``tf_idf``, the inverse document frequencies."""
        layer = type(self).__name__
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError(f"{layer}: `idf_weights` must be set for 'tf_idf'.")
        if self.output_mode != "tf_idf" and idf_weights is not None:
            raise ValueError(
                f"{layer}: `idf_weights` is only used with output_mode='tf_idf'. "
                f"Received: output_mode={self.output_mode!r}"
            )
        if isinstance(vocabulary, str):
            if not os.path.exists(vocabulary):
                raise ValueError(
                    f"{layer}: vocabulary file {vocabulary} does not exist."
                )
            if self.output_mode == "tf_idf":
                raise ValueError(
                    f"{layer}: output_mode 'tf_idf' cannot load a vocabulary file."
                )
            with open(vocabulary, encoding="utf-8") as file:
                vocabulary = file.read().splitlines()
        vocabulary = [self._token(t) for t in np.asarray(to_numpy(vocabulary)).ravel()]
        if not vocabulary:
            raise ValueError(f"{layer}: cannot set an empty vocabulary.")
        start = self._token_start_index()
        specials = [self.mask_token] * self._oov_start_index() + [
            self.oov_token
        ] * self.num_oov_indices
        found_specials = vocabulary[:start] == specials
        tokens = vocabulary[start:] if found_specials else vocabulary
        repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
        if repeated:
            raise ValueError(
                f"{layer}: the vocabulary has repeated terms; uniquify it. "
                f"Repeated terms: {repeated}"
            )
        for token, name in ((self.mask_token, "mask"), (self.oov_token, "OOV")):
            if token is None or token not in tokens:
                continue
            if name == "mask" or self.invert:
                raise ValueError(
                    f"{layer}: found the reserved {name} token {token!r} inside "
                    "`vocabulary`. Leave out the mask and OOV tokens, or put them "
                    f"only at the start, in this order: {specials}."
                )
        if self.max_tokens is not None and start + len(tokens) > self.max_tokens:
            raise ValueError(
                f"{layer}: the vocabulary size {start + len(tokens)} is larger than "
                f"`max_tokens` ({self.max_tokens})."
            )
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            self._set_idf(
                np.asarray(idf_weights, "float32"), found_specials, len(vocabulary)
            )

    def _set_idf(self, weights: np.ndarray, found_specials: bool, size: int) -> None:
        layer = type(self).__name__
        if weights.ndim != 1 or len(weights) != size:
            raise ValueError(
                f"{layer}: `idf_weights` must be a 1-D array as long as the "
                f"vocabulary ({size}). Received shape {weights.shape}."
            )
        front = 0 if found_specials else self._token_start_index()
        fill = 0.0 if found_specials else float(np.average(weights))
        back = 0
        if self.pad_to_max_tokens and self.max_tokens is not None:
            back = self.max_tokens - front - len(weights)
        self.idf_weights = np.pad(
            weights, (front, back), constant_values=(fill, 0.0)
        ).astype(config.floatx())

    def _set_tokens(self, tokens: list[Any]) -> None:
        size = self._token_start_index() + len(tokens)
        frozen = self._frozen_vocab_size
        if (
            self.output_mode != "int"
            and not self.pad_to_max_tokens
            and frozen is not None
            and size != frozen
        ):
            raise RuntimeError(
                f"{type(self).__name__}: with output_mode={self.output_mode!r} and "
                "pad_to_max_tokens=False the vocabulary size cannot change after "
                f"it is set. Old size {frozen}, new size {size}."
            )
        self._tokens = list(tokens)
        start = self._token_start_index()
        self._index = {token: start + i for i, token in enumerate(self._tokens)}
        self._frozen_vocab_size = size

    # -- adapt ------------------------------------------------------------------
    def reset_state(self) -> None:
        """Forget the counts gathered by ``update_state``."""
        self._token_counts: collections.Counter = collections.Counter()
        self._document_counts: collections.Counter = collections.Counter()
        self._num_documents = 0

    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Learn the vocabulary from an array, a list, or an iterable of batches."""
        self.reset_state()
        if isinstance(data, (list, tuple, np.ndarray)) or hasattr(data, "__array__"):
            array = self._prepare(data)
            self.update_state(array[:, None] if array.ndim == 1 else array)
        else:
            for batch in iterate_batches(data, steps, type(self).__name__):
                self.update_state(batch)
        self.finalize_state()

    def _prepare(self, data: Any) -> np.ndarray:
        """Host data as tokens of the vocabulary type."""
        return to_numpy(data)

    def update_state(self, data: Any) -> None:
        """Count the tokens of a batch (a rank-1 batch is one document)."""
        array = self._prepare(data)
        if array.ndim < 2:
            array = array.reshape(1, -1)
        self._count_documents(list(array.reshape(array.shape[0], -1)))

    def _count_documents(self, documents: list[np.ndarray]) -> None:
        """Count tokens and, for ``tf_idf``, the documents holding each."""
        if self._has_input_vocabulary:
            raise ValueError(
                f"Cannot adapt layer {self.name!r} after setting a static vocabulary "
                "with the `vocabulary` argument or `set_vocabulary()`."
            )
        flat = np.concatenate([np.asarray(d).ravel() for d in documents] or [[]])
        if flat.size:
            tokens, counts = np.unique(flat, return_counts=True)
            self._token_counts.update(
                dict(zip(map(self._token, tokens.tolist()), counts.tolist()))
            )
        if self.output_mode == "tf_idf":
            for document in documents:
                unique = np.unique(np.asarray(document)).tolist()
                self._document_counts.update(map(self._token, unique))
            self._num_documents += len(documents)

    def finalize_state(self) -> None:
        """Build the vocabulary from the counted tokens."""
        if self._has_input_vocabulary or not self._token_counts:
            return
        for special in (self.mask_token, self.oov_token):
            if special is not None:
                self._token_counts.pop(self._token(special), None)
        ranked = sorted(
            self._token_counts.items(),
            key=lambda item: (item[1], item[0]),
            reverse=True,
        )
        if self.max_tokens:
            ranked = ranked[: self.max_tokens - self._token_start_index()]
        tokens = [token for token, _ in ranked]
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            documents = np.asarray(
                [self._document_counts[t] for t in tokens], "float64"
            )
            idf = np.log(1 + self._num_documents / (1 + documents)).astype(
                config.floatx()
            )
            front = np.full(self._token_start_index(), np.mean(idf), idf.dtype)
            idf = np.concatenate([front, idf])
            if self.pad_to_max_tokens and self.max_tokens is not None:
                idf = np.pad(idf, (0, self.max_tokens - len(idf)))
            self.idf_weights = idf
        self.reset_state()

    # -- lookup -----------------------------------------------------------------
    def _found(self, values: Any) -> Any:
        """Vocabulary index of each value, -1 where absent (host data)."""
        unique, inverse = np.unique(values, return_inverse=True)
        ids = np.asarray(
            [self._index.get(self._token(u), -1) for u in unique.tolist()], "int64"
        )
        return ids[inverse].reshape(values.shape)

    def _oov_indices(self, values: Any) -> Any:
        """The OOV index of each value when there are several OOV indices."""
        if self.vocabulary_dtype != "string" and self.oov_method != "farmhash":
            xp = jnp if not isinstance(values, np.ndarray) else np
            return xp.mod(values, self.num_oov_indices)
        return hash_buckets(values, self.num_oov_indices, self.salt)

    def _indices(self, values: Any) -> Any:
        """Forward lookup with OOV and mask handling (numpy or jax)."""
        xp = np if isinstance(values, np.ndarray) else jnp
        found = self._found(values)
        unknown = found < 0
        is_mask = None
        if self.mask_token is not None:
            is_mask = values == self._token(self.mask_token)
            unknown = unknown & ~is_mask
        if self.num_oov_indices == 0 and xp is np and np.any(unknown):
            raise ValueError(
                f"{type(self).__name__}: with num_oov_indices=0 all inputs must be "
                f"in the vocabulary; found OOV values {np.unique(values[unknown])}. "
                "Consider num_oov_indices=1."
            )
        if self.num_oov_indices == 1:
            missing = self._oov_start_index()
        elif self.num_oov_indices > 1:
            missing = self._oov_indices(values) + self._oov_start_index()
        else:
            missing = -1
        indices = xp.where(found >= 0, found, missing)
        if is_mask is not None:
            indices = xp.where(is_mask, 0 if self.output_mode == "int" else -1, indices)
        return indices

    def _depth(self) -> int:
        if self.pad_to_max_tokens:
            return self.max_tokens
        if self._frozen_vocab_size is None:
            raise RuntimeError(
                f"{type(self).__name__}: with output_mode={self.output_mode!r} and "
                "pad_to_max_tokens=False, set the vocabulary (argument or `adapt`) "
                "before calling the layer."
            )
        return self._frozen_vocab_size

    def _encode(self, indices: Any) -> Any:
        if self.output_mode == "int":
            return jnp.asarray(indices, "int32")
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        out = encode(
            jnp.asarray(indices, "int32"), mode, self._depth(), config.floatx()
        )
        if self.output_mode == "tf_idf":
            if self.idf_weights is None:
                raise ValueError(f"{type(self).__name__}: `idf_weights` are not set.")
            weights = jnp.asarray(self.idf_weights)
            out = out * weights.reshape((1,) * (out.ndim - 1) + weights.shape)
        return out

    def _invert(self, indices: Any) -> Any:
        vocabulary = self.get_vocabulary()
        xp = np if isinstance(indices, np.ndarray) else jnp
        table = np.asarray(vocabulary + [self.oov_token])
        safe = xp.where((indices >= 0) & (indices < len(vocabulary)), indices, -1)
        return xp.take(table if xp is np else jnp.asarray(table), safe)

    def call(self, inputs: Any) -> Any:
        values = self._prepare(inputs)
        if self.invert:
            return self._invert(values)
        if self.output_mode != "int":
            self._depth()
        return self._encode(self._indices(values))

    def compute_output_spec(self, inputs: Any) -> KerasTensor:
        if self.output_mode == "int":
            return KerasTensor(inputs.shape, "int32")
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        shape = encoded_shape(inputs.shape, self.output_mode, depth)
        return KerasTensor(shape, config.floatx())

    # -- saving -----------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "invert": self.invert,
            "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices,
            "oov_token": self.oov_token,
            "mask_token": self.mask_token,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "vocabulary_dtype": self.vocabulary_dtype,
            "idf_weights": listify(self.input_idf_weights),
            "vocabulary": listify(self.input_vocabulary),
            "vocabulary_size": self._frozen_vocab_size,
            "oov_method": self.oov_method,
            "salt": self.salt,
        }

    def get_build_config(self) -> dict[str, Any]:
        return {}

    def build_from_config(self, config: dict[str, Any] | None) -> None:
        self.built = True

    def save_own_variables(self, store: dict[str, Any]) -> None:
        """Store the idf weights (``tf_idf`` only), as Keras does."""
        if self.output_mode == "tf_idf" and self.idf_weights is not None:
            store["idf_weights"] = np.asarray(self.idf_weights)

    def load_own_variables(self, store: Any) -> None:
        """Restore what ``save_own_variables`` stored."""
        if self.output_mode == "tf_idf":
            self.idf_weights = np.asarray(store["idf_weights"])

    def save_assets(self, dir_path: str) -> None:
        """Write a learned vocabulary to ``vocabulary.txt`` (one token a line)."""
        if self.input_vocabulary is not None:
            return
        path = os.path.join(dir_path, "vocabulary.txt")
        with open(path, "w", encoding="utf-8") as file:
            file.write("\n".join(str(t) for t in self.get_vocabulary()))

    def load_assets(self, dir_path: str | None) -> None:
        """Read the vocabulary written by ``save_assets`` (UTF-8 text)."""
        if self.input_vocabulary is not None:
            return
        path = os.path.join(dir_path or "", "vocabulary.txt")
        if dir_path is None or not os.path.isfile(path):
            raise ValueError(
                f"{type(self).__name__} {self.name!r}: the file has no "
                "`vocabulary.txt` asset for this layer, whose vocabulary was "
                "learned by `adapt`."
            )
        with open(path, encoding="utf-8") as file:
            lines = file.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        tokens = [self._token(line) for line in lines]
        if self.output_mode == "tf_idf":
            self.set_vocabulary(tokens, idf_weights=self.idf_weights)
        else:
            self.set_vocabulary(tokens)
