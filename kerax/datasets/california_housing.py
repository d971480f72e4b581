"""California housing prices (1990 census): 20,640 block groups, 8 features."""

from __future__ import annotations

import numpy as np

from kerax.datasets import _remote
from kerax.datasets._regression import check_test_split, shuffle_split

Split = tuple[np.ndarray, np.ndarray]


def load_data(
    version: str = "large",
    path: str = "california_housing.npz",
    test_split: float = 0.2,
    seed: int = 113,
) -> tuple[Split, Split]:
    """``(x_train, y_train), (x_test, y_test)``: float features (n, 8) and median
    house values in dollars (n,), split after a seeded shuffle.

    Args:
        version: ``"large"`` (all 20,640 samples) or ``"small"`` (the first 600).
    """
    check_test_split(test_split)
    if version not in ("large", "small"):
        raise ValueError(f"version must be 'large' or 'small', received {version!r}.")
    with np.load(_remote.fetch("california_housing.npz", fname=path)) as data:
        x, y = data["x"], data["y"]
    if version == "small":
        x, y = x[:600], y[:600]
    return shuffle_split(x, y, test_split, seed)
