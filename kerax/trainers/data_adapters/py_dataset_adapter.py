"""``kerax.utils.PyDataset`` as a source for fit/evaluate/predict."""

from __future__ import annotations

import itertools
import random
import weakref
from collections.abc import Iterator
from typing import Any

from kerax.trainers.data_adapters.batches import BatchChecker
from kerax.trainers.data_adapters.stream import StreamAdapter
from kerax.trainers.data_adapters.workers import ProcessLoader, ThreadLoader
from kerax.utils.py_dataset import PyDataset


def _overrides(dataset: PyDataset, name: str) -> bool:
    return getattr(type(dataset), name) is not getattr(PyDataset, name)


class PyDatasetAdapter(StreamAdapter):
    """Reads a ``PyDataset`` by index, on worker threads or processes if asked.

    ``shuffle=True`` visits the batches of a finite dataset in a random order
    each epoch (Python's ``random``, seeded by ``kerax.utils.set_random_seed``);
    the samples inside a batch are the dataset's business.
    """

    source_name = "PyDataset"

    def __init__(
        self,
        dataset: PyDataset,
        steps_per_epoch: int | None = None,
        shuffle: bool = False,
    ) -> None:
        super().__init__(steps_per_epoch)
        self.dataset = dataset
        self.pass_length = dataset.num_batches
        if self.pass_length is not None and self.pass_length <= 0:
            raise ValueError(
                f"The PyDataset {type(dataset).__name__} is empty: its length is "
                f"{self.pass_length}."
            )
        self.shuffle = bool(shuffle) and self.pass_length is not None
        self._loader: Any = None
        self._first: list[tuple] = []
        self._resync = _overrides(dataset, "on_epoch_end") or _overrides(
            dataset, "on_epoch_begin"
        )

    def _get_loader(self) -> Any:
        workers = self.dataset.workers
        multiprocess = self.dataset.use_multiprocessing
        if self._loader is None and (workers > 1 or (workers > 0 and multiprocess)):
            kind = ProcessLoader if multiprocess else ThreadLoader
            self._loader = kind(self.dataset, workers, self.dataset.max_queue_size)
            self._finalizer = weakref.finalize(self, self._loader.close)
        return self._loader

    def peek(self) -> tuple:
        """The first batch, read directly (workers start with the first epoch)."""
        if not self._first:
            self._first.append(BatchChecker(self.source_name)(self.dataset[0], 0))
        return self._first[0]

    def _begin_epoch(self) -> None:
        self.dataset.on_epoch_begin()

    def _open_pass(self) -> Iterator[Any]:
        if self.pass_length is None:
            indices: Any = itertools.count()
        else:
            indices = list(range(self.pass_length))
            if self.shuffle:
                random.shuffle(indices)
        loader = self._get_loader()
        if loader is None:
            return (self.dataset[i] for i in indices)
        return loader.map(indices)

    def on_epoch_end(self) -> None:
        self.dataset.on_epoch_end()
        if self._loader is not None and self._resync:
            self._loader.sync()

    def close(self) -> None:
        if self._loader is not None:
            self._finalizer()
            self._loader = None
