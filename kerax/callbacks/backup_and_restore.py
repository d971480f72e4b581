"""``BackupAndRestore``: resume an interrupted ``fit`` from its last backup."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import warnings
import zipfile
from typing import Any

import numpy as np

from kerax.callbacks.callback import Callback
from kerax.callbacks.model_checkpoint import batches_since, check_save_freq
from kerax.distribution.checkpointing import host_value, is_writer, wait_for_writer
from kerax.registry import register
from kerax.saving.archive import atomic_write
from kerax.trainers.trainer import unique_variables

_TEMP_PREFIX = ".kerax-"  # archive.atomic_write's temporary files
# What other callbacks carry from epoch to epoch (EarlyStopping,
# ReduceLROnPlateau, ModelCheckpoint's best, ...): backed up and restored.
_PROGRESS = ("wait", "best", "best_epoch", "stopped_epoch", "cooldown_counter")
_UNREADABLE = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile)


def _read(path: str) -> dict[str, np.ndarray]:
    """Every array of the backup ``path`` (the whole file is checked by zip's CRC)."""
    with open(path, "rb") as file:
        data = file.read()
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        return {key: arrays[key] for key in arrays.files}


def training_variables(model: Any) -> list[Any]:
    """Every Variable a training run changes, in a fixed order.

    The model's variables (trainable, non-trainable such as batch-norm
    statistics, and seed-generator states), the optimizer's (slots, iteration
    count, learning rate) and the metrics' accumulators.
    """
    variables = list(getattr(model, "variables", None) or model.trainable_variables)
    optimizer = getattr(model, "optimizer", None)
    variables += list(getattr(optimizer, "variables", []))
    variables += list(getattr(model, "metrics_variables", []))
    return unique_variables(variables)


def _path_of(variable: Any, index: int) -> str:
    return str(getattr(variable, "path", None) or f"variable_{index}")


def _callback_states(callbacks: list[Any], arrays: dict[str, np.ndarray]) -> str:
    """The progress of ``callbacks`` as JSON; ``best_weights`` go into ``arrays``."""
    states = []
    for i, callback in enumerate(callbacks):
        state: dict[str, Any] = {}
        for name in _PROGRESS:
            value = getattr(callback, name, None)
            if isinstance(value, (bool, int, float, np.number, np.ndarray)):
                value = np.asarray(value).item()
            if value is None or isinstance(value, (bool, int, float, str)):
                state[name] = value
        weights = getattr(callback, "best_weights", None)
        if isinstance(weights, list):
            state["best_weights"] = len(weights)
            for k, weight in enumerate(weights):
                arrays[f"callback/{i}/{k:05d}"] = np.asarray(weight)
        states.append({"class": type(callback).__name__, "state": state})
    return json.dumps(states)


def _restore_callbacks(
    callbacks: list[Any], arrays: dict[str, np.ndarray], where: str
) -> None:
    states = json.loads(str(arrays["callbacks"]))
    classes = [type(callback).__name__ for callback in callbacks]
    if [entry["class"] for entry in states] != classes:
        warnings.warn(
            f"BackupAndRestore: the backup in {where} was made with the callbacks "
            f"{[entry['class'] for entry in states]}, this fit has {classes}; their "
            "state (EarlyStopping's wait and best, ...) starts afresh.",
            stacklevel=3,
        )
        return
    for i, (callback, entry) in enumerate(zip(callbacks, states)):
        for name, value in entry["state"].items():
            if name == "best_weights":
                value = [arrays[f"callback/{i}/{k:05d}"] for k in range(value)]
            setattr(callback, name, value)


@register("keras.callbacks")
class BackupAndRestore(Callback):
    """Backs up training state so that a restarted ``fit`` continues where it stopped.

    A backup holds everything that decides the rest of the run: all the
    model's variables (weights, non-trainable statistics, seed-generator
    states), the optimizer's variables (slots, iteration count, learning
    rate), the metrics' accumulators, the epoch and the step reached in it,
    the seed the epochs are shuffled with, and the progress of the other
    callbacks (``wait``, ``best``, ``best_weights``... of EarlyStopping,
    ReduceLROnPlateau, ModelCheckpoint). It is written to
    ``backup_dir/latest.npz`` atomically (a temporary file, flushed, fsynced
    and renamed over the old one), so an interruption at any moment, even a
    ``SIGKILL`` during the write, leaves the previous backup or the new one.

    With ``save_freq="epoch"``, an epoch's backup is written as the next
    epoch begins, once every callback has seen the epoch end (or when training
    ends, with ``delete_checkpoint=False``).

    At ``on_train_begin`` an existing backup is loaded and ``fit`` resumes at
    the exact step: an epoch-end backup resumes at the next epoch, a backup
    every ``save_freq`` batches resumes after the last saved batch, skipping
    the batches of that epoch already trained (same shuffle order). Training
    that resumes this way ends with the same weights as an uninterrupted run,
    bit for bit on the CPU. When training ends normally, the backup directory
    is deleted (``delete_checkpoint``).

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
        self._initial_step = 0
        self._initial_shuffle_seed: int | None = None
        self._fellows: list[Any] = []
        self._pending: dict[str, np.ndarray] | None = None
        self._save_due = False

    def _track_callbacks(self, callbacks: list[Any]) -> None:
        """The other callbacks of this fit, whose progress is backed up too."""
        self._fellows = [
            cb
            for cb in callbacks
            if cb is not self
            and any(hasattr(cb, name) for name in (*_PROGRESS, "best_weights"))
        ]

    def _needs_batch_hooks(self, mode: str) -> bool:
        return mode == "train" and self.save_freq != "epoch"

    # -- restoring -------------------------------------------------------------
    def _remove_stale_temporaries(self) -> None:
        """Temporary files of a write that was killed: never a backup, delete them."""
        if not os.path.isdir(self.backup_dir):
            return
        if not is_writer():
            return
        for name in os.listdir(self.backup_dir):
            if name.startswith(_TEMP_PREFIX) and name.endswith(".tmp"):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(os.path.join(self.backup_dir, name))

    def _load_latest(self) -> dict[str, np.ndarray] | None:
        candidates = [self._path]
        if self.double_checkpoint:
            candidates.append(self._previous_path)
        errors = []
        for path in candidates:
            if not os.path.exists(path):
                continue
            try:
                return _read(path)
            except _UNREADABLE as error:
                errors.append(f"{path}: {type(error).__name__}: {error}")
        if errors:
            raise ValueError(
                f"BackupAndRestore cannot read the backup in {self.backup_dir} "
                f"({'; '.join(errors)}). Delete the folder to start over."
            )
        return None

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._initial_epoch = self._initial_step = 0
        self._initial_shuffle_seed = None
        self._pending = None
        self._save_due = False
        self._remove_stale_temporaries()
        arrays = self._load_latest()
        if arrays is None:
            return
        model = self.model
        if not getattr(model, "built", True):
            raise ValueError(
                "To use the BackupAndRestore callback, your model must be built "
                f"before you call `fit()`. Model {model} is unbuilt: call it on "
                "a batch of data first."
            )
        self._restore(model, arrays)
        self._initial_epoch = int(arrays["epoch"])
        self._initial_step = int(arrays["step"])
        seed = int(arrays["shuffle_seed"])
        self._initial_shuffle_seed = seed if seed >= 0 else None
        self._current_epoch = self._initial_epoch
        model._initial_epoch = self._initial_epoch
        self._pending = arrays  # other callbacks: after their on_train_begin

    def _restore(self, model: Any, arrays: dict[str, np.ndarray]) -> None:
        required = {"epoch", "step", "shuffle_seed", "count", "paths", "callbacks"}
        missing = required - set(arrays)
        if missing:
            raise ValueError(
                f"BackupAndRestore: the backup in {self.backup_dir} lacks "
                f"{sorted(missing)}; it was not written by this version of kerax. "
                "Delete the folder to start over."
            )
        variables = training_variables(model)
        count = int(arrays["count"])
        paths = [str(p) for p in arrays["paths"]]
        if count != len(variables):
            raise ValueError(
                f"BackupAndRestore: the backup in {self.backup_dir} holds {count} "
                f"variables but the model, its optimizer and metrics have "
                f"{len(variables)}. Was it written by a different model or "
                "optimizer?"
            )
        values = [arrays[f"state/{i:05d}"] for i in range(count)]
        for i, (variable, value) in enumerate(zip(variables, values)):
            shape = tuple(np.shape(variable))
            if value.shape != shape:
                raise ValueError(
                    f"BackupAndRestore: variable {i} of the backup in "
                    f"{self.backup_dir} is {paths[i]!r} with shape {value.shape}, "
                    f"but the model's is {_path_of(variable, i)!r} with shape "
                    f"{shape}. Was it written by a different model?"
                )
        for variable, value in zip(variables, values):
            variable.assign(value)

    # -- saving ------------------------------------------------------------------
    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._current_epoch = epoch
        if self._pending is not None:
            _restore_callbacks(self._fellows, self._pending, self.backup_dir)
            self._pending = None
        if self._save_due:
            self._save(step=0)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        # The epoch's backup is written once every callback has seen the
        # epoch end (EarlyStopping updates its wait after this hook).
        self._current_epoch = epoch + 1
        self._last_batch_seen = None
        self._save_due = self.save_freq == "epoch"

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.save_freq == "epoch":
            return
        self._batches_seen_since_last_saving += batches_since(
            self._last_batch_seen, batch
        )
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            self._save(step=batch + 1)

    def _save(self, step: int) -> None:
        """Back up the state after ``step`` steps of the current epoch."""
        self._save_due = False
        variables = training_variables(self.model)
        seed = getattr(self.model, "_shuffle_seed", None)
        arrays = {
            "epoch": np.asarray(self._current_epoch),
            "step": np.asarray(step),
            "shuffle_seed": np.asarray(-1 if seed is None else int(seed), np.int64),
            "count": np.asarray(len(variables)),
            "paths": np.asarray([_path_of(v, i) for i, v in enumerate(variables)]),
        }
        for i, variable in enumerate(variables):  # collective across processes
            arrays[f"state/{i:05d}"] = host_value(variable.value)
        arrays["callbacks"] = np.asarray(_callback_states(self._fellows, arrays))
        if is_writer():
            os.makedirs(self.backup_dir, exist_ok=True)
            if self.double_checkpoint and os.path.exists(self._path):
                os.replace(self._path, self._previous_path)
            atomic_write(self._path, lambda stream: np.savez(stream, **arrays))
        wait_for_writer("kerax:backup")

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.delete_checkpoint:
            wait_for_writer("kerax:backup-end")  # every process is done reading
            if is_writer() and os.path.exists(self.backup_dir):
                shutil.rmtree(self.backup_dir)
            wait_for_writer("kerax:backup-deleted")
        elif self._save_due:
            self._save(step=0)
