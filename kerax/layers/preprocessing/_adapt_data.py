"""Iterating the data given to ``adapt``: arrays, iterables of batches,
``PyDataset``-like objects (``__len__`` and ``__getitem__``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jax
import numpy as np


def first_of_pair(batch: Any) -> Any:
    """The inputs of an ``(x, y)`` or ``(x, y, sample_weight)`` tuple batch."""
    return batch[0] if isinstance(batch, tuple) else batch


def is_array(data: Any) -> bool:
    """True for numpy and JAX arrays."""
    return isinstance(data, (np.ndarray, jax.Array))


def iterate_batches(data: Any, steps: int | None, layer: str) -> Iterator[Any]:
    """Yield the batches of ``data`` (at most ``steps`` of them)."""
    if hasattr(data, "__getitem__") and hasattr(data, "__len__"):
        source: Any = (data[i] for i in range(len(data)))
    elif hasattr(data, "__iter__"):
        source = iter(data)
    else:
        raise TypeError(
            f"{layer}.adapt() expects an array, an iterable of batches or a "
            f"PyDataset. Received: {type(data).__name__}."
        )
    for index, batch in enumerate(source):
        if steps is not None and index >= steps:
            return
        yield first_of_pair(batch)
