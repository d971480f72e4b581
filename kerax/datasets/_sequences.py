"""Word-index sequences as IMDB and Reuters return them (shared logic)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from kerax.datasets import _remote


def shuffled(rng: np.random.RandomState, *arrays: np.ndarray) -> list[np.ndarray]:
    """The arrays in one random order drawn from ``rng``."""
    order = np.arange(len(arrays[0]))
    rng.shuffle(order)
    return [a[order] for a in arrays]


def mark(
    sequences: Sequence[Any], start_char: int | None, index_from: int
) -> list[list[int]]:
    """Shift word indices by ``index_from`` and prepend ``start_char``."""
    head = [] if start_char is None else [start_char]
    return [head + [int(w) + index_from for w in seq] for seq in sequences]


def shorter_than(
    maxlen: int, sequences: list[list[int]], labels: Sequence[Any]
) -> tuple[list[list[int]], list[Any]]:
    """Only the sequences with fewer than ``maxlen`` words (and their labels)."""
    kept = [(s, y) for s, y in zip(sequences, labels) if len(s) < maxlen]
    return [s for s, _ in kept], [y for _, y in kept]


def limit_vocabulary(
    sequences: list[list[int]],
    num_words: int | None,
    skip_top: int,
    oov_char: int | None,
) -> list[list[int]]:
    """Words outside ``[skip_top, num_words)`` become ``oov_char`` (or vanish)."""
    if not num_words:
        num_words = max(max(seq) for seq in sequences if seq)
    if oov_char is not None:
        return [
            [w if skip_top <= w < num_words else oov_char for w in seq]
            for seq in sequences
        ]
    return [[w for w in seq if skip_top <= w < num_words] for seq in sequences]


def as_object_array(sequences: list[list[int]]) -> np.ndarray:
    """A 1-D object array holding one list per sample."""
    out = np.empty(len(sequences), dtype=object)
    for i, seq in enumerate(sequences):
        out[i] = seq
    return out


def word_index(name: str, fname: str) -> dict[str, int]:
    """The ``{word: index}`` mapping of a dataset (downloaded once)."""
    with open(_remote.fetch(name, fname=fname), encoding="utf8") as file:
        return json.load(file)
