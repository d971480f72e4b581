"""``LearningRateScheduler``: set the learning rate from ``schedule(epoch, lr)``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from kerax.callbacks.callback import Callback
from kerax.callbacks.reduce_lr_on_plateau import learning_rate_of, optimizers_of
from kerax.registry import register


def _as_learning_rate(value: Any) -> float:
    """``value`` as a float if it is a real floating scalar, else ValueError."""
    if isinstance(value, (float, np.floating)):
        return float(value)
    array = np.asarray(value) if hasattr(value, "dtype") else None
    if array is not None and array.shape == () and array.dtype.kind == "f":
        return float(array)
    raise ValueError(
        f"The output of the `schedule` function should be a float. Got: {value!r}"
    )


@register("keras.callbacks")
class LearningRateScheduler(Callback):
    """At the start of each epoch, sets the learning rate to ``schedule(epoch, lr)``.

    ``schedule`` takes the epoch index (0-based) and the current learning
    rate and returns the new one as a float; a one-argument
    ``schedule(epoch)`` is accepted too. Each epoch's logs gain
    ``learning_rate``.

    Args:
        schedule: ``(epoch, lr) -> float``.
        verbose: 1 prints the rate set at each epoch.

    Example:
        >>> def halve_after_ten(epoch, lr):
        ...     return lr if epoch < 10 else lr * 0.5
        >>> scheduler = LearningRateScheduler(halve_after_ten)
    """

    def __init__(self, schedule: Callable[..., float], verbose: int = 0) -> None:
        super().__init__()
        if not callable(schedule):
            raise TypeError(
                "LearningRateScheduler: `schedule` must be a callable "
                f"(epoch, lr) -> float, received {schedule!r}."
            )
        self.schedule = schedule
        self.verbose = verbose

    def _new_rate(self, optimizer: Any, epoch: int) -> float:
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        try:
            value = self.schedule(epoch, learning_rate_of(optimizer))
        except TypeError:  # a one-argument schedule(epoch)
            value = self.schedule(epoch)
        return _as_learning_rate(value)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        for suffix, optimizer in optimizers_of(self.model.optimizer):
            rate = self._new_rate(optimizer, epoch)
            optimizer.learning_rate = rate
            if self.verbose > 0:
                name = f"{suffix[1:]} " if suffix else ""
                print(
                    f"\nEpoch {epoch + 1}: LearningRateScheduler setting "
                    f"{name}learning rate to {rate}.",
                    flush=True,
                )

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is None:
            return
        for suffix, optimizer in optimizers_of(self.model.optimizer):
            logs[f"learning_rate{suffix}"] = learning_rate_of(optimizer)
