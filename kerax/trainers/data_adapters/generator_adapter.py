"""Python generators and iterators yielding batches."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from kerax.trainers.data_adapters.base import DataAdapter


def _check_structure(batch: Any, index: int) -> Any:
    if isinstance(batch, list):
        batch = tuple(batch)
    if isinstance(batch, tuple) and len(batch) in (1, 2, 3):
        return batch
    if isinstance(batch, tuple):
        raise ValueError(
            f"The generator yielded a tuple of {len(batch)} elements at batch {index}; "
            "expected (x,), (x, y) or (x, y, sample_weight)."
        )
    return (batch,)


class GeneratorDataAdapter(DataAdapter):
    """Batches from a generator; ``steps_per_epoch`` bounds each epoch.

    A generator cannot restart: without ``steps_per_epoch`` the first epoch runs
    until it is exhausted and later epochs find no data (the loop then stops
    with a warning, as Keras does).
    """

    def __init__(self, generator: Any, steps_per_epoch: int | None = None) -> None:
        self._iterator = iter(generator)
        self.num_batches = steps_per_epoch
        self._peeked: list[Any] = []

    def peek(self) -> Any:
        """The first batch, without consuming it."""
        if not self._peeked:
            try:
                self._peeked.append(_check_structure(next(self._iterator), 0))
            except StopIteration as error:
                raise ValueError("The generator yielded no data.") from error
        return self._peeked[0]

    def get_numpy_iterator(self) -> Iterator[Any]:
        source = itertools.chain(self._peeked, self._iterator)
        self._peeked = []
        limit = self.num_batches
        for index, batch in enumerate(source):
            yield _check_structure(batch, index)
            if limit is not None and index + 1 >= limit:
                return
