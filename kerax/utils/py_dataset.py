"""``PyDataset``: a Python dataset of batches, indexed like a list."""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterator
from typing import Any

_DEFAULTS = {"_workers": 1, "_use_multiprocessing": False, "_max_queue_size": 10}


class PyDataset:
    """Base class for datasets of batches that ``fit`` can read in parallel.

    Subclasses implement ``__getitem__(index)`` returning one batch ``(x,)``,
    ``(x, y)`` or ``(x, y, sample_weight)`` and ``__len__`` (or the
    ``num_batches`` property, None for an infinite dataset), and may override
    ``on_epoch_begin``/``on_epoch_end`` (e.g. to reshuffle their samples).

    Args:
        workers: Number of threads or processes that load batches ahead of
            the training step (0 or 1 loads them in the main thread).
        use_multiprocessing: Load batches in worker processes instead of
            threads. The dataset must then be picklable, its class defined at
            the top level of an importable module (processes are spawned).
        max_queue_size: Batches loaded ahead at most.

    Example:

    >>> import numpy as np
    >>> class Squares(PyDataset):
    ...     def __init__(self, n, batch_size, **kwargs):
    ...         super().__init__(**kwargs)
    ...         self.x = np.arange(n, dtype="float32")[:, None]
    ...         self.batch_size = batch_size
    ...     def __len__(self):
    ...         return -(-len(self.x) // self.batch_size)
    ...     def __getitem__(self, index):
    ...         part = self.x[index * self.batch_size : (index + 1) * self.batch_size]
    ...         return part, part**2
    >>> data = Squares(10, 4)
    >>> len(data), data[2][1].ravel().tolist()
    (3, [64.0, 81.0])
    """

    def __init__(
        self,
        workers: int = 1,
        use_multiprocessing: bool = False,
        max_queue_size: int = 10,
    ) -> None:
        if not isinstance(workers, int) or workers < 0:
            raise ValueError(
                f"PyDataset: workers must be a non-negative int, received {workers!r}."
            )
        if not isinstance(max_queue_size, int) or max_queue_size < 1:
            raise ValueError(
                "PyDataset: max_queue_size must be a positive int, received "
                f"{max_queue_size!r}."
            )
        self._workers = workers
        self._use_multiprocessing = bool(use_multiprocessing)
        self._max_queue_size = max_queue_size

    def _setting(self, name: str) -> Any:
        if name not in self.__dict__:
            warnings.warn(
                f"{type(self).__name__} should call `super().__init__(**kwargs)` in "
                "its constructor; `**kwargs` can include `workers`, "
                "`use_multiprocessing` and `max_queue_size`. Using the defaults.",
                stacklevel=3,
            )
            for key, value in _DEFAULTS.items():
                self.__dict__.setdefault(key, value)
        return self.__dict__[name]

    @property
    def workers(self) -> int:
        """Threads or processes loading batches."""
        return self._setting("_workers")

    @workers.setter
    def workers(self, value: int) -> None:
        self._workers = value

    @property
    def use_multiprocessing(self) -> bool:
        """Whether workers are processes (True) or threads (False)."""
        return self._setting("_use_multiprocessing")

    @use_multiprocessing.setter
    def use_multiprocessing(self, value: bool) -> None:
        self._use_multiprocessing = value

    @property
    def max_queue_size(self) -> int:
        """Batches loaded ahead at most."""
        return self._setting("_max_queue_size")

    @max_queue_size.setter
    def max_queue_size(self, value: int) -> None:
        self._max_queue_size = value

    def __getitem__(self, index: int) -> Any:
        """The batch at position ``index``."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement __getitem__(index)."
        )

    @property
    def num_batches(self) -> int | None:
        """Batches per epoch (``len(self)``), None for an infinite dataset."""
        if hasattr(type(self), "__len__"):
            return len(self)  # type: ignore[arg-type]
        raise NotImplementedError(
            f"{type(self).__name__} must implement __len__ or the num_batches "
            "property (None for an infinite dataset)."
        )

    def __iter__(self) -> Iterator[Any]:
        count = self.num_batches
        indices = itertools.count() if count is None else range(count)
        for index in indices:
            yield self[index]

    def on_epoch_begin(self) -> None:
        """Called at the start of every epoch."""

    def on_epoch_end(self) -> None:
        """Called at the end of every epoch."""
