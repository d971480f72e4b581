"""Callbacks inside the real ``Model.fit``: backups and best weights round-trip."""

from __future__ import annotations

import numpy as np
import pytest

import kerax
from kerax import callbacks


class Crash(Exception):
    pass


def _model():
    model = kerax.Sequential(
        [kerax.layers.Input((4,)), kerax.layers.Dense(2), kerax.layers.Dense(1)]
    )
    model.compile(optimizer=kerax.optimizers.Adam(0.05), loss="mse")
    return model


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 4)).astype("float32")
    return x, x.sum(1, keepdims=True) * 0.5


def _state(model):
    return model.get_weights() + [np.array(v) for v in model.optimizer.variables]


def test_backup_and_restore_resumes_fit(tmp_path):
    x, y = _data()
    crashed = _model()

    def crash(epoch, logs):
        if epoch == 2:
            raise Crash

    with pytest.raises(Crash):
        crashed.fit(
            x,
            y,
            epochs=4,
            batch_size=8,
            verbose=0,
            callbacks=[
                callbacks.BackupAndRestore(tmp_path),
                callbacks.LambdaCallback(on_epoch_begin=crash),
            ],
        )
    expected = _state(crashed)
    resumed = _model()
    seen = {}
    probe = callbacks.LambdaCallback(
        on_train_begin=lambda logs: seen.update(state=_state(resumed))
    )
    history = resumed.fit(
        x,
        y,
        epochs=4,
        batch_size=8,
        verbose=0,
        callbacks=[callbacks.BackupAndRestore(tmp_path), probe],
    )
    assert len(seen["state"]) == len(expected)
    for got, want in zip(seen["state"], expected):
        np.testing.assert_array_equal(got, want)
    assert history.epoch == [2, 3]
    assert int(resumed.optimizer.iterations) == 16


def test_early_stopping_restores_best_weights():
    x, y = _data()
    model = _model()
    snapshots = []
    record = callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: snapshots.append(model.get_weights())
    )
    stop = callbacks.EarlyStopping(
        monitor="loss", mode="max", patience=1, restore_best_weights=True
    )
    history = model.fit(
        x, y, epochs=6, batch_size=8, verbose=0, callbacks=[record, stop]
    )
    best = int(np.argmax(history.history["loss"]))
    assert stop.best_epoch == best
    for got, want in zip(model.get_weights(), snapshots[best]):
        np.testing.assert_array_equal(got, want)
