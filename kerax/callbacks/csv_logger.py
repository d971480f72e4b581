"""``CSVLogger``: write each epoch's logs as a row of a CSV file."""

from __future__ import annotations

import csv
import os
from typing import Any

import numpy as np

from kerax.callbacks.callback import Callback
from kerax.registry import register


def _cell(value: Any) -> Any:
    """A CSV cell: strings and scalars as they are, sequences as ``"[a, b]"``."""
    if isinstance(value, str):
        return value
    if np.ndim(value) > 0 or isinstance(value, (list, tuple)):
        return f'"[{", ".join(map(str, np.ravel(np.asarray(value))))}]"'
    return value


@register("keras.callbacks")
class CSVLogger(Callback):
    """Streams epoch results to a CSV file: an ``epoch`` column, then the sorted keys.

    The columns are fixed by the first epoch; when it has no validation
    keys, ``val_`` columns are added for each key (filled with ``NA`` while
    absent), so later validation fits in the same file.

    Args:
        filename: the CSV file's path.
        separator: the column separator.
        append: append to an existing file (the header is written only if
            the file is empty) instead of overwriting it.

    Example:
        >>> logger = CSVLogger("training.log")
    """

    def __init__(
        self, filename: str | os.PathLike, separator: str = ",", append: bool = False
    ) -> None:
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer: csv.DictWriter | None = None
        self.keys: list[str] | None = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        if self.append and os.path.exists(self.filename):
            with open(self.filename) as existing:
                self.append_header = not existing.readline()
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = open(  # closed in on_train_end
            self.filename, "a" if self.append else "w", newline=""
        )
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(key.startswith("val_") for key in self.keys):
                self.keys += [f"val_{key}" for key in self.keys]
        if self.writer is None:
            self.writer = csv.DictWriter(
                self.csv_file,
                fieldnames=["epoch", *self.keys],
                delimiter=self.sep,
                lineterminator="\r\n",
            )
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _cell(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None
