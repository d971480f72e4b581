"""``pad_sequences``: lists of variable-length sequences as one padded array."""

from __future__ import annotations

from typing import Any

import numpy as np


def pad_sequences(
    sequences: Any,
    maxlen: int | None = None,
    dtype: Any = "int32",
    padding: str = "pre",
    truncating: str = "pre",
    value: Any = 0.0,
) -> np.ndarray:
    """Pad (or truncate) every sequence to ``maxlen`` steps.

    Args:
        sequences: A list of sequences (lists or arrays; each step may itself be
            an array, all of one shape).
        maxlen: Steps per output row; defaults to the longest sequence.
        dtype: Output dtype (``object`` for variable-length strings).
        padding: ``"pre"`` or ``"post"``: where the padding goes.
        truncating: ``"pre"`` or ``"post"``: which end of a longer sequence is
            cut.
        value: The padding value.

    Returns:
        An array of shape ``(len(sequences), maxlen) + step_shape``.

    >>> pad_sequences([[1, 2, 3], [4, 5], [6]], maxlen=2).tolist()
    [[2, 3], [4, 5], [0, 6]]
    >>> pad_sequences([[1, 2], [3]], padding="post", value=-1).tolist()
    [[1, 2], [3, -1]]
    """
    if padding not in ("pre", "post"):
        raise ValueError(
            f'pad_sequences: padding must be "pre" or "post", received {padding!r}.'
        )
    if truncating not in ("pre", "post"):
        raise ValueError(
            'pad_sequences: truncating must be "pre" or "post", received '
            f"{truncating!r}."
        )
    if not hasattr(sequences, "__len__"):
        raise ValueError(
            "pad_sequences: `sequences` must be a list of sequences, received "
            f"{type(sequences).__name__}."
        )
    lengths, step_shape = [], None
    for position, sequence in enumerate(sequences):
        if not hasattr(sequence, "__len__"):
            raise ValueError(
                "pad_sequences: `sequences` must be a list of iterables; the "
                f"entry at position {position} is {sequence!r}."
            )
        lengths.append(len(sequence))
        if step_shape is None and len(sequence):
            step_shape = np.asarray(sequence).shape[1:]
    step_shape = step_shape or ()
    if maxlen is None:
        maxlen = max(lengths, default=0)
    text_dtype = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.bytes_)
    if isinstance(value, str) and dtype is not object and not text_dtype:
        raise ValueError(
            f"pad_sequences: dtype {dtype!r} cannot hold the string padding value "
            f"{value!r}; use dtype=object for variable-length strings."
        )
    out = np.full((len(lengths), maxlen) + tuple(step_shape), value, dtype=dtype)
    if maxlen == 0:
        return out
    for position, sequence in enumerate(sequences):
        if not len(sequence):
            continue
        kept = sequence[-maxlen:] if truncating == "pre" else sequence[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != tuple(step_shape):
            raise ValueError(
                f"pad_sequences: the steps of the sequence at position {position} "
                f"have shape {kept.shape[1:]}, expected {tuple(step_shape)} like the "
                "first non-empty sequence."
            )
        if padding == "post":
            out[position, : len(kept)] = kept
        else:
            out[position, -len(kept) :] = kept
    return out
