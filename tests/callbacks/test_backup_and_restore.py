"""BackupAndRestore: an interrupted fit resumes with the same weights, slots and epoch."""

from __future__ import annotations

import os

import numpy as np
import pytest
from callback_fakes import FakeModel, FakeOptimizer, fake_fit

import kerax
from kerax import callbacks
from kerax.callbacks import backup_and_restore

LOGS = [{"loss": 1.0 / (e + 1)} for e in range(5)]


class Crash(Exception):
    pass


def _crash_at(epoch, step=0):
    def hook(batch, logs):
        if crash_at_epoch[0] == epoch and batch == step:
            raise Crash

    crash_at_epoch = [None]
    return callbacks.LambdaCallback(
        on_epoch_begin=lambda e, logs: crash_at_epoch.__setitem__(0, e),
        on_train_batch_begin=hook,
    )


def _state(model):
    return model.get_weights(), [np.array(v) for v in model.optimizer.variables]


def _interrupted(tmp_path, epoch, step=0, **kwargs):
    model = FakeModel()
    backup = callbacks.BackupAndRestore(tmp_path / "backup", **kwargs)
    with pytest.raises(Crash):
        fake_fit(model, [backup, _crash_at(epoch, step)], LOGS)
    return model


def _resume(tmp_path, **kwargs):
    model = FakeModel(optimizer=FakeOptimizer(learning_rate=0.5))
    backup = callbacks.BackupAndRestore(tmp_path / "backup", **kwargs)
    restored = {}
    probe = callbacks.LambdaCallback(
        on_train_begin=lambda logs: restored.update(state=_state(model))
    )
    history = fake_fit(model, [backup, probe], LOGS)
    return model, backup, history, restored["state"]


def _assert_same(state, expected):
    for got, want in zip(state[0] + state[1], expected[0] + expected[1], strict=True):
        np.testing.assert_array_equal(got, want)


def test_round_trip_after_epoch(tmp_path):
    crashed = _interrupted(tmp_path, epoch=2, step=0)
    # The crash came before epoch 2's first step: the backup holds epoch 1's end.
    expected = _state(crashed)
    files = os.listdir(tmp_path / "backup")
    assert files == ["latest.npz"]
    with np.load(tmp_path / "backup/latest.npz", allow_pickle=False) as data:
        assert int(data["epoch"]) == 2
    model, backup, history, restored = _resume(tmp_path)
    _assert_same(restored, expected)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.1)
    assert backup._initial_epoch == 2 and model._initial_epoch == 2
    assert history.epoch == [2, 3, 4]
    assert not os.path.exists(tmp_path / "backup")  # deleted when training ends


def test_round_trip_mid_epoch(tmp_path):
    crashed = _interrupted(tmp_path, epoch=1, step=2, save_freq=2)
    # Steps 0, 1 | 2, 0(save) | 1, crash: 4 steps were backed up, not 5.
    weights, slots = _state(crashed)
    expected = ([w - 1.0 for w in weights], None)
    model, backup, history, restored = _resume(tmp_path, save_freq=2)
    for got, want in zip(restored[0], expected[0]):
        np.testing.assert_array_equal(got, want)
    assert int(restored[1][0]) == 4  # the optimizer's iterations
    assert backup._initial_epoch == 1 and history.epoch == [1, 2, 3, 4]


def test_fresh_start_without_backup(tmp_path):
    model, backup, history, restored = _resume(tmp_path)
    assert backup._initial_epoch == 0 and history.epoch == [0, 1, 2, 3, 4]
    assert float(model.optimizer.learning_rate) == 0.5


def test_keeps_directory_without_delete_checkpoint(tmp_path):
    fake_fit(
        FakeModel(),
        [callbacks.BackupAndRestore(tmp_path / "b", delete_checkpoint=False)],
        LOGS[:2],
    )
    assert os.listdir(tmp_path / "b") == ["latest.npz"]


def test_double_checkpoint_falls_back_to_previous(tmp_path):
    crashed = _interrupted(tmp_path, epoch=3, double_checkpoint=True)
    backup_dir = tmp_path / "backup"
    assert sorted(os.listdir(backup_dir)) == ["latest.npz", "latest.npz.bkp"]
    (backup_dir / "latest.npz").write_bytes(b"truncated")
    weights, _ = _state(crashed)
    _, backup, _, restored = _resume(tmp_path, double_checkpoint=True)
    assert backup._initial_epoch == 2  # the previous backup: end of epoch 1
    np.testing.assert_array_equal(restored[0][0], weights[0] - 3.0)


