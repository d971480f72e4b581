"""Callbacks driving a real fit: checkpoints reload, backups resume, LR changes."""

import numpy as np
import pytest

import kerax
from kerax import layers


def _setup(seed=0):
    kerax.utils.set_random_seed(seed)
    model = kerax.Sequential(
        [kerax.Input((4,)), layers.Dense(8, activation="relu"), layers.Dense(1)]
    )
    model.compile(kerax.optimizers.Adam(0.01), "mse")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    return model, x, x.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("suffix", [".keras", ".weights.h5", ".h5"])
def test_model_checkpoint_best_file_reloads_to_the_same_predictions(tmp_path, suffix):
    model, x, y = _setup()
    path = tmp_path / f"best{suffix}"
    checkpoint = kerax.callbacks.ModelCheckpoint(
        str(path),
        monitor="val_loss",
        save_best_only=True,
        save_weights_only=suffix == ".weights.h5",
    )
    history = model.fit(
        x,
        y,
        epochs=4,
        verbose=0,
        validation_split=0.25,
        shuffle=False,
        callbacks=[checkpoint],
    )
    best = int(np.argmin(history.history["val_loss"]))
    assert path.exists()
    if suffix == ".weights.h5":
        restored, _, _ = _setup()
        restored.load_weights(str(path))
    else:
        restored = kerax.saving.load_model(str(path))
    if best == 3:  # the last epoch was the best: the file holds the final weights
        np.testing.assert_allclose(
            restored.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5
        )
    if suffix == ".weights.h5":
        restored.compile("sgd", "mse")
    val_loss = restored.evaluate(x[48:], y[48:], verbose=0)
    np.testing.assert_allclose(val_loss, min(history.history["val_loss"]), rtol=1e-4)


@pytest.mark.parametrize("shuffle", [False, True])
def test_backup_and_restore_resumes_to_the_uninterrupted_result(tmp_path, shuffle):
    fit_kw = dict(epochs=4, batch_size=16, shuffle=shuffle, verbose=0)
    model, x, y = _setup()
    reference = model.fit(x, y, **fit_kw).history["loss"]
    final_reference = model.get_weights()

    class CrashAtEpochTwo(kerax.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise RuntimeError("simulated crash")

    model, x, y = _setup()
    backup = kerax.callbacks.BackupAndRestore(str(tmp_path / "backup"))
    with pytest.raises(RuntimeError, match="simulated crash"):
        model.fit(x, y, callbacks=[backup, CrashAtEpochTwo()], **fit_kw)
    model, x, y = _setup()  # the rerun script: same seed, same program
    restore = kerax.callbacks.BackupAndRestore(str(tmp_path / "backup"))
    resumed = model.fit(x, y, callbacks=[restore], **fit_kw).history["loss"]
    np.testing.assert_allclose(resumed, reference[-len(resumed) :], rtol=1e-5)
    for a, b in zip(model.get_weights(), final_reference):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


def test_reduce_lr_on_plateau_really_changes_the_learning_rate():
    model, x, y = _setup()
    model.compile(kerax.optimizers.SGD(1e-9), "mse")  # no progress: a plateau at once
    callback = kerax.callbacks.ReduceLROnPlateau(
        monitor="loss", factor=0.5, patience=1, min_delta=1.0
    )
    history = model.fit(x, y, epochs=4, verbose=0, callbacks=[callback])
    assert float(model.optimizer.learning_rate) < 1e-9
    assert history.history["learning_rate"][-1] < history.history["learning_rate"][0]
