"""A PyDataset look-alike that imports only numpy, so that spawned worker
processes start fast in the tests (a real PyDataset subclass imports kerax)."""

from __future__ import annotations

import numpy as np


class PlainBatches:
    """Batch i of (x, y) in order; y is shifted by the number of finished epochs;
    index ``fail_at`` raises a KeyError."""

    def __init__(self, x, y, batch_size, workers=2, use_multiprocessing=True):
        self.x, self.y, self.batch_size = x, y, batch_size
        self.workers, self.use_multiprocessing = workers, use_multiprocessing
        self.max_queue_size = 4
        self.epoch, self.fail_at = 0, None

    @property
    def num_batches(self) -> int:
        return -(-len(self.x) // self.batch_size)

    def __getitem__(self, index):
        if index == self.fail_at:
            raise KeyError(f"no batch {index}")
        part = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.x[part], self.y[part] + np.float32(self.epoch)

    def on_epoch_begin(self) -> None:
        pass

    def on_epoch_end(self) -> None:
        self.epoch += 1
