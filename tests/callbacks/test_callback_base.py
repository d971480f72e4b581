"""Callback, CallbackList, History, LambdaCallback: the hook contract with the trainer."""

from __future__ import annotations

import inspect

import jax.numpy as jnp
import keras
import numpy as np
import pytest
from callback_fakes import FakeModel, fake_fit

import kerax.callbacks as callbacks
from kerax import registry

KERAS_ONLY = {"OrbaxCheckpoint"}  # Orbax checkpoints are a separate format


@pytest.mark.parametrize(
    "name",
    sorted(
        n
        for n in dir(keras.callbacks)
        if inspect.isclass(getattr(keras.callbacks, n)) and n not in KERAS_ONLY
    ),
)
def test_same_signature_as_keras(name):
    ours = inspect.signature(getattr(callbacks, name).__init__).parameters
    theirs = inspect.signature(getattr(keras.callbacks, name).__init__).parameters
    assert list(ours) == list(theirs)
    for arg in theirs:
        assert ours[arg].default == theirs[arg].default, arg
    assert registry.lookup("keras.callbacks", name) is getattr(callbacks, name)


def test_hooks_are_no_ops_and_store_model_and_params():
    cb = callbacks.Callback()
    assert cb.model is None and cb.params is None
    model = FakeModel()
    cb.set_model(model)
    cb.set_params({"epochs": 2})
    assert cb.model is model and cb.params == {"epochs": 2}
    for name in dir(cb):
        if name.startswith("on_"):
            args = (0,) if ("batch" in name or "epoch" in name) else ()
            assert getattr(cb, name)(*args, logs={}) is None


def test_model_property_syncs_device_state():
    class Model:
        syncs = 0

        def jax_state_sync(self):
            Model.syncs += 1

    cb = callbacks.Callback()
    cb.set_model(Model())
    first, second = cb.model, cb.model
    assert first is second and Model.syncs == 2


class TrainBatch(callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        pass


class LegacyBatch(callbacks.Callback):
    def on_batch_begin(self, batch, logs=None):
        pass


class PredictBatch(callbacks.Callback):
    def on_predict_batch_begin(self, batch, logs=None):
        pass


@pytest.mark.parametrize(
    "callback,needs",
    [
        (callbacks.Callback(), ()),
        (TrainBatch(), ("train",)),
        (LegacyBatch(), ("train",)),
        (PredictBatch(), ("predict",)),
        (callbacks.History(), ()),
        (callbacks.EarlyStopping(), ()),
        (callbacks.LambdaCallback(on_epoch_end=print), ()),
        (callbacks.LambdaCallback(on_train_batch_end=print), ("train",)),
        (callbacks.LambdaCallback(on_test_batch_end=print), ("test",)),
        (callbacks.ModelCheckpoint("m.keras", save_freq=3), ("train",)),
        (callbacks.BackupAndRestore("d"), ()),
        (callbacks.BackupAndRestore("d", save_freq=3), ("train",)),
        (callbacks.TerminateOnNaN(), ("train",)),
        (callbacks.TensorBoard(), ()),
        (callbacks.TensorBoard(update_freq="batch"), ("train",)),
    ],
)
def test_needs_batch_hooks(callback, needs):
    for mode in ("train", "test", "predict"):
        assert callback._needs_batch_hooks(mode) == (mode in needs), mode
    many = callbacks.CallbackList([callbacks.History(), callback])
    for mode in ("train", "test", "predict"):
        assert many._needs_batch_hooks(mode) == (mode in needs), mode


def test_needs_batch_hooks_bad_mode():
    with pytest.raises(ValueError, match="mode"):
        callbacks.Callback()._needs_batch_hooks("fit")


def test_default_callbacks_like_keras():
    for module in (callbacks, keras.callbacks):
        model = FakeModel()
        cbs = module.CallbackList(
            [module.EarlyStopping()],
            add_history=True,
            add_progbar=True,
            model=model,
            verbose=1,
            epochs=3,
            steps=5,
        )
        names = [type(cb).__name__ for cb in cbs.callbacks]
        assert names == ["EarlyStopping", "History", "ProgbarLogger"]
        assert model.history is cbs.callbacks[1]
        assert cbs.callbacks[0].params == {"verbose": 1, "epochs": 3, "steps": 5}
        history = module.History()  # an existing History is reused
        cbs = module.CallbackList([history], add_history=True, model=model)
        assert cbs.callbacks == [history] and model.history is history
    stop = callbacks.EarlyStopping()
    assert callbacks.CallbackList([[stop], [[history]]]).callbacks == [stop, history]


def test_logs_conversion():
    seen = {}

    class Spy(callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen["batch"] = logs

        def on_epoch_end(self, epoch, logs=None):
            seen["epoch"] = dict(logs)
            logs["learning_rate"] = 0.5  # shared with later callbacks

    model = FakeModel()
    cbs = callbacks.CallbackList([Spy()], add_history=True, model=model)
    loss = jnp.float32(0.25)
    cbs.on_train_begin()
    cbs.on_train_batch_end(0, {"loss": loss, "b": 1})
    assert seen["batch"]["loss"] is loss  # not waited for
    assert list(seen["batch"]) == ["b", "loss"]
    cbs.on_epoch_end(
        0, {"loss": jnp.float32(0.25), "val": {"val_acc": np.float64(0.5)}, "s": "x"}
    )
    assert seen["epoch"] == {"loss": 0.25, "s": "x", "val_acc": 0.5}
    assert all(type(v) in (float, str) for v in seen["epoch"].values())
    assert model.history.history == {
        "learning_rate": [0.5],
        "loss": [0.25],
        "s": ["x"],
        "val_acc": [0.5],
    }


def test_calls_every_hook_on_every_callback():
    calls = []
    hooks = [n for n in dir(callbacks.Callback) if n.startswith("on_")]

    def recorder():
        def record(name):
            return lambda *args, **kwargs: calls.append(name)

        cb = callbacks.Callback()
        cb.__dict__.update({name: record(name) for name in hooks})
        return cb

    cbs = callbacks.CallbackList([recorder(), recorder()], model=FakeModel())
    for name in hooks:
        args = (0,) if ("batch" in name or "epoch" in name) else ()
        getattr(cbs, name)(*args)
    assert sorted(calls) == sorted(hooks * 2)


def test_history_records_each_fit():
    model = FakeModel()
    history = fake_fit(
        model, [], [{"loss": 1.0, "val_loss": 2.0}, {"loss": 0.5, "val_loss": 1.5}]
    )
    assert model.history is history
    assert history.epoch == [0, 1]
    assert history.history == {"loss": [1.0, 0.5], "val_loss": [2.0, 1.5]}


def test_lambda_callback_hooks():
    events = []
    cb = callbacks.LambdaCallback(
        on_train_begin=lambda logs: events.append("begin"),
        on_epoch_begin=lambda epoch, logs: events.append(f"e{epoch}"),
        on_train_batch_end=lambda batch, logs: events.append(f"b{batch}"),
        on_epoch_end=lambda epoch, logs: events.append(f"end{epoch}:{logs['loss']}"),
        on_train_end=lambda logs: events.append("done"),
        on_test_end=lambda logs: events.append("test"),
    )
    fake_fit(
        FakeModel(), [cb], [{"loss": 1.0, "val_loss": 1.0}], steps=2, validate=True
    )
    assert events == ["begin", "e0", "b0", "b1", "test", "end0:1.0", "done"]
