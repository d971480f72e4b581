"""CIFAR-100: 60,000 32×32 colour images in 100 fine / 20 coarse classes."""

from __future__ import annotations

import os

import numpy as np

from kerax.datasets import _remote
from kerax.datasets._cifar import load_batch, to_image_format

Split = tuple[np.ndarray, np.ndarray]


def load_data(label_mode: str = "fine") -> tuple[Split, Split]:
    """``(x_train, y_train), (x_test, y_test)``, downloaded once and cached.

    Images are uint8 arrays of shape (50000, 32, 32, 3) and (10000, 32, 32, 3)
    (channels first if ``image_data_format()`` says so); labels are integer
    arrays of shape (n, 1).

    Args:
        label_mode: ``"fine"`` (100 classes) or ``"coarse"`` (20 superclasses).
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(
            f'label_mode must be "fine" or "coarse", received {label_mode!r}.'
        )
    folder = _remote.fetch(
        "cifar-100-python.tar.gz", extract_to="cifar-100-python-target"
    )
    folder = os.path.join(folder, "cifar-100-python")
    key = f"{label_mode}_labels"
    x_train, y_train = load_batch(os.path.join(folder, "train"), label_key=key)
    x_test, y_test = load_batch(os.path.join(folder, "test"), label_key=key)
    return (to_image_format(x_train), np.reshape(y_train, (-1, 1))), (
        to_image_format(x_test),
        np.reshape(y_test, (-1, 1)),
    )
