"""Move host batches to the device on a background thread, ahead of the step."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any

import jax
import numpy as np

_DONE = object()


def _to_device(batch: Any) -> Any:
    def put(value: Any) -> Any:
        if hasattr(value, "__kerax_value__"):
            value = value.__kerax_value__()
        if isinstance(value, jax.Array):
            return value
        array = np.asarray(value)
        if array.dtype == np.float64:
            array = array.astype(np.float32)
        elif array.dtype == np.int64:
            array = array.astype(np.int32)
        return jax.device_put(array)

    return jax.tree_util.tree_map(put, batch)


def prefetch_to_device(iterator: Iterator[Any], size: int = 2) -> Iterator[Any]:
    """Yield ``iterator``'s batches as device arrays, ``size`` batches ahead.

    Errors raised by the source are re-raised in the consumer, in order.
    """
    buffer: queue.Queue = queue.Queue(maxsize=size)
    stop = threading.Event()

    def produce() -> None:
        try:
            for batch in iterator:
                if stop.is_set():
                    return
                buffer.put(_to_device(batch))
            buffer.put(_DONE)
        except BaseException as error:  # handed to the consumer
            buffer.put(error)

    thread = threading.Thread(target=produce, name="kerax-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item = buffer.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            try:
                buffer.get_nowait()
            except queue.Empty:
                thread.join(timeout=0.01)
