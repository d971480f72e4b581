"""``EarlyStopping``: stop training when the monitored metric stops improving."""

from __future__ import annotations

from kerax.callbacks.monitor_callback import MonitorCallback
from kerax.registry import register


@register("keras.callbacks")
class EarlyStopping(MonitorCallback):
    """Sets ``model.stop_training`` once ``monitor`` has not improved for ``patience`` epochs.

    Args:
        monitor: the log key to watch. Defaults to ``"val_loss"``.
        min_delta: the smallest change that counts as an improvement.
        patience: epochs without improvement before stopping.
        verbose: 1 prints a line when stopping or restoring.
        mode: ``"auto"``, ``"min"`` or ``"max"``.
        baseline: a value the metric must beat; epochs that improve on the
            best value but not on ``baseline`` still count toward patience.
        restore_best_weights: at the end of training, put back the weights
            of the best epoch seen.
        start_from_epoch: epochs to skip before monitoring starts (warm-up).

    Example:
        >>> stop = EarlyStopping(monitor="loss", patience=3)
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.wait = 0
        self.stopped_epoch = 0
        self.best_weights = None
        self.best_epoch = 0

    def on_train_begin(self, logs: dict | None = None) -> None:
        # Reset, so that one instance can serve several `fit` calls.
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.monitor_op is None:
            self._set_monitor_op()  # here, once the model's metrics exist
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping", flush=True)
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(
                    "Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}.",
                    flush=True,
                )
            self.model.set_weights(self.best_weights)
