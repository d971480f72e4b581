"""Shared by the housing datasets: a seeded shuffle, then a train/test split."""

from __future__ import annotations

import numpy as np

Split = tuple[np.ndarray, np.ndarray]


def check_test_split(test_split: float) -> None:
    if not 0 <= test_split < 1:
        raise ValueError(f"test_split must be in [0, 1), received {test_split}.")


def shuffle_split(
    x: np.ndarray, y: np.ndarray, test_split: float, seed: int
) -> tuple[Split, Split]:
    """``(x_train, y_train), (x_test, y_test)`` after a seeded shuffle."""
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    split = int(len(x) * (1 - test_split))
    return (x[:split], y[:split]), (x[split:], y[split:])
