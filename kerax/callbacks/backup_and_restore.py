"""``BackupAndRestore``: resume an interrupted ``fit`` from its last backup."""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from typing import Any

import numpy as np

from kerax.callbacks.callback import Callback
from kerax.callbacks.model_checkpoint import batches_since, check_save_freq
from kerax.registry import register


def _write_atomically(path: str, arrays: dict[str, np.ndarray]) -> None:
    """Write an ``.npz`` to a temporary file beside ``path``, then rename it over."""
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **arrays)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def _read(path: str) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def _numbered(arrays: dict[str, np.ndarray], prefix: str) -> list[np.ndarray]:
    count = int(arrays[f"{prefix}_count"])
    return [arrays[f"{prefix}/{i:05d}"] for i in range(count)]


@register("keras.callbacks")
class BackupAndRestore(Callback):
    """Backs up training state so that a restarted ``fit`` continues where it stopped.

    At each backup, the model's weights, the optimizer's variables (slots,
    iteration count, learning rate) and the epoch and batch reached are
    written to ``backup_dir/latest.npz``, atomically (a temporary file
    renamed over the old one), so an interruption never leaves a broken
    backup. At ``on_train_begin`` an existing backup is loaded back and the
    epoch to resume from is published as ``self._initial_epoch`` and
    ``model._initial_epoch``: the trainer starts its epoch loop there. A
    backup taken in the middle of an epoch resumes at the start of that
    epoch, with the weights of the backup. When training ends normally, the
    backup directory is deleted (``delete_checkpoint``).

    Args:
        backup_dir: a directory only this training uses.
        save_freq: ``"epoch"`` or a number of batches between backups.
        double_checkpoint: keep the previous backup as ``latest.npz.bkp`` and
            fall back to it when the latest cannot be read.
        delete_checkpoint: delete ``backup_dir`` when training ends.

    Example:
        >>> backup = BackupAndRestore(backup_dir="/tmp/backup")
    """

    def __init__(
        self,
        backup_dir: str | os.PathLike,
        save_freq: str | int = "epoch",
        double_checkpoint: bool = False,
        delete_checkpoint: bool = True,
    ) -> None:
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        check_save_freq(save_freq)
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._path = os.path.join(self.backup_dir, "latest.npz")
        self._previous_path = self._path + ".bkp"
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen: int | None = None
        self._current_epoch = 0
        self._initial_epoch = 0

    def _needs_batch_hooks(self, mode: str) -> bool:
        return mode == "train" and self.save_freq != "epoch"

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._initial_epoch = 0
        if not os.path.exists(self._path) and not os.path.exists(self._previous_path):
            return
        model = self.model
        if not getattr(model, "built", True):
            raise ValueError(
                "To use the BackupAndRestore callback, your model must be built "
                f"before you call `fit()`. Model {model} is unbuilt: call it on "
                "a batch of data first."
            )
        try:
            arrays = _read(self._path)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            if not os.path.exists(self._previous_path):
                raise
            arrays = _read(self._previous_path)
        self._restore(model, arrays)
        self._initial_epoch = int(arrays["epoch"])
        self._current_epoch = self._initial_epoch
        model._initial_epoch = self._initial_epoch

    def _restore(self, model: Any, arrays: dict[str, np.ndarray]) -> None:
        model.set_weights(_numbered(arrays, "weights"))
        saved = _numbered(arrays, "optimizer")
        optimizer = getattr(model, "optimizer", None)
        if optimizer is None:
            return
        if not getattr(optimizer, "built", True):
            optimizer.build(model.trainable_variables)
        variables = list(optimizer.variables)
        if len(variables) != len(saved):
            raise ValueError(
                f"BackupAndRestore: the backup in {self.backup_dir} holds "
                f"{len(saved)} optimizer variables but the model's optimizer has "
                f"{len(variables)}. Was it written by a different model or "
                "optimizer?"
            )
        for variable, value in zip(variables, saved):
            variable.assign(value)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._current_epoch = epoch

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._current_epoch = epoch + 1
        self._last_batch_seen = None
        if self.save_freq == "epoch":
            self._save(batch=0)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.save_freq == "epoch":
            return
        self._batches_seen_since_last_saving += batches_since(
            self._last_batch_seen, batch
        )
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            self._save(batch=batch)

    def _save(self, batch: int) -> None:
        model = self.model
        arrays = {"epoch": np.asarray(self._current_epoch), "batch": np.asarray(batch)}
        weights = [np.asarray(w) for w in model.get_weights()]
        optimizer = getattr(model, "optimizer", None)
        slots = [np.asarray(v) for v in getattr(optimizer, "variables", [])]
        for prefix, values in (("weights", weights), ("optimizer", slots)):
            arrays[f"{prefix}_count"] = np.asarray(len(values))
            arrays.update({f"{prefix}/{i:05d}": v for i, v in enumerate(values)})
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint and os.path.exists(self._path):
            os.replace(self._path, self._previous_path)
        _write_atomically(self._path, arrays)

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.delete_checkpoint and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)
