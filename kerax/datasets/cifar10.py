"""CIFAR-10: 60,000 32×32 colour images in 10 classes (Krizhevsky, 2009)."""

from __future__ import annotations

import os

import numpy as np

from kerax.datasets import _remote
from kerax.datasets._cifar import load_batch, to_image_format

Split = tuple[np.ndarray, np.ndarray]


def load_data() -> tuple[Split, Split]:
    """``(x_train, y_train), (x_test, y_test)``, downloaded once and cached.

    Images are uint8 arrays of shape (50000, 32, 32, 3) and (10000, 32, 32, 3)
    (channels first if ``image_data_format()`` says so); labels are uint8 arrays
    of shape (n, 1) with classes 0..9 (airplane, automobile, bird, cat, deer,
    dog, frog, horse, ship, truck).
    """
    folder = _remote.fetch(
        "cifar-10-python.tar.gz", extract_to="cifar-10-batches-py-target"
    )
    folder = os.path.join(folder, "cifar-10-batches-py")
    parts = [load_batch(os.path.join(folder, f"data_batch_{i}")) for i in range(1, 6)]
    x_train = np.concatenate([images for images, _ in parts]).astype("uint8")
    y_train = np.concatenate([labels for _, labels in parts]).astype("uint8")
    x_test, y_test = load_batch(os.path.join(folder, "test_batch"))
    x_test = np.asarray(x_test, "uint8")
    y_test = np.asarray(y_test, "uint8")
    return (to_image_format(x_train), y_train.reshape(-1, 1)), (
        to_image_format(x_test),
        y_test.reshape(-1, 1),
    )
