"""IMDB: 50,000 movie reviews labelled positive (1) or negative (0).

Reviews are sequences of word indices, words ranked by frequency in the
corpus (index 1 is the most frequent word, before the ``index_from`` shift).
"""

from __future__ import annotations

import numpy as np

from kerax.datasets import _remote, _sequences
from kerax.datasets._safe_pickle import load_npz

Split = tuple[np.ndarray, np.ndarray]


def load_data(
    path: str = "imdb.npz",
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    seed: int = 113,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
) -> tuple[Split, Split]:
    """``(x_train, y_train), (x_test, y_test)`` with 25,000 reviews each.

    ``x`` is a 1-D object array of lists of word indices, ``y`` integer labels.

    Args:
        path: File name in the cache (``$KERAX_HOME/datasets``).
        num_words: Keep the ``num_words`` most frequent words; rarer ones become
            ``oov_char``. None keeps all.
        skip_top: The most frequent words to treat as out-of-vocabulary too.
        maxlen: Drop reviews with ``maxlen`` words or more.
        seed: Seed of the shuffle (train and test are shuffled).
        start_char: Index marking the start of a review (None: no marker).
        oov_char: Index of out-of-vocabulary words (None: drop them).
        index_from: Shift of the word indices (0, 1, 2 are padding, start, OOV).
    """
    data = load_npz(_remote.fetch("imdb.npz", fname=path))
    rng = np.random.RandomState(seed)
    x_train, y_train = _sequences.shuffled(rng, data["x_train"], data["y_train"])
    x_test, y_test = _sequences.shuffled(rng, data["x_test"], data["y_test"])
    x_train = _sequences.mark(x_train, start_char, index_from)
    x_test = _sequences.mark(x_test, start_char, index_from)
    if maxlen:
        x_train, y_train = _sequences.shorter_than(maxlen, x_train, y_train)
        x_test, y_test = _sequences.shorter_than(maxlen, x_test, y_test)
        if not x_train or not x_test:
            raise ValueError(
                f"No review is shorter than maxlen={maxlen} in the training or the "
                "test set; increase maxlen."
            )
    words = _sequences.limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([np.asarray(y_train), np.asarray(y_test)])
    split = len(x_train)
    return (
        (_sequences.as_object_array(words[:split]), labels[:split]),
        (_sequences.as_object_array(words[split:]), labels[split:]),
    )


def get_word_index(path: str = "imdb_word_index.json") -> dict[str, int]:
    """The ``{word: rank}`` mapping; add ``index_from`` to match ``load_data``."""
    return _sequences.word_index("imdb_word_index.json", path)
