"""Reading CIFAR's pickled batches (shared by cifar10 and cifar100)."""

from __future__ import annotations

import numpy as np

from kerax import config
from kerax.datasets._safe_pickle import load_pickle


def load_batch(path: str, label_key: str = "labels") -> tuple[np.ndarray, list]:
    """``(images (n, 3, 32, 32) uint8, labels)`` from one CIFAR batch file."""
    with open(path, "rb") as file:
        content = load_pickle(file)
    content = {
        (k.decode("utf8") if isinstance(k, bytes) else k): v for k, v in content.items()
    }
    data = np.asarray(content["data"])
    return data.reshape(data.shape[0], 3, 32, 32), list(content[label_key])


def to_image_format(images: np.ndarray) -> np.ndarray:
    """Channels-last images unless ``image_data_format()`` is channels_first."""
    if config.image_data_format() == "channels_last":
        return images.transpose(0, 2, 3, 1)
    return images
