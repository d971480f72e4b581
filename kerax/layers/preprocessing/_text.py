"""Text standardization, splitting and n-grams for ``TextVectorization``, on
NumPy string arrays (the behaviour of the TensorFlow ops Keras uses)."""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from typing import Any

import numpy as np

# The characters Keras strips: ASCII punctuation (quotes included).
_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
# tf.strings.lower lowercases ASCII letters only.
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _map(texts: np.ndarray, fn: Callable[[str], str]) -> np.ndarray:
    flat = [fn(t) for t in texts.ravel().tolist()]
    return np.asarray(flat, dtype=str).reshape(texts.shape)


def standardize(texts: np.ndarray, mode: Any) -> np.ndarray:
    """Lowercase and/or strip punctuation; a callable gets the str array."""
    if mode is None:
        return texts
    if callable(mode):
        return np.asarray(mode(texts)).astype(str)
    if mode in ("lower", "lower_and_strip_punctuation"):
        texts = _map(texts, lambda t: t.translate(_ASCII_LOWER))
    if mode in ("strip_punctuation", "lower_and_strip_punctuation"):
        texts = _map(texts, lambda t: _PUNCTUATION.sub("", t))
    return texts


def split(texts: np.ndarray, mode: Any) -> list[list[str]]:
    """Tokens of each text of a rank-1 array: ``"whitespace"`` (runs of
    whitespace, none empty), ``"character"`` (code points), or a callable
    mapping the array to one token list per text."""
    if callable(mode):
        return [[str(t) for t in tokens] for tokens in mode(texts)]
    if mode == "whitespace":
        return [t.split() for t in texts.tolist()]
    return [list(t) for t in texts.tolist()]


def ngrams(tokens: list[str], widths: tuple[int, ...]) -> list[str]:
    """All n-grams of each width, joined by a space, width after width."""
    grams: list[str] = []
    for width in widths:
        grams.extend(
            " ".join(tokens[i : i + width]) for i in range(len(tokens) - width + 1)
        )
    return grams
