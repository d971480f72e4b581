"""``SwapEMAWeights``: evaluate and predict with the optimizer's moving-average weights."""

from __future__ import annotations

from typing import Any

import numpy as np

from kerax.callbacks.callback import Callback
from kerax.registry import register


def _ema_optimizers(model: Any) -> list[Any]:
    """The optimizers of ``model`` that keep moving averages, or ValueError."""
    optimizer = getattr(model.optimizer, "inner_optimizer", model.optimizer)
    inner = getattr(optimizer, "optimizers", None)
    candidates = inner if inner is not None else [optimizer]
    with_ema = [opt for opt in candidates if getattr(opt, "use_ema", False)]
    if not with_ema or any(
        not hasattr(opt, "_model_variables_moving_average") for opt in with_ema
    ):
        raise ValueError(
            "SwapEMAWeights must be used when `use_ema=True` is set on the "
            f"optimizer (and the optimizer is built). Received: {optimizer!r} with "
            f"use_ema={getattr(optimizer, 'use_ema', None)}."
        )
    return with_ema


@register("keras.callbacks")
class SwapEMAWeights(Callback):
    """Swaps the model's weights with their exponential moving averages.

    Use with an optimizer built with ``use_ema=True``: during
    ``evaluate``/``predict`` (and the validation inside ``fit``) the model
    runs with the averaged weights, and its training weights come back
    afterwards. With ``swap_on_epoch=True`` the averaged weights are also in
    the model at each epoch's end (for callbacks such as ``ModelCheckpoint``),
    and after the last epoch the averages are made final.

    Args:
        swap_on_epoch: also swap at epoch boundaries.
    """

    def __init__(self, swap_on_epoch: bool = False) -> None:
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _swap(self) -> None:
        for optimizer in _ema_optimizers(self.model):
            pairs = zip(
                optimizer._trainable_variables,
                optimizer._model_variables_moving_average,
            )
            for variable, average in pairs:
                current = np.asarray(variable)
                variable.assign(average.value)
                average.assign(current)
        self._ema_weights_in_model = not self._ema_weights_in_model

    def _make_averages_final(self) -> None:
        for optimizer in _ema_optimizers(self.model):
            pairs = zip(
                optimizer._trainable_variables,
                optimizer._model_variables_moving_average,
            )
            for variable, average in pairs:
                average.assign(variable.value)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        if self.swap_on_epoch and self._ema_weights_in_model:
            self._swap()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._swap()
            # The averages now hold the training weights; after the last epoch
            # the optimizer copies averages into the model, so make them EMA.
            if epoch == self.params["epochs"] - 1:
                self._make_averages_final()

    def on_test_begin(self, logs: dict | None = None) -> None:
        if not self._ema_weights_in_model:
            self._swap()

    def on_test_end(self, logs: dict | None = None) -> None:
        if self._ema_weights_in_model:
            self._swap()

    def on_predict_begin(self, logs: dict | None = None) -> None:
        if not self._ema_weights_in_model:
            self._swap()

    def on_predict_end(self, logs: dict | None = None) -> None:
        if self._ema_weights_in_model:
            self._swap()
