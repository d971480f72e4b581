"""Fashion-MNIST: 70,000 28×28 grayscale images of 10 kinds of clothing (Zalando)."""

from __future__ import annotations

import gzip
import os

import numpy as np

from kerax.datasets import _remote
from kerax.utils.file_utils import get_file

Split = tuple[np.ndarray, np.ndarray]


def _read_idx(path: str, header: int) -> np.ndarray:
    with gzip.open(path, "rb") as file:
        return np.frombuffer(file.read(), np.uint8, offset=header)


def load_data() -> tuple[Split, Split]:
    """``(x_train, y_train), (x_test, y_test)``, downloaded once and cached.

    Images are uint8 arrays of shape (60000, 28, 28) and (10000, 28, 28);
    labels are uint8 classes 0..9 (T-shirt/top, Trouser, Pullover, Dress, Coat,
    Sandal, Shirt, Sneaker, Bag, Ankle boot).
    """
    folder = os.path.join("datasets", "fashion-mnist")
    paths = [
        get_file(name, origin=_remote.FASHION_ORIGIN + name, cache_subdir=folder)
        for name in _remote.FASHION_MNIST
    ]
    y_train, y_test = _read_idx(paths[0], 8), _read_idx(paths[2], 8)
    x_train = _read_idx(paths[1], 16).reshape(len(y_train), 28, 28)
    x_test = _read_idx(paths[3], 16).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)
