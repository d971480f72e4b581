"""Boston housing prices (StatLib, 1978): 506 suburbs, 13 features each."""

from __future__ import annotations

import numpy as np

from kerax.datasets import _remote
from kerax.datasets._regression import check_test_split, shuffle_split

Split = tuple[np.ndarray, np.ndarray]


def load_data(
    path: str = "boston_housing.npz", test_split: float = 0.2, seed: int = 113
) -> tuple[Split, Split]:
    """``(x_train, y_train), (x_test, y_test)``: float64 features (n, 13) and
    median home values in k$ (n,), split after a seeded shuffle.
    """
    check_test_split(test_split)
    with np.load(_remote.fetch("boston_housing.npz", fname=path)) as data:
        x, y = data["x"], data["y"]
    return shuffle_split(x, y, test_split, seed)
