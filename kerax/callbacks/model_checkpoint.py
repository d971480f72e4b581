"""``ModelCheckpoint``: save the model or its weights during training."""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np

from kerax.callbacks.monitor_callback import MonitorCallback
from kerax.registry import register


def batches_since(last_batch: int | None, batch: int) -> int:
    """Batches run since ``last_batch``; a smaller index means a new epoch began."""
    if last_batch is None or batch <= last_batch:
        return batch + 1  # batch indices are 0-based
    return batch - last_batch


def check_save_freq(save_freq: Any) -> None:
    """``save_freq`` must be ``"epoch"`` or a positive number of batches."""
    if save_freq == "epoch":
        return
    if not isinstance(save_freq, int) or isinstance(save_freq, bool) or save_freq < 1:
        raise ValueError(
            f"Unrecognized save_freq: {save_freq!r}. Expected 'epoch' or a "
            "positive integer (a number of batches)."
        )


@register("keras.callbacks")
class ModelCheckpoint(MonitorCallback):
    """Saves the model (``.keras``/``.h5``) or its weights (``.weights.h5``).

    ``filepath`` may name log entries as format fields, filled at save time:
    ``"ckpt-{epoch:02d}-{val_loss:.2f}.keras"`` (``epoch`` is 1-based;
    ``batch``, 1-based too, when saving every ``save_freq`` batches).

    Args:
        filepath: where to save; must end in ``.weights.h5`` when
            ``save_weights_only`` and in ``.keras`` (or legacy ``.h5``) otherwise.
        monitor: the log key compared when ``save_best_only``.
        verbose: 1 prints a line at each save decision.
        save_best_only: save only when ``monitor`` improved on the best so
            far (a NaN never counts as an improvement).
        save_weights_only: call ``model.save_weights`` instead of ``model.save``.
        mode: ``"auto"``, ``"min"`` or ``"max"``.
        save_freq: ``"epoch"``, or a number of batches between saves.
        initial_value_threshold: a value the first best must beat.

    Example:
        >>> ckpt = ModelCheckpoint("best.keras", save_best_only=True)
    """

    def __init__(
        self,
        filepath: str | os.PathLike,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: str | int = "epoch",
        initial_value_threshold: float | None = None,
    ) -> None:
        super().__init__(monitor, mode, initial_value_threshold)
        self.verbose = verbose
        self.filepath = os.fspath(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen: int | None = None
        self._current_epoch = 0
        check_save_freq(save_freq)
        if save_weights_only and not self.filepath.endswith(".weights.h5"):
            raise ValueError(
                "When using `save_weights_only=True` in `ModelCheckpoint`, the "
                "filepath provided must end in `.weights.h5` (Keras weights "
                f"format). Received: filepath={self.filepath}"
            )
        if not save_weights_only and not self.filepath.endswith((".keras", ".h5")):
            raise ValueError(
                "The filepath provided must end in `.keras` (Keras model format). "
                f"Received: filepath={self.filepath}"
            )

    def _needs_batch_hooks(self, mode: str) -> bool:
        return mode == "train" and self.save_freq != "epoch"

    def on_train_begin(self, logs: dict | None = None) -> None:
        method = "save_weights" if self.save_weights_only else "save"
        if not callable(getattr(self.model, method, None)):
            raise TypeError(
                f"ModelCheckpoint saves with `model.{method}(filepath)`, which "
                f"{type(self.model).__name__} does not have."
            )

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._current_epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.save_freq == "epoch":
            return
        self._batches_seen_since_last_saving += batches_since(
            self._last_batch_seen, batch
        )
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            self._save_model(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.monitor_op is None:
            self._set_monitor_op()
        if self.save_freq == "epoch":
            self._save_model(epoch, None, logs)

    def _get_file_path(self, epoch: int, batch: int | None, logs: dict) -> str:
        fields = {**logs, "epoch": epoch + 1}
        if batch is not None and "batch" not in logs:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except KeyError as error:
            raise KeyError(
                f'Failed to format this callback filepath: "{self.filepath}". '
                f"Reason: {error}. Available keys: {sorted(fields)}."
            ) from error

    def _should_save(self, epoch: int, logs: dict, filepath: str) -> bool:
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {filepath}", flush=True)
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                f"Can save best model only with {self.monitor} available. "
                f"Available keys: {sorted(logs)}.",
                stacklevel=3,
            )
            return True
        if np.ndim(current) > 0:
            warnings.warn(
                "Can save best model only when `monitor` is a scalar value. "
                f"Received: {current}. Falling back to `save_best_only=False`.",
                stacklevel=3,
            )
            return True
        current = float(np.asarray(current))
        best = "None" if self.best is None else f"{self.best:.5f}"
        if self._is_improvement(current, self.best):
            if self.verbose > 0:
                print(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                    f"{current:.5f}, saving model to {filepath}",
                    flush=True,
                )
            self.best = current
            return True
        if self.verbose > 0:
            print(
                f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}",
                flush=True,
            )
        return False

    def _save_model(self, epoch: int, batch: int | None, logs: dict | None) -> None:
        logs = logs or {}
        filepath = self._get_file_path(epoch, batch, logs)
        if os.path.isdir(filepath):
            raise OSError(
                "Please specify a non-directory filepath for ModelCheckpoint. "
                f"Filepath used is an existing directory: {filepath}"
            )
        if not self._should_save(epoch, logs, filepath):
            return
        dirname = os.path.dirname(filepath)
        if dirname:
            os.makedirs(dirname, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)
        if self.verbose > 0:
            print(
                f"\nEpoch {epoch + 1}: finished saving model to {filepath}", flush=True
            )
