"""``History``: the per-epoch record that ``fit`` returns."""

from __future__ import annotations

from typing import Any

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

    def plot(
        self,
        to_file: str = "history.png",
        metrics: list[str] | None = None,
        dpi: int = 100,
    ) -> Any:
        """Draw loss and metric curves to an image (see ``kerax.utils.plot_history``)."""
        from kerax.utils.plotting import plot_history

        return plot_history(self, to_file=to_file, metrics=metrics, dpi=dpi)
