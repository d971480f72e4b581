"""Ctrl-C during ``fit``: finish the current step, then stop cleanly.

A compiled step donates the model's buffers; an interrupt landing between the
call and the write-back would lose the weights. While ``fit`` runs, SIGINT only
sets a flag; the loop stops at the next step boundary, runs ``on_train_end``
and then raises ``KeyboardInterrupt`` with the model intact and usable.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class InterruptFlag:
    """Set when SIGINT arrived while training."""

    def __init__(self) -> None:
        self.raised = False


@contextmanager
def deferred_interrupts(model: Any) -> Iterator[InterruptFlag]:
    """Turn SIGINT into ``model.stop_training = True`` for the duration."""
    flag = InterruptFlag()
    if threading.current_thread() is not threading.main_thread():
        yield flag  # signals are only delivered to the main thread
        return

    def handler(signum: int, frame: Any) -> None:
        if flag.raised:  # a second Ctrl-C: the user insists
            raise KeyboardInterrupt
        flag.raised = True
        model.stop_training = True

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)
