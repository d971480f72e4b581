"""CSVLogger writes the same file as Keras, and appends."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from callback_fakes import FakeModel, PlainOptimizer, fake_fit

from kerax import callbacks

LOGS = [
    {"loss": 0.5, "accuracy": 0.25, "val_loss": 0.75},
    {"loss": 0.25, "accuracy": 0.5, "val_loss": 0.5},
]


def _write(module, path, logs, **kwargs):
    logger = module.CSVLogger(str(path), **kwargs)
    fake_fit(
        FakeModel(optimizer=PlainOptimizer()),
        [logger],
        logs,
        steps=1,
        callback_list_class=module.CallbackList,
    )
    return path.read_bytes()


@pytest.mark.parametrize(
    "logs,kwargs",
    [
        (LOGS, {}),
        (LOGS, dict(separator=";")),
        ([{"loss": 0.5}, {"loss": 0.25}], {}),  # val_ columns are added
        ([{"loss": 0.5, "w": np.array([1.0, 2.0])}], {}),
    ],
)
def test_matches_keras(tmp_path, logs, kwargs):
    ours = _write(callbacks, tmp_path / "a.csv", logs, **kwargs)
    theirs = _write(keras.callbacks, tmp_path / "b.csv", logs, **kwargs)
    assert ours == theirs


def test_content(tmp_path):
    text = _write(callbacks, tmp_path / "log.csv", LOGS).decode()
    assert text.splitlines() == [
        "epoch,accuracy,loss,val_loss",
        "0,0.25,0.5,0.75",
        "1,0.5,0.25,0.5",
    ]


def test_append_writes_header_once(tmp_path):
    path = tmp_path / "log.csv"
    _write(callbacks, path, LOGS[:1], append=True)
    text = _write(callbacks, path, LOGS, append=True).decode()
    assert text.splitlines() == [
        "epoch,accuracy,loss,val_loss",
        "0,0.25,0.5,0.75",
        "0,0.25,0.5,0.75",
        "1,0.5,0.25,0.5",
    ]
    # Without append the file starts over.
    assert _write(callbacks, path, LOGS[:1]).decode().count("epoch") == 1
