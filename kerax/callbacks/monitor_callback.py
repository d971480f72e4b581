"""``MonitorCallback``: the shared "did the monitored metric improve?" logic."""

from __future__ import annotations

import math
import operator
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from kerax.callbacks.callback import Callback

_MODES = ("auto", "min", "max")


def _all_metrics(metrics: Any) -> list[Any]:
    """Metric objects, with containers (objects holding ``.metrics``) opened."""
    found = []
    for metric in metrics or []:
        inner = getattr(metric, "metrics", None)
        if isinstance(inner, (list, tuple)) and not hasattr(metric, "_direction"):
            found.extend(_all_metrics(inner))
        else:
            found.append(metric)
    return found


class MonitorCallback(Callback):
    """Base of callbacks that watch one logged quantity (``monitor``).

    ``mode="auto"`` minimizes losses and, for other names, follows the
    model's metric of that name (its ``_direction``: ``"up"`` or
    ``"down"``); when the direction cannot be found, the first epoch raises
    and asks for ``mode="min"`` or ``"max"``. A NaN value is never an
    improvement.

    Args:
        monitor: the log key to watch, e.g. ``"val_loss"``.
        mode: ``"auto"``, ``"min"`` or ``"max"``.
        baseline: the initial best value, or None to take the first value.
        min_delta: the smallest change that counts as an improvement.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        mode: str = "auto",
        baseline: float | None = None,
        min_delta: float = 0,
    ) -> None:
        super().__init__()
        if mode not in _MODES:
            raise ValueError(
                f"{type(self).__name__}: `mode` must be one of {_MODES}, "
                f"received mode={mode!r}."
            )
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op: Callable[[Any, Any], Any] | None = None
        self._warned_missing = False

    def _set_monitor_op(self) -> None:
        """Choose ``<`` or ``>`` from ``mode`` (or the metric), sign ``min_delta``."""
        if self.mode == "min":
            self.monitor_op = operator.lt
        elif self.mode == "max":
            self.monitor_op = operator.gt
        else:
            name = self.monitor.removeprefix("val_")
            if name == "loss":
                self.monitor_op = operator.lt
            for metric in _all_metrics(getattr(self.model, "metrics", None)):
                direction = getattr(metric, "_direction", None)
                if getattr(metric, "name", None) == name and direction:
                    self.monitor_op = operator.gt if direction == "up" else operator.lt
            if self.monitor_op is None:
                raise ValueError(
                    f"{type(self).__name__} received monitor={self.monitor!r} and "
                    "cannot tell whether it should be minimized or maximized. "
                    "Pass mode='min' or mode='max'."
                )
        if self.monitor_op is operator.lt:
            self.min_delta = -abs(self.min_delta)

    def _is_improvement(self, value: Any, reference: Any) -> bool:
        """Whether ``value`` beats ``reference`` by more than ``min_delta``."""
        if self.monitor_op is None:
            self._set_monitor_op()
        value = float(np.asarray(value))
        if math.isnan(value):
            return False
        if reference is None:
            return True
        return bool(self.monitor_op(value - self.min_delta, float(reference)))

    def get_monitor_value(self, logs: dict | None) -> Any:
        """The monitored value from ``logs``; warns once, naming the keys, if absent."""
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None and not self._warned_missing:
            self._warned_missing = True
            warnings.warn(
                f"{type(self).__name__} is conditioned on metric "
                f"`{self.monitor}` which is not available. Available metrics "
                f"are: {','.join(logs)}.",
                stacklevel=3,
            )
        return value
