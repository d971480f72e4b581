"""ReduceLROnPlateau and LearningRateScheduler change the rate when Keras does."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from callback_fakes import FakeModel, FakeOptimizer, PlainOptimizer, fake_fit

from kerax import callbacks

PLATEAUS = [
    ([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], dict(patience=2)),
    ([1.0, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8], dict(patience=1, cooldown=2)),
    ([1.0, 0.99995, 0.9999, 0.99985, 0.5], dict(patience=1, min_delta=1e-4)),
    ([1.0] * 8, dict(patience=1, factor=0.5, min_lr=0.02)),
    ([0.1, 0.2, 0.2, 0.2, 0.1, 0.3], dict(patience=1, mode="max", factor=0.2)),
    ([1.0, 2.0, 3.0, 0.5, 0.6, 0.7, 0.8], dict(patience=0, cooldown=1)),
]


def _rates(module, optimizer, losses, kwargs):
    model = FakeModel(optimizer=optimizer)
    reduce = module.ReduceLROnPlateau(monitor="val_loss", **kwargs)
    rates = []
    record = module.LambdaCallback(
        on_epoch_end=lambda epoch, logs: rates.append(
            float(np.asarray(model.optimizer.learning_rate))
        )
    )
    history = fake_fit(
        model,
        [reduce, record],
        [{"loss": 1.0, "val_loss": v} for v in losses],
        steps=1,
        callback_list_class=module.CallbackList,
    )
    return rates, history


@pytest.mark.parametrize("losses,kwargs", PLATEAUS)
def test_reduce_lr_matches_keras(losses, kwargs):
    ours, history = _rates(callbacks, FakeOptimizer(0.1), losses, kwargs)
    theirs, keras_history = _rates(keras.callbacks, PlainOptimizer(0.1), losses, kwargs)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    # The rate before each epoch's reduction is logged, as in Keras.
    np.testing.assert_allclose(
        history.history["learning_rate"],
        keras_history.history["learning_rate"],
        rtol=1e-6,
    )


def test_reduce_lr_exact_epochs():
    rates, _ = _rates(callbacks, FakeOptimizer(1.0), [1.0] * 6, dict(patience=2))
    # No improvement at epochs 1, 2: reduced at the end of epoch 2, then 4.
    np.testing.assert_allclose(rates, [1.0, 1.0, 0.1, 0.1, 0.01, 0.01], rtol=1e-6)


def test_reduce_lr_verbose_message(capsys):
    _rates(
        callbacks,
        FakeOptimizer(1.0),
        [1.0, 1.0],
        dict(patience=1, verbose=1, factor=0.5),
    )
    assert "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.5." in (
        capsys.readouterr().out
    )


def test_reduce_lr_bad_arguments():
    with pytest.raises(ValueError, match="factor >= 1.0"):
        callbacks.ReduceLROnPlateau(factor=1.5)
    with pytest.raises(ValueError, match="mode"):
        callbacks.ReduceLROnPlateau(mode="up")
    with pytest.raises(TypeError, match="epsilon"):
        callbacks.ReduceLROnPlateau(epsilon=1e-3)


def test_reduce_lr_each_inner_optimizer():
    class Multi:
        optimizers = [FakeOptimizer(1.0), FakeOptimizer(0.5)]

    for i, opt in enumerate(Multi.optimizers):
        opt.name = f"opt{i}"
    model = FakeModel(optimizer=Multi())
    reduce = callbacks.ReduceLROnPlateau(monitor="loss", patience=0)
    history = fake_fit(model, [reduce], [{"loss": 1.0}] * 2, steps=1)
    assert history.history["learning_rate_opt1"] == [0.5, 0.5]
    np.testing.assert_allclose(
        [float(o.learning_rate) for o in Multi.optimizers], [0.1, 0.05], rtol=1e-6
    )


def _scheduled(module, optimizer, schedule, epochs=5, verbose=0):
    model = FakeModel(optimizer=optimizer)
    scheduler = module.LearningRateScheduler(schedule, verbose=verbose)
    rates = []
    record = module.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: rates.append(
            float(np.asarray(model.optimizer.learning_rate))
        )
    )
    history = fake_fit(
        model,
        [scheduler, record],
        [{"loss": 1.0}] * epochs,
        steps=1,
        callback_list_class=module.CallbackList,
    )
    return rates, history


@pytest.mark.parametrize(
    "schedule",
    [
        lambda epoch, lr: lr if epoch < 2 else lr * 0.5,
        lambda epoch: 0.1 / (epoch + 1),
        lambda epoch, lr: np.float32(lr * 0.9),
    ],
)
def test_scheduler_matches_keras(schedule):
    ours, history = _scheduled(callbacks, FakeOptimizer(0.1), schedule)
    theirs, keras_history = _scheduled(keras.callbacks, PlainOptimizer(0.1), schedule)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    np.testing.assert_allclose(
        history.history["learning_rate"],
        keras_history.history["learning_rate"],
        rtol=1e-6,
    )


def test_scheduler_verbose_matches_keras(capsys):
    def schedule(epoch, lr):
        return 0.25 * (epoch + 1)

    _scheduled(callbacks, FakeOptimizer(0.1), schedule, epochs=2, verbose=1)
    ours = capsys.readouterr().out
    _scheduled(keras.callbacks, PlainOptimizer(0.1), schedule, epochs=2, verbose=1)
    assert ours == capsys.readouterr().out
    assert "Epoch 2: LearningRateScheduler setting learning rate to 0.5." in ours


def test_scheduler_rejects_non_float():
    with pytest.raises(ValueError, match="should be a float"):
        _scheduled(callbacks, FakeOptimizer(0.1), lambda epoch, lr: "fast")
    with pytest.raises(TypeError, match="callable"):
        callbacks.LearningRateScheduler(0.1)
