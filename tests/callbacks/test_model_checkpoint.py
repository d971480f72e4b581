"""ModelCheckpoint: file names, suffix rules and save_best_only as Keras decides."""

from __future__ import annotations

import math
import os

import keras
import pytest
from callback_fakes import FakeModel, PlainOptimizer, fake_fit

from kerax import callbacks


def _saves(module, tmp_path, losses, steps=3, **kwargs):
    model = FakeModel(optimizer=PlainOptimizer())
    filepath = kwargs.pop("filepath", "ckpt-{epoch:02d}-{val_loss:.2f}.keras")
    ckpt = module.ModelCheckpoint(str(tmp_path / filepath), **kwargs)
    fake_fit(
        model,
        [ckpt],
        [{"loss": 1.0, "val_loss": v, "val_accuracy": 1 - v} for v in losses],
        steps=steps,
        callback_list_class=module.CallbackList,
    )
    return [(kind, os.path.relpath(path, tmp_path)) for kind, path in model.saved]


@pytest.mark.parametrize(
    "losses,kwargs",
    [
        ([0.5, 0.4, 0.45, 0.3], {}),
        ([0.5, 0.4, 0.45, 0.3, 0.3], dict(save_best_only=True)),
        (
            [0.5, 0.4, 0.45, 0.3],
            dict(save_best_only=True, monitor="val_accuracy", mode="max"),
        ),
        (
            [0.5, 0.4, 0.45, 0.3],
            dict(save_best_only=True, initial_value_threshold=0.42),
        ),
        ([0.5, 0.4], dict(save_weights_only=True, filepath="w-{epoch}.weights.h5")),
        ([0.5, 0.4], dict(save_freq=2, filepath="b-{epoch}-{batch}.keras")),
        ([0.5, 0.4, 0.3], dict(save_freq=4, filepath="b-{epoch}-{batch}.keras")),
        ([0.5], dict(filepath="sub/dir/m.h5")),
    ],
)
def test_saves_match_keras(tmp_path, losses, kwargs):
    ours = _saves(callbacks, tmp_path / "a", losses, **dict(kwargs))
    theirs = _saves(keras.callbacks, tmp_path / "b", losses, **dict(kwargs))
    assert ours == theirs
    assert ours


def test_file_names_and_best_only(tmp_path):
    saved = _saves(callbacks, tmp_path, [0.5, 0.4, 0.45, 0.3], save_best_only=True)
    assert saved == [
        ("save", "ckpt-01-0.50.keras"),
        ("save", "ckpt-02-0.40.keras"),
        ("save", "ckpt-04-0.30.keras"),
    ]
    assert sorted(os.listdir(tmp_path)) == [name for _, name in saved]


def test_nan_is_never_saved_as_best(tmp_path):
    saved = _saves(
        callbacks,
        tmp_path,
        [math.nan, 0.5, math.nan, 0.6, 0.4],
        save_best_only=True,
        filepath="m-{epoch}.keras",
    )
    assert saved == [("save", "m-2.keras"), ("save", "m-5.keras")]


@pytest.mark.parametrize(
    "filepath,weights_only",
    [
        ("m.keras", False),
        ("m.h5", False),
        ("m.weights.h5", False),
        ("m.weights.h5", True),
        ("m.tf", False),
        ("m.keras", True),
        ("m.h5", True),
        ("m", False),
    ],
)
def test_suffix_rules_match_keras(filepath, weights_only):
    def accepted(module):
        try:
            module.ModelCheckpoint(filepath, save_weights_only=weights_only)
        except ValueError as error:
            return str(error)
        return True

    ours, theirs = accepted(callbacks), accepted(keras.callbacks)
    assert (ours is True) == (theirs is True)
    if ours is not True:
        assert filepath in ours


@pytest.mark.parametrize("save_freq", ["batch", 0, -2, 1.5])
def test_bad_save_freq(save_freq):
    with pytest.raises(ValueError, match="save_freq"):
        callbacks.ModelCheckpoint("m.keras", save_freq=save_freq)


def test_missing_format_key(tmp_path):
    ckpt = callbacks.ModelCheckpoint(str(tmp_path / "{val_auc:.2f}.keras"))
    with pytest.raises(KeyError, match="val_auc"):
        fake_fit(FakeModel(), [ckpt], [{"loss": 1.0}], steps=1)


def test_directory_path_raises(tmp_path):
    (tmp_path / "d.keras").mkdir()
    ckpt = callbacks.ModelCheckpoint(str(tmp_path / "d.keras"))
    with pytest.raises(OSError, match="non-directory"):
        fake_fit(FakeModel(), [ckpt], [{"loss": 1.0}], steps=1)


def test_verbose_messages_match_keras(tmp_path, capsys):
    kwargs = dict(save_best_only=True, verbose=1, filepath="m.keras")
    _saves(callbacks, tmp_path / "a", [0.5, 0.6, 0.4], **dict(kwargs))
    ours = capsys.readouterr().out.replace(str(tmp_path / "a"), "DIR")
    _saves(keras.callbacks, tmp_path / "b", [0.5, 0.6, 0.4], **dict(kwargs))
    theirs = capsys.readouterr().out.replace(str(tmp_path / "b"), "DIR")
    assert ours == theirs
    assert "val_loss did not improve from 0.50000" in ours


def test_missing_monitor_saves_with_warning(tmp_path):
    model = FakeModel()
    ckpt = callbacks.ModelCheckpoint(
        str(tmp_path / "m.keras"),
        monitor="val_auc",
        save_best_only=True,
        mode="max",
    )
    with pytest.warns(UserWarning, match="val_auc"):
        fake_fit(model, [ckpt], [{"loss": 1.0}], steps=1)
    assert len(model.saved) == 1


def test_batch_hooks_only_when_saving_per_batch():
    assert not callbacks.ModelCheckpoint("m.keras")._needs_batch_hooks("train")
    assert callbacks.ModelCheckpoint("m.keras", save_freq=5)._needs_batch_hooks("train")


def test_model_without_save_fails_before_training(tmp_path):
    class NoSave(FakeModel):
        save_weights = None

    epochs = []
    ckpt = callbacks.ModelCheckpoint(
        str(tmp_path / "m.weights.h5"), save_weights_only=True
    )
    probe = callbacks.LambdaCallback(on_epoch_begin=lambda e, logs: epochs.append(e))
    with pytest.raises(TypeError, match="model.save_weights"):
        fake_fit(NoSave(), [ckpt, probe], [{"loss": 1.0}])
    assert epochs == []
