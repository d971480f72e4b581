"""MNIST: 70,000 28×28 grayscale handwritten digits (LeCun, Cortes, Burges)."""

from __future__ import annotations

import numpy as np

from kerax.datasets import _remote

Split = tuple[np.ndarray, np.ndarray]


def load_data(path: str = "mnist.npz") -> tuple[Split, Split]:
    """``(x_train, y_train), (x_test, y_test)``, downloaded once and cached.

    Images are uint8 arrays of shape (60000, 28, 28) and (10000, 28, 28) with
    values 0..255; labels are uint8 digits 0..9.

    Args:
        path: File name in the cache (``$KERAX_HOME/datasets``).
    """
    local = _remote.fetch("mnist.npz", fname=path)
    with np.load(local, allow_pickle=False) as data:
        return (data["x_train"], data["y_train"]), (data["x_test"], data["y_test"])