def test_failed_write_keeps_previous_backup(tmp_path, monkeypatch):
    fake_fit(
        FakeModel(),
        [callbacks.BackupAndRestore(tmp_path / "b", delete_checkpoint=False)],
        LOGS[:1],
    )
    before = (tmp_path / "b/latest.npz").read_bytes()

    def broken_savez(file, **arrays):
        file.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(backup_and_restore.np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        fake_fit(
            FakeModel(),
            [callbacks.BackupAndRestore(tmp_path / "b", delete_checkpoint=False)],
            LOGS[:3],
        )
    assert os.listdir(tmp_path / "b") == ["latest.npz"]
    assert (tmp_path / "b/latest.npz").read_bytes() == before


def test_optimizer_mismatch_raises(tmp_path):
    _interrupted(tmp_path, epoch=1)
    model = FakeModel(optimizer=FakeOptimizer(shapes=[(2, 3)]))
    backup = callbacks.BackupAndRestore(tmp_path / "backup")
    with pytest.raises(ValueError, match="holds 6 variables.*have 5"):
        fake_fit(model, [backup], LOGS)


def test_unbuilt_model_raises(tmp_path):
    _interrupted(tmp_path, epoch=1)
    model = FakeModel()
    model.built = False
    with pytest.raises(ValueError, match="must be built"):
        fake_fit(model, [callbacks.BackupAndRestore(tmp_path / "backup")], LOGS)


def test_bad_arguments():
    with pytest.raises(ValueError, match="backup_dir"):
        callbacks.BackupAndRestore("")
    with pytest.raises(ValueError, match="save_freq"):
        callbacks.BackupAndRestore("d", save_freq="batch")


# -- real models: a resumed fit ends bit-identical to the unbroken one ---------


def _real_model(seed):
    kerax.utils.set_random_seed(seed)
    model = kerax.Sequential(
        [
            kerax.Input((4,)),
            kerax.layers.Dense(8, activation="relu"),
            kerax.layers.Dropout(0.3),
            kerax.layers.BatchNormalization(),
            kerax.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _real_fit(model, folder, save_freq, crash_after=None):
    """44 samples in batches of 8: 6 steps per epoch (the last one partial)."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(44, 4)).astype("float32"), np.arange(44) % 3
    extra = []
    if crash_after is not None:
        count = [0]

        def on_batch_end(batch, logs):
            count[0] += 1
            if count[0] == crash_after:
                raise Crash

        extra = [callbacks.LambdaCallback(on_train_batch_end=on_batch_end)]
    backup = callbacks.BackupAndRestore(folder, save_freq=save_freq)
    history = model.fit(
        x, y, batch_size=8, epochs=3, verbose=0, callbacks=[backup, *extra]
    )
    return history, backup


@pytest.fixture(scope="module")
def unbroken(tmp_path_factory):
    folder = tmp_path_factory.mktemp("unbroken")
    model = _real_model(1)
    history, _ = _real_fit(model, folder / "b", save_freq=2)
    state = [v.numpy() for v in backup_and_restore.training_variables(model)]
    return state, history.history


@pytest.mark.parametrize(
    "save_freq, crash_after, resumes_at",
    [
        (2, 5, (0, 4)),  # mid-epoch: backup after step 4 of epoch 0
        (3, 7, (1, 0)),  # the backup after the last step of epoch 0 ...
        (2, 14, (2, 2)),
    ],
)
def test_real_fit_resumes_at_the_exact_step(
    tmp_path, unbroken, save_freq, crash_after, resumes_at
):
    folder = tmp_path / "backup"
    with pytest.raises(Crash):
        _real_fit(_real_model(1), folder, save_freq, crash_after)
    with np.load(folder / "latest.npz") as data:
        saved = (int(data["epoch"]), int(data["step"]))
    # ... is stored as (epoch 0, step 6): the epoch's end still has to run.
    assert saved == {(1, 0): (0, 6)}.get(resumes_at, resumes_at)
    # Another global seed: the backup alone decides the rest of the run
    # (weights, Dropout's seed state, shuffle seed, optimizer, metrics).
    model = _real_model(123)
    history, backup = _real_fit(model, folder, save_freq)
    assert (backup._initial_epoch, backup._initial_step) == saved
    state = [v.numpy() for v in backup_and_restore.training_variables(model)]
    expected, expected_history = unbroken
    for got, want in zip(state, expected, strict=True):
        np.testing.assert_array_equal(got, want)
    for key, values in history.history.items():  # metrics restored mid-epoch
        assert values[-1] == expected_history[key][-1]
    assert not os.path.exists(folder)


def test_stale_temporary_files_are_removed(tmp_path):
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / ".kerax-abc.tmp").write_bytes(b"half a backup")
    (folder / "notes.txt").write_text("kept")
    backup = callbacks.BackupAndRestore(folder, delete_checkpoint=False)
    fake_fit(FakeModel(), [backup], LOGS[:1])
    assert sorted(os.listdir(folder)) == ["latest.npz", "notes.txt"]


def test_unreadable_backup_gives_a_clear_error(tmp_path):
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "latest.npz").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ValueError, match="cannot read the backup.*Delete the folder"):
        fake_fit(FakeModel(), [callbacks.BackupAndRestore(folder)], LOGS)


def test_foreign_backup_gives_a_clear_error(tmp_path):
    folder = tmp_path / "b"
    folder.mkdir()
    np.savez(folder / "latest.npz", epoch=1, weights_count=0)
    with pytest.raises(ValueError, match="lacks.*'count'"):
        fake_fit(FakeModel(), [callbacks.BackupAndRestore(folder)], LOGS)


def test_shape_mismatch_names_the_variable(tmp_path):
    _interrupted(tmp_path, epoch=1)
    model = FakeModel(optimizer=FakeOptimizer(shapes=[(2, 3), (4,)]))
    with pytest.raises(ValueError, match=r"variable 5 .* shape \(3,\).*\(4,\)"):
        fake_fit(model, [callbacks.BackupAndRestore(tmp_path / "backup")], LOGS)


def test_other_callbacks_progress_is_restored(tmp_path):
    """EarlyStopping's wait, best and best_weights continue as if never stopped."""

    def run(crash_after=None):
        model = _real_model(1)
        stopper = callbacks.EarlyStopping(
            monitor="loss", patience=3, min_delta=0.05, restore_best_weights=True
        )
        extra = []
        if crash_after is not None:
            extra = [
                callbacks.LambdaCallback(
                    on_epoch_begin=lambda epoch, logs: epoch == crash_after and _raise()
                )
            ]
        rng = np.random.default_rng(0)
        x, y = rng.normal(size=(44, 4)).astype("float32"), np.arange(44) % 3
        backup = callbacks.BackupAndRestore(tmp_path / "b")
        history = model.fit(
            x,
            y,
            batch_size=8,
            epochs=12,
            verbose=0,
            callbacks=[backup, stopper, *extra],
        )
        return model, stopper, history

    def _raise():
        raise Crash

    model, expected, history = run()
    assert 0 < expected.stopped_epoch < 11  # it stopped early, after waiting
    with pytest.raises(Crash):
        run(crash_after=expected.stopped_epoch - 1)  # while it was waiting
    resumed_model, stopper, resumed = run()
    assert resumed.epoch[0] == expected.stopped_epoch - 1
    assert stopper.stopped_epoch == expected.stopped_epoch
    assert (stopper.wait, stopper.best, stopper.best_epoch) == (
        expected.wait,
        expected.best,
        expected.best_epoch,
    )
    for got, want in zip(resumed_model.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(got, want)  # the restored best weights


def test_mid_epoch_backup_of_a_data_source_resumes_at_the_epoch_start(tmp_path):
    class Batches(kerax.utils.PyDataset):
        def __len__(self):
            return 4

        def __getitem__(self, index):
            x = np.full((8, 4), index, "float32")
            return x, np.arange(8) % 3

    folder = tmp_path / "b"
    with pytest.raises(Crash):
        _real_fit_source(_real_model(1), Batches(), folder, crash_after=6)
    with pytest.warns(UserWarning, match="after step 4 of epoch 1.*start of that"):
        history = _real_fit_source(_real_model(1), Batches(), folder)
    assert history.epoch == [0, 1, 2]


def _real_fit_source(model, source, folder, crash_after=None):
    extra = []
    if crash_after is not None:
        count = [0]

        def on_batch_end(batch, logs):
            count[0] += 1
            if count[0] == crash_after:
                raise Crash

        extra = [callbacks.LambdaCallback(on_train_batch_end=on_batch_end)]
    backup = callbacks.BackupAndRestore(folder, save_freq=4)
    return model.fit(source, epochs=3, verbose=0, callbacks=[backup, *extra])
