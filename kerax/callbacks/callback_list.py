"""``CallbackList``: calls every hook on a list of callbacks, as a trainer needs."""

from __future__ import annotations

from typing import Any

import numpy as np

from kerax.callbacks.callback import Callback
from kerax.callbacks.history import History
from kerax.callbacks.progbar_logger import ProgbarLogger
from kerax.registry import register


def flatten_logs(logs: dict | None) -> dict[str, Any]:
    """A new dict with sorted keys, nested dicts merged in; values untouched."""
    result: dict[str, Any] = {}
    for key, value in sorted((logs or {}).items()):
        if isinstance(value, dict):
            result.update(flatten_logs(value))
        else:
            result[key] = value
    return result


def python_logs(logs: dict | None) -> dict[str, Any]:
    """``flatten_logs`` with every scalar (array or number) turned into a float."""
    result = flatten_logs(logs)
    for key, value in result.items():
        if isinstance(value, (str, bytes)):
            continue
        try:
            result[key] = float(np.asarray(value))
        except (TypeError, ValueError):
            pass  # a non-scalar entry (e.g. predict outputs) stays as it is
    return result


def _flatten_callbacks(callbacks: Any) -> list[Any]:
    if callbacks is None:
        return []
    if isinstance(callbacks, (list, tuple)):
        return [cb for item in callbacks for cb in _flatten_callbacks(item)]
    return [callbacks]


@register("keras.callbacks")
class CallbackList(Callback):
    """A list of callbacks driven through one set of hooks.

    Epoch-level and begin/end hooks get one shared dict of Python floats per
    call (sorted keys), so a callback that adds an entry (``learning_rate``)
    is seen by those after it. Batch hooks pass values through unconverted:
    they may be device scalars still being computed.

    Args:
        callbacks: a list of ``Callback`` instances.
        add_history: append a ``History`` if the list has none.
        add_progbar: append a ``ProgbarLogger`` if the list has none.
        model: the model to give every callback.
        **params: parameters for every callback (``verbose``, ``epochs``,
            ``steps``).
    """

    def __init__(
        self,
        callbacks: list[Callback] | None = None,
        add_history: bool = False,
        add_progbar: bool = False,
        model: Any = None,
        **params: Any,
    ) -> None:
        super().__init__()
        self.callbacks = _flatten_callbacks(callbacks)
        self._history = next(
            (cb for cb in self.callbacks if isinstance(cb, History)), None
        )
        self._progbar = next(
            (cb for cb in self.callbacks if isinstance(cb, ProgbarLogger)), None
        )
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)
        self.set_model(model)
        self.set_params(params)

    def set_params(self, params: dict[str, Any]) -> None:
        """Give ``params`` to this list and, when not empty, to every callback."""
        self.params = params
        if params:
            for callback in self.callbacks:
                callback.set_params(params)

    def set_model(self, model: Any) -> None:
        """Give ``model`` to every callback; the list's History becomes ``model.history``."""
        if model is None:
            return
        super().set_model(model)
        if self._history is not None:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    def _needs_batch_hooks(self, mode: str) -> bool:
        """True when any callback in the list needs per-batch hooks in ``mode``."""
        return any(
            getattr(cb, "_needs_batch_hooks", lambda _mode: True)(mode)
            for cb in self.callbacks
        )

    def _call(self, hook: str, *args: Any) -> None:
        for callback in self.callbacks:
            getattr(callback, hook)(*args)

    # -- batch hooks: values stay as they are -----------------------------
    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self._call("on_batch_begin", batch, flatten_logs(logs))

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._call("on_batch_end", batch, flatten_logs(logs))

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self._call("on_train_batch_begin", batch, flatten_logs(logs))

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._call("on_train_batch_end", batch, flatten_logs(logs))

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self._call("on_test_batch_begin", batch, flatten_logs(logs))

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._call("on_test_batch_end", batch, flatten_logs(logs))

    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self._call("on_predict_batch_begin", batch, flatten_logs(logs))

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._call("on_predict_batch_end", batch, flatten_logs(logs))

    # -- epoch and run hooks: Python floats -------------------------------
    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._call("on_epoch_begin", epoch, python_logs(logs))

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._call("on_epoch_end", epoch, python_logs(logs))

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._call("on_train_begin", python_logs(logs))

    def on_train_end(self, logs: dict | None = None) -> None:
        self._call("on_train_end", python_logs(logs))

    def on_test_begin(self, logs: dict | None = None) -> None:
        self._call("on_test_begin", python_logs(logs))

    def on_test_end(self, logs: dict | None = None) -> None:
        self._call("on_test_end", python_logs(logs))

    def on_predict_begin(self, logs: dict | None = None) -> None:
        self._call("on_predict_begin", python_logs(logs))

    def on_predict_end(self, logs: dict | None = None) -> None:
        self._call("on_predict_end", python_logs(logs))
