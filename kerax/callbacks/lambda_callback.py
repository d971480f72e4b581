"""``LambdaCallback``: a callback made of plain functions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kerax.callbacks.callback import Callback
from kerax.registry import register


@register("keras.callbacks")
class LambdaCallback(Callback):
    """Runs the given functions at the matching hooks.

    ``on_epoch_begin``/``on_epoch_end`` take ``(epoch, logs)``, the batch
    hooks ``(batch, logs)``, the train hooks ``(logs)``. Other hooks (e.g.
    ``on_test_end``, ``on_predict_batch_end``) can be passed as keyword
    arguments too.

    Example:
        >>> print_epoch = LambdaCallback(
        ...     on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))
    """

    def __init__(
        self,
        on_epoch_begin: Callable | None = None,
        on_epoch_end: Callable | None = None,
        on_train_begin: Callable | None = None,
        on_train_end: Callable | None = None,
        on_train_batch_begin: Callable | None = None,
        on_train_batch_end: Callable | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        hooks = {
            "on_epoch_begin": on_epoch_begin,
            "on_epoch_end": on_epoch_end,
            "on_train_begin": on_train_begin,
            "on_train_end": on_train_end,
            "on_train_batch_begin": on_train_batch_begin,
            "on_train_batch_end": on_train_batch_end,
        }
        self.__dict__.update(kwargs)
        self.__dict__.update({k: fn for k, fn in hooks.items() if fn is not None})
