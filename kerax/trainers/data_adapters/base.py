"""``DataAdapter``: the interface between any input source and the epoch loops.

In-memory arrays take the fast path (kept on the device, batches gathered inside
the compiled step) and need no adapter. Every other source (generators,
``PyDataset``, DataFrames that do not fit, framework loaders) is an adapter that
yields numpy batches; the loop prefetches them to the device on a thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class DataAdapter:
    """Yields batches ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)`` per epoch.

    Subclasses set ``num_batches`` (None when unknown until the source is
    exhausted) and implement ``get_numpy_iterator``.
    """

    num_batches: int | None = None
    batch_size: int | None = None

    def get_numpy_iterator(self) -> Iterator[Any]:
        """A fresh iterator over one epoch's batches."""
        raise NotImplementedError

    def on_epoch_end(self) -> None:
        """Called after each epoch (e.g. ``PyDataset.on_epoch_end``)."""

    def close(self) -> None:
        """Release workers or files held by the adapter."""
