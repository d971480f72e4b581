"""Python generators and iterators yielding batches."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kerax.trainers.data_adapters.stream import StreamAdapter


class GeneratorDataAdapter(StreamAdapter):
    """Batches from a generator or iterator; ``steps_per_epoch`` bounds each epoch.

    A generator cannot restart: without ``steps_per_epoch`` the first epoch runs
    until it is exhausted and later epochs find no data (the loop then stops
    with a warning, as Keras does).
    """

    source_name = "generator"
    restartable = False

    def __init__(self, generator: Any, steps_per_epoch: int | None = None) -> None:
        super().__init__(steps_per_epoch)
        self._iterator = iter(generator)

    def _open_pass(self) -> Iterator[Any]:
        return self._iterator
