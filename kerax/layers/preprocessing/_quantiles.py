"""Approximate quantiles for ``Discretization.adapt``.

A summary is a ``(2, n)`` array: sorted sample values and the weight (number
of original elements) each stands for. Batches are summarized, merged and
compressed so that memory stays ``O(1 / epsilon)``; the bin boundaries are the
summary compressed to ``num_bins`` equal-weight parts. The steps follow
Keras's so that boundaries agree with it.
"""

from __future__ import annotations

import numpy as np


def empty_summary() -> np.ndarray:
    return np.zeros((2, 0), "float32")


def summarize(values: np.ndarray, epsilon: float) -> np.ndarray:
    """Keep every ``step``-th sorted value, ``step = max(n * epsilon, 1)``."""
    values = np.sort(np.reshape(values, -1))
    step = max(values.size / (1.0 / epsilon), 1)
    kept = values[int(step - 1) :: int(step)]
    return np.stack([kept, np.ones_like(kept) * step])


def compress(summary: np.ndarray, epsilon: float) -> np.ndarray:
    """Resample a summary at the cumulative-weight fractions
    ``epsilon, 2 epsilon, ..., 1``."""
    if summary.shape[1] * epsilon < 1:
        return summary
    fractions = epsilon + np.arange(0.0, 1.0, epsilon)
    cumulative = summary[1].cumsum()
    position = cumulative / cumulative[-1]
    values = np.interp(fractions, position, summary[0])
    cumulative = np.interp(fractions, position, cumulative)
    weights = np.diff(cumulative, prepend=0.0)
    return np.stack([values, weights]).astype("float32")


def merge(new: np.ndarray, old: np.ndarray, epsilon: float) -> np.ndarray:
    """Merge two summaries and compress the result."""
    merged = np.concatenate([new, old], axis=1)
    merged = merged[:, np.argsort(merged[0])]
    return compress(merged, epsilon)


def bin_boundaries(summary: np.ndarray, num_bins: int) -> np.ndarray:
    """The ``num_bins - 1`` inner boundaries of equal-weight bins."""
    return compress(summary, 1.0 / num_bins)[0, :-1]
