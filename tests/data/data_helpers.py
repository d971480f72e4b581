"""Shared pieces of the data tests: a picklable PyDataset and a tiny model."""

from __future__ import annotations

import numpy as np

import kerax
from kerax.utils.py_dataset import PyDataset


def arrays(n: int = 10, features: int = 3, outputs: int = 2):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, features)).astype("float32")
    y = rng.normal(size=(n, outputs)).astype("float32")
    return x, y


def dense_model(features: int = 3, outputs: int = 2):
    """A seeded one-layer regression model with plain SGD (state = weights)."""
    model = kerax.Sequential(
        [
            kerax.Input((features,)),
            kerax.layers.Dense(
                outputs, kernel_initializer=kerax.initializers.GlorotUniform(seed=1)
            ),
        ]
    )
    model.compile(kerax.optimizers.SGD(learning_rate=0.1), "mse")
    return model


class ArrayBatches(PyDataset):
    """Batches of in-memory arrays in order; ``epoch`` is added to y after each epoch
    when ``count_epochs``; ``fail_at`` makes ``__getitem__`` raise for that index."""

    def __init__(self, x, y, batch_size, count_epochs=False, fail_at=None, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.batch_size = x, y, batch_size
        self.count_epochs, self.fail_at, self.epoch = count_epochs, fail_at, 0

    def __len__(self) -> int:
        return -(-len(self.x) // self.batch_size)

    def __getitem__(self, index):
        if index == self.fail_at:
            raise KeyError(f"no batch {index}")
        part = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.x[part], self.y[part] + np.float32(self.epoch)

    def on_epoch_end(self) -> None:
        if self.count_epochs:
            self.epoch += 1
