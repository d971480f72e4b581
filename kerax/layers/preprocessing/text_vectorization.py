"""``TextVectorization``: strings to token indices or bag-of-words vectors."""

from __future__ import annotations

from typing import Any

import numpy as np

from kerax.layers.preprocessing import _text
from kerax.layers.preprocessing._adapt_data import iterate_batches
from kerax.layers.preprocessing._encoding import check_output_mode
from kerax.layers.preprocessing._host import HostLayer, is_string, to_numpy
from kerax.layers.preprocessing.index_lookup import listify
from kerax.layers.preprocessing.string_lookup import StringLookup
from kerax.registry import register

_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = ("whitespace", "character")


def _check_callable_choice(value: Any, choices: tuple, name: str) -> None:
    if value is None or callable(value) or value in choices:
        return
    raise ValueError(
        f"TextVectorization: unknown `{name}` {value!r}. Expected one of "
        f"{choices}, None or a callable."
    )


@register("keras.layers")
class TextVectorization(HostLayer):
    """Turns strings into sequences of token indices or into vectors.

    Each string is standardized, split into tokens, optionally expanded into
    n-grams, then looked up in a vocabulary (given, or learned by ``adapt``;
    index 0 is padding ``""``, index 1 the OOV token ``"[UNK]"``).

    Works in Python/NumPy on host data (numpy string arrays or lists of
    ``str``/``bytes``), without TensorFlow: use it in the data pipeline, or
    map your texts once before ``fit``; kerax has no string tensors, so it
    cannot sit inside a compiled model. Integer outputs are ``int32`` JAX
    arrays (Keras gives ``int64``).

    Args:
        max_tokens: the largest vocabulary size, padding and OOV included.
        standardize: ``"lower_and_strip_punctuation"``, ``"lower"``,
            ``"strip_punctuation"``, None, or a callable taking and returning
            a numpy array of strings.
        split: ``"whitespace"``, ``"character"``, None (each string is one
            token), or a callable taking a rank-1 string array and returning
            one list of tokens per string.
        ngrams: None, an int ``n`` (all n-grams up to ``n``) or a tuple of
            widths.
        output_mode: ``"int"``, ``"multi_hot"``, ``"count"`` or ``"tf_idf"``.
        output_sequence_length: with ``"int"``, pad or truncate every sequence
            to this length (else pad to the longest in the batch).
        pad_to_max_tokens: make vector outputs ``max_tokens`` wide.
        vocabulary: a list of strings or a text file path.
        idf_weights: inverse document frequencies, for ``tf_idf``.
        sparse: not supported on JAX (must be False).
        ragged: not supported (must be False).
        encoding: the text encoding of ``bytes`` inputs.

    Example:
        >>> layer = kerax.layers.TextVectorization(output_sequence_length=4)
        >>> layer.adapt(["the cat sat", "the dog"])
        >>> layer(["The cat ran!"])
        Array([[2, 5, 1, 0]], dtype=int32)
    """

    def __init__(
        self,
        max_tokens: int | None = None,
        standardize: Any = "lower_and_strip_punctuation",
        split: Any = "whitespace",
        ngrams: Any = None,
        output_mode: str = "int",
        output_sequence_length: int | None = None,
        pad_to_max_tokens: bool = False,
        vocabulary: Any = None,
        idf_weights: Any = None,
        sparse: bool = False,
        ragged: bool = False,
        encoding: str = "utf-8",
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        _check_callable_choice(standardize, _STANDARDIZE, "standardize")
        _check_callable_choice(split, _SPLIT, "split")
        output_mode = check_output_mode(
            output_mode,
            "TextVectorization",
            ("int", "one_hot", "multi_hot", "count", "tf_idf"),
        )
        if not (
            ngrams is None
            or isinstance(ngrams, int)
            or isinstance(ngrams, tuple)
            and all(isinstance(item, int) for item in ngrams)
        ):
            raise ValueError(
                "TextVectorization: `ngrams` must be None, an integer, or a tuple "
                f"of integers. Received: ngrams={ngrams!r}"
            )
        if output_mode == "int" and not (
            output_sequence_length is None or isinstance(output_sequence_length, int)
        ):
            raise ValueError(
                "TextVectorization: `output_sequence_length` must be None or an "
                "integer when output_mode='int'. Received: "
                f"output_sequence_length={output_sequence_length!r}"
            )
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError(
                "TextVectorization: `output_sequence_length` must not be set when "
                f"output_mode is not 'int'. Received: output_mode={output_mode!r}."
            )
        if sparse or ragged:
            raise ValueError(
                "TextVectorization: `sparse=True` and `ragged=True` are not "
                "supported on JAX."
            )
        has_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        super().__init__(name=name, **kwargs)
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        self._ngrams = (
            tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        )
        self._ragged = ragged
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._encoding = encoding
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens,
            vocabulary=vocabulary,
            idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens,
            mask_token="",
            output_mode=output_mode,
            sparse=sparse,
            has_input_vocabulary=has_vocabulary,
            encoding=encoding,
            vocabulary_size=vocabulary_size,
        )

    # -- tokens -----------------------------------------------------------------
    def _documents(self, inputs: Any) -> list[list[str]]:
        """The token list of every input string."""
        texts = to_numpy(inputs, self._encoding)
        if not is_string(texts):
            raise TypeError(
                "TextVectorization expects strings (a numpy array or a list). "
                f"Received data of dtype {texts.dtype}."
            )
        if texts.ndim == 0:
            texts = texts.reshape(1)
        if texts.ndim > 1:
            if texts.shape[-1] != 1:
                raise ValueError(
                    "TextVectorization: the input rank must be 1, or the last "
                    f"dimension must be 1. Received: inputs.shape={texts.shape}"
                )
            texts = texts[..., 0]
        if texts.ndim != 1:
            raise ValueError(
                "TextVectorization: expected a batch of strings of shape (batch,) "
                f"or (batch, 1). Received: inputs.shape={texts.shape + (1,)}"
            )
        texts = _text.standardize(texts, self._standardize)
        if self._split is None:
            documents = [[t] for t in texts.tolist()]
        else:
            documents = _text.split(texts, self._split)
        if self._ngrams is not None:
            documents = [_text.ngrams(d, self._ngrams) for d in documents]
        return documents

    # -- adapt ------------------------------------------------------------------
    def adapt(
        self, data: Any, batch_size: int | None = None, steps: int | None = None
    ) -> None:
        """Learn the vocabulary from strings: an array, a list, or an iterable
        of batches."""
        self.reset_state()
        if isinstance(data, (list, tuple, np.ndarray)):
            self.update_state(data)
        else:
            for batch in iterate_batches(data, steps, "TextVectorization"):
                self.update_state(batch)
        self.finalize_state()

    def update_state(self, data: Any) -> None:
        """Count the tokens of a batch of strings."""
        documents = [np.asarray(d, dtype=str) for d in self._documents(data)]
        self._lookup_layer._count_documents(documents)

    def finalize_state(self) -> None:
        self._lookup_layer.finalize_state()

    def reset_state(self) -> None:
        self._lookup_layer.reset_state()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list[str]:
        """The token of every index (``""`` and ``"[UNK]"`` first)."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        """Set the vocabulary (and idf weights for ``tf_idf``)."""
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    # -- call -------------------------------------------------------------------
    def call(self, inputs: Any) -> Any:
        documents = self._documents(inputs)
        lookup = self._lookup_layer
        lengths = [len(d) for d in documents]
        flat = np.asarray([t for d in documents for t in d], dtype=str)
        indices = lookup._indices(flat) if flat.size else np.zeros(0, "int64")
        width = max(lengths, default=0)
        if self._output_mode == "int" and self._output_sequence_length is not None:
            width = self._output_sequence_length
        pad = 0 if self._output_mode == "int" else -1
        out = np.full((len(documents), width), pad, "int64")
        start = 0
        for row, length in enumerate(lengths):
            kept = min(length, width)
            out[row, :kept] = indices[start : start + kept]
            start += length
        return lookup._encode(out)

    def compute_output_spec(self, inputs: Any) -> Any:
        raise TypeError(
            "TextVectorization works on host strings and kerax has no string "
            "tensors: apply it to your texts in the data pipeline (or before fit) "
            "and feed the resulting integer arrays to the model."
        )

    # -- saving -----------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        lookup = self._lookup_layer
        return {
            **super().get_config(),
            "max_tokens": lookup.max_tokens,
            "standardize": self._standardize,
            "split": self._split,
            "ngrams": self._ngrams_arg,
            "output_mode": self._output_mode,
            "output_sequence_length": self._output_sequence_length,
            "pad_to_max_tokens": lookup.pad_to_max_tokens,
            "sparse": lookup.sparse,
            "ragged": self._ragged,
            "vocabulary": listify(lookup.input_vocabulary),
            "idf_weights": listify(lookup.input_idf_weights),
            "encoding": self._encoding,
            "vocabulary_size": self.vocabulary_size(),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> TextVectorization:
        config = dict(config)
        if isinstance(config.get("ngrams"), list):
            config["ngrams"] = tuple(config["ngrams"])
        return super().from_config(config)

    def save_own_variables(self, store: dict[str, Any]) -> None:
        self._lookup_layer.save_own_variables(store)

    def load_own_variables(self, store: Any) -> None:
        self._lookup_layer.load_own_variables(store)

    def save_assets(self, dir_path: str) -> None:
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path: str) -> None:
        self._lookup_layer.load_assets(dir_path)
