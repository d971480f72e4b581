"""``History``: the per-epoch record that ``fit`` returns."""

from __future__ import annotations

from kerax.callbacks.callback import Callback
from kerax.registry import register


@register("keras.callbacks")
class History(Callback):
    """Records every epoch's logs; ``fit`` returns it and sets ``model.history``.

    Attributes:
        history: ``{metric name: [value per epoch]}``, kept across ``fit`` calls.
        epoch: the epoch indices seen in the latest ``fit``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        self.model.history = self
