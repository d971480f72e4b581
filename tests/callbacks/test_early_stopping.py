"""EarlyStopping: same decisions as Keras on the same logs, best weights restored."""

from __future__ import annotations

import math
import warnings

import keras
import numpy as np
import pytest
from callback_fakes import FakeMetric, FakeModel, PlainOptimizer, fake_fit

from kerax import callbacks

SCENARIOS = [
    # (losses, kwargs)
    ([1.0, 0.9, 0.95, 0.97, 0.99, 0.5], dict(patience=2)),
    ([1.0, 0.9, 0.95, 0.97, 0.99, 0.5], dict(patience=0)),
    ([1.0, 0.99, 0.98, 0.97, 0.96, 0.95], dict(patience=1, min_delta=0.02)),
    ([1.0, 1.1, 1.2, 0.5, 1.3, 1.4, 1.5], dict(patience=2, baseline=0.8)),
    ([1.0, 1.1, 1.2, 1.3, 0.5, 0.6, 0.7, 0.8], dict(patience=1, start_from_epoch=3)),
    ([0.1, 0.2, 0.3, 0.25, 0.2, 0.1], dict(patience=1, mode="max")),
    ([0.5, 0.4, 0.3, 0.35, 0.2, 0.1], dict(patience=3, restore_best_weights=True)),
    ([2.0, 1.0, 1.0, 1.0], dict(patience=2, restore_best_weights=True)),
]


def _run(module, losses, kwargs):
    model = FakeModel(optimizer=PlainOptimizer())
    stopper = module.EarlyStopping(monitor="val_loss", **kwargs)
    cls = module.CallbackList
    history = fake_fit(
        model,
        [stopper],
        [{"loss": 1.0, "val_loss": v} for v in losses],
        steps=1,
        callback_list_class=cls,
    )
    return stopper, model, history


@pytest.mark.parametrize("losses,kwargs", SCENARIOS)
def test_matches_keras(losses, kwargs):
    ours, model, history = _run(callbacks, losses, kwargs)
    theirs, keras_model, keras_history = _run(keras.callbacks, losses, kwargs)
    assert ours.stopped_epoch == theirs.stopped_epoch
    assert ours.best_epoch == theirs.best_epoch
    assert ours.wait == theirs.wait
    assert ours.best == theirs.best
    assert history.epoch == keras_history.epoch
    for a, b in zip(model.get_weights(), keras_model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_stops_at_expected_epoch_and_restores_best_weights():
    losses = [0.5, 0.4, 0.45, 0.46, 0.47, 0.1]
    stopper, model, history = _run(
        callbacks, losses, dict(patience=2, restore_best_weights=True)
    )
    # Epoch 1 is best; epochs 2 and 3 do not improve: stop after epoch 3.
    assert history.epoch == [0, 1, 2, 3]
    assert stopper.stopped_epoch == 3 and stopper.best_epoch == 1
    # One step per epoch adds 1.0 to each weight: epoch 1 ends at +2.
    np.testing.assert_allclose(model.get_weights()[0], np.full((2, 3), 2.5))


def test_verbose_messages(capsys):
    _run(
        callbacks,
        [0.5, 0.4, 0.6, 0.7],
        dict(patience=1, verbose=1, restore_best_weights=True),
    )
    out = capsys.readouterr().out
    assert "Epoch 3: early stopping" in out
    assert "Restoring model weights from the end of the best epoch: 2." in out


def test_missing_monitor_warns_once_with_available_keys():
    model = FakeModel()
    stopper = callbacks.EarlyStopping(monitor="val_acc", mode="max")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fake_fit(model, [stopper], [{"loss": 1.0, "accuracy": 0.5}] * 3, steps=1)
    messages = [str(w.message) for w in caught if "val_acc" in str(w.message)]
    assert len(messages) == 1
    assert "loss" in messages[0] and "accuracy" in messages[0]
    assert not model.stop_training


def test_auto_mode_follows_metric_direction():
    model = FakeModel(metrics=[FakeMetric("accuracy", "up")])
    stopper = callbacks.EarlyStopping(monitor="val_accuracy", patience=0)
    history = fake_fit(
        model, [stopper], [{"val_accuracy": v} for v in (0.5, 0.6, 0.55, 0.9)], steps=1
    )
    assert history.epoch == [0, 1, 2]  # 0.55 < 0.6 stops: maximized


def test_auto_mode_opens_metric_containers():
    class Container:
        metrics = [FakeMetric("auc", "up")]

    model = FakeModel(metrics=[Container()])
    stopper = callbacks.EarlyStopping(monitor="auc")
    stopper.set_model(model)
    stopper._set_monitor_op()
    assert stopper._is_improvement(0.9, 0.8)


def test_auto_mode_unknown_direction_raises():
    stopper = callbacks.EarlyStopping(monitor="val_mystery")
    with pytest.raises(ValueError, match="mode='min' or mode='max'"):
        fake_fit(FakeModel(), [stopper], [{"val_mystery": 1.0}], steps=1)


def test_invalid_mode_raises():
    with pytest.raises(ValueError, match="EarlyStopping.*mode"):
        callbacks.EarlyStopping(mode="lowest")


def test_nan_is_never_an_improvement():
    losses = [0.5, math.nan, math.nan, 0.4]
    stopper, _, history = _run(callbacks, losses, dict(patience=2))
    assert history.epoch == [0, 1, 2]
    assert stopper.best == 0.5


def test_reusable_across_fits():
    model = FakeModel()
    stopper = callbacks.EarlyStopping(monitor="loss", patience=0)
    fake_fit(model, [stopper], [{"loss": v} for v in (1.0, 2.0, 0.5)], steps=1)
    assert stopper.stopped_epoch == 1
    history = fake_fit(model, [stopper], [{"loss": v} for v in (3.0, 2.0)], steps=1)
    assert stopper.stopped_epoch == 0 and history.epoch == [0, 1]
