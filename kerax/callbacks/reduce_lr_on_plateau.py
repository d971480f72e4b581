"""``ReduceLROnPlateau``: lower the learning rate when a metric stops improving."""

from __future__ import annotations

from typing import Any

import numpy as np

from kerax.callbacks.monitor_callback import MonitorCallback
from kerax.registry import register


def optimizers_of(optimizer: Any) -> list[tuple[str, Any]]:
    """``(log suffix, optimizer)`` pairs: one per inner optimizer, else ``optimizer``."""
    inner = getattr(optimizer, "optimizers", None)
    if inner is not None:
        return [(f"_{opt.name}", opt) for opt in inner]
    return [("", optimizer)]


def learning_rate_of(optimizer: Any) -> float:
    """The optimizer's current learning rate as a Python float."""
    return float(np.asarray(optimizer.learning_rate))


@register("keras.callbacks")
class ReduceLROnPlateau(MonitorCallback):
    """Multiplies the learning rate by ``factor`` after ``patience`` epochs without progress.

    Each epoch's logs gain ``learning_rate`` (``learning_rate_<name>`` per
    inner optimizer of a multi-optimizer).

    Args:
        monitor: the log key to watch. Defaults to ``"val_loss"``.
        factor: the multiplier, below 1: ``new_lr = lr * factor``.
        patience: epochs without improvement before reducing.
        verbose: 1 prints a line at each reduction.
        mode: ``"auto"``, ``"min"`` or ``"max"``.
        min_delta: the smallest change that counts as an improvement.
        cooldown: epochs to wait after a reduction before counting again.
        min_lr: the learning rate never goes below this.

    Example:
        >>> reduce_lr = ReduceLROnPlateau(factor=0.2, patience=5, min_lr=1e-3)
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        if kwargs:
            raise TypeError(
                f"ReduceLROnPlateau got unexpected arguments: {sorted(kwargs)}."
            )
        if factor >= 1.0:
            raise ValueError(
                "ReduceLROnPlateau does not support a factor >= 1.0. "
                f"Received factor={factor}"
            )
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def _reset(self) -> None:
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def in_cooldown(self) -> bool:
        """Whether the callback is still waiting after its last reduction."""
        return self.cooldown_counter > 0

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._reset()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = logs if logs is not None else {}
        for suffix, optimizer in optimizers_of(self.model.optimizer):
            logs[f"learning_rate{suffix}"] = learning_rate_of(optimizer)
        current = self.get_monitor_value(logs)
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience and self._reduce(epoch):
                self.cooldown_counter = self.cooldown
                self.wait = 0

    def _reduce(self, epoch: int) -> bool:
        """Reduce every optimizer above ``min_lr``; whether any was reduced."""
        reduced = False
        for suffix, optimizer in optimizers_of(self.model.optimizer):
            old_lr = learning_rate_of(optimizer)
            if old_lr <= np.float32(self.min_lr):
                continue
            new_lr = max(old_lr * self.factor, self.min_lr)
            optimizer.learning_rate = new_lr
            reduced = True
            if self.verbose > 0:
                name = f" {suffix[1:]}" if suffix else ""
                print(
                    f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing{name} "
                    f"learning rate to {new_lr}.",
                    flush=True,
                )
        return reduced
