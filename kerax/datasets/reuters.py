"""Reuters newswires: 11,228 wires labelled with one of 46 topics.

Wires are sequences of word indices, words ranked by frequency (index 1 is the
most frequent word, before the ``index_from`` shift).
"""

from __future__ import annotations

import numpy as np

from kerax.datasets import _remote, _sequences
from kerax.datasets._safe_pickle import load_npz

Split = tuple[np.ndarray, np.ndarray]

_LABELS = (
    "cocoa grain veg-oil earn acq wheat copper housing money-supply coffee sugar "
    "trade reserves ship cotton carcass crude nat-gas cpi money-fx interest gnp "
    "meal-feed alum oilseed gold tin strategic-metal livestock retail ipi "
    "iron-steel rubber heat jobs lei bop zinc orange pet-chem dlr gas silver wpi "
    "hog lead"
).split()


def load_data(
    path: str = "reuters.npz",
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    test_split: float = 0.2,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
) -> tuple[Split, Split]:
    """``(x_train, y_train), (x_test, y_test)``, split after a seeded shuffle.

    ``x`` is a 1-D object array of lists of word indices, ``y`` integer topics
    0..45. Arguments as in ``kerax.datasets.imdb.load_data``, plus
    ``test_split``, the fraction of wires held out for testing.
    """
    data = load_npz(_remote.fetch("reuters.npz", fname=path))
    rng = np.random.RandomState(seed)
    xs, labels = _sequences.shuffled(rng, data["x"], data["y"])
    xs = _sequences.mark(xs, start_char, index_from)
    labels = list(labels)
    if maxlen:
        xs, labels = _sequences.shorter_than(maxlen, xs, labels)
    xs = _sequences.limit_vocabulary(xs, num_words, skip_top, oov_char)
    split = int(len(xs) * (1 - test_split))
    return (
        (_sequences.as_object_array(xs[:split]), np.array(labels[:split])),
        (_sequences.as_object_array(xs[split:]), np.array(labels[split:])),
    )


def get_word_index(path: str = "reuters_word_index.json") -> dict[str, int]:
    """The ``{word: rank}`` mapping; add ``index_from`` to match ``load_data``."""
    return _sequences.word_index("reuters_word_index.json", path)


def get_label_names() -> tuple[str, ...]:
    """The 46 topic names, indexed like the labels."""
    return tuple(_LABELS)
