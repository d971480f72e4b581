"""``StreamAdapter``: the epoch logic shared by every iterable source.

A source is read in *passes* (one iteration over a DataLoader, a PyDataset, a
``tf.data.Dataset``; a generator has a single pass). Without
``steps_per_epoch`` each epoch is one full pass. With it, each epoch takes the
next ``steps_per_epoch`` batches of the current pass and a new pass starts when
one runs out, as Keras does; a pass that ends part-way through an epoch ends the
epoch early with a warning.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

from kerax.trainers.data_adapters.base import DataAdapter
from kerax.trainers.data_adapters.batches import BatchChecker

_END = object()


class StreamAdapter(DataAdapter):
    """Base for adapters over iterables; subclasses implement ``_open_pass``.

    Attributes set by subclasses: ``source_name`` (used in messages),
    ``restartable`` (whether a new pass can start after one ends) and
    ``pass_length`` (batches per pass, or None when unknown).
    """

    source_name = "data source"
    restartable = True
    pass_length: int | None = None

    def __init__(self, steps_per_epoch: int | None = None) -> None:
        if steps_per_epoch is not None and int(steps_per_epoch) < 1:
            raise ValueError(
                f"steps_per_epoch must be a positive integer or None, received "
                f"{steps_per_epoch!r}."
            )
        self.steps_per_epoch = None if steps_per_epoch is None else int(steps_per_epoch)
        self._check = BatchChecker(self.source_name)
        self._stream: Iterator[Any] | None = None
        self._peeked: list[tuple] = []
        self._index = 0

    @property
    def num_batches(self) -> int | None:  # type: ignore[override]
        return self.steps_per_epoch or self.pass_length

    def _open_pass(self) -> Iterator[Any]:
        """A new iterator over the source's raw batches."""
        raise NotImplementedError

    def _begin_epoch(self) -> None:
        """Hook run at the start of every epoch."""

    def peek(self) -> tuple:
        """The first batch (checked and converted), without consuming it."""
        if not self._peeked:
            if self._stream is None:
                self._stream = self._start_pass()
            raw = next(self._stream, _END)
            if raw is _END:
                raise ValueError(
                    f"The {self.source_name} is empty: it yielded no batches."
                )
            self._peeked.append(self._check(raw, self._index))
        return self._peeked[0]

    def _start_pass(self) -> Iterator[Any]:
        self._index = 0
        return iter(self._open_pass())

    def _next(self) -> Any:
        if self._peeked:
            self._index += 1
            return self._peeked.pop()
        assert self._stream is not None
        raw = next(self._stream, _END)
        if raw is _END:
            return _END
        batch = self._check(raw, self._index)
        self._index += 1
        return batch

    def get_numpy_iterator(self) -> Iterator[tuple]:
        self._begin_epoch()
        fresh_each_epoch = self.steps_per_epoch is None and not self._peeked
        if self._stream is None or (fresh_each_epoch and self.restartable):
            self._stream = self._start_pass()
        limit = self.steps_per_epoch
        yielded = 0
        restarted = False
        while limit is None or yielded < limit:
            batch = self._next()
            if batch is _END:
                if limit is not None and yielded == 0 and not restarted:
                    if not self.restartable:
                        return
                    self._stream, restarted = self._start_pass(), True
                    continue
                if self.restartable:
                    self._stream = None
                if limit is not None and yielded:
                    warnings.warn(
                        f"The {self.source_name} ran out of data after {yielded} "
                        f"of steps_per_epoch={limit} batches; this epoch ends "
                        "early. Make sure it can produce steps_per_epoch batches "
                        "per epoch.",
                        stacklevel=2,
                    )
                return
            yielded += 1
            yield batch
