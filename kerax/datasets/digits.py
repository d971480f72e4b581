"""The 8×8 handwritten digits, bundled so that the demo and tests run offline.

Source: the UCI "Optical Recognition of Handwritten Digits" test set (E. Alpaydin,
C. Kaynak, 1998; CC BY 4.0), 1797 images of 8×8 pixels with values 0..16.
"""

from __future__ import annotations

import os

import numpy as np

_PATH = os.path.join(os.path.dirname(__file__), "data", "digits.npz")


def load_data(
    test_split: float = 0.2, seed: int = 113
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Return ``(x_train, y_train), (x_test, y_test)`` like the Keras datasets.

    Images are uint8 arrays of shape (n, 8, 8) with values 0..16, labels uint8
    0..9. The split is a fixed shuffle (``seed``), stratified by nothing.
    """
    if not 0.0 < test_split < 1.0:
        raise ValueError(f"test_split must be in (0, 1), received {test_split}.")
    with np.load(_PATH) as data:
        x, y = data["x"], data["y"]
    order = np.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order]
    split = int(len(x) * (1.0 - test_split))
    return (x[:split], y[:split]), (x[split:], y[split:])
