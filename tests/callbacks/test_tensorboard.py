"""TensorBoard: event files read back by TensorBoard hold what Keras would write."""

from __future__ import annotations

import glob
import json
import os
import sys

import pytest
from callback_fakes import FakeModel, fake_fit

from kerax import callbacks

LOGS = [
    {"loss": 0.5, "accuracy": 0.25, "val_loss": 0.75, "val_accuracy": 0.2},
    {"loss": 0.25, "accuracy": 0.5, "val_loss": 0.5, "val_accuracy": 0.4},
    {"loss": 0.125, "accuracy": 0.75, "val_loss": 0.25, "val_accuracy": 0.6},
]


def _read(folder):
    from tensorboard.backend.event_processing.event_accumulator import (
        EventAccumulator,
    )

    guidance = {"scalars": 0, "histograms": 0, "images": 0, "tensors": 0}
    events = EventAccumulator(folder, size_guidance=guidance)
    events.Reload()
    return events


def _scalars(events, tag):
    return [(e.step, pytest.approx(e.value)) for e in events.Scalars(tag)]


def test_epoch_scalars_train_and_validation(tmp_path):
    board = callbacks.TensorBoard(log_dir=tmp_path, write_graph=False)
    fake_fit(FakeModel(), [board], LOGS, validate=True)
    train = _read(str(tmp_path / "train"))
    val = _read(str(tmp_path / "validation"))
    assert sorted(train.Tags()["scalars"]) == [
        "epoch_accuracy",
        "epoch_learning_rate",
        "epoch_loss",
    ]
    assert _scalars(train, "epoch_loss") == [(0, 0.5), (1, 0.25), (2, 0.125)]
    assert _scalars(train, "epoch_learning_rate") == [(i, 0.1) for i in range(3)]
    assert _scalars(val, "epoch_accuracy") == [(0, 0.2), (1, 0.4), (2, 0.6)]
    # After each validation pass: metrics against the optimizer's iterations.
    assert _scalars(val, "evaluation_loss_vs_iterations") == [
        (3, 0.75),
        (6, 0.5),
        (9, 0.25),
    ]
    assert not train.Tags()["histograms"]


@pytest.mark.parametrize("update_freq,steps", [("batch", [1, 2, 3, 4, 5, 6]), (4, [4])])
def test_batch_scalars(tmp_path, update_freq, steps):
    board = callbacks.TensorBoard(
        log_dir=tmp_path, update_freq=update_freq, write_graph=False
    )
    assert board._needs_batch_hooks("train")
    fake_fit(FakeModel(), [board], LOGS[:2], batch_loss=lambda e, s: 10 * e + s)
    train = _read(str(tmp_path / "train"))
    expected = {1: 0, 2: 1, 3: 2, 4: 10, 5: 11, 6: 12}
    assert _scalars(train, "batch_loss") == [(s, expected[s]) for s in steps]


def test_epoch_update_freq_writes_no_batch_scalars(tmp_path):
    board = callbacks.TensorBoard(log_dir=tmp_path, write_graph=False)
    assert not board._needs_batch_hooks("train")
    fake_fit(FakeModel(), [board], LOGS[:1])
    assert "batch_loss" not in _read(str(tmp_path / "train")).Tags()["scalars"]


def test_histograms_and_images(tmp_path):
    board = callbacks.TensorBoard(
        log_dir=tmp_path, histogram_freq=2, write_images=True, write_graph=False
    )
    fake_fit(FakeModel(), [board], LOGS)
    train = _read(str(tmp_path / "train"))
    assert sorted(train.Tags()["histograms"]) == [
        "dense/w0/histogram",
        "dense/w1/histogram",
    ]
    histograms = train.Histograms("dense/w0/histogram")
    assert [h.step for h in histograms] == [0, 2]
    # Weights start at 0.5 and gain 1.0 per step (3 steps per epoch).
    assert histograms[0].histogram_value.min == pytest.approx(3.5)
    assert histograms[1].histogram_value.max == pytest.approx(9.5)
    assert sorted(train.Tags()["images"]) == ["dense/w0/image", "dense/w1/image"]


def test_model_structure_for_graph_dashboard(tmp_path):
    class Sequential(FakeModel):
        def to_json(self):
            return json.dumps({"class_name": "Sequential", "config": {}})

    board = callbacks.TensorBoard(log_dir=tmp_path)
    fake_fit(Sequential(), [board], LOGS[:1])
    train = _read(str(tmp_path / "train"))
    assert train.Tags()["tensors"] == ["keras"]
    tensor = train.Tensors("keras")[0].tensor_proto
    assert json.loads(tensor.string_val[0])["class_name"] == "Sequential"
    metadata = train.SummaryMetadata("keras")
    assert metadata.plugin_data.plugin_name == "graph_keras_model"


def test_steps_per_second(tmp_path):
    board = callbacks.TensorBoard(
        log_dir=tmp_path,
        write_steps_per_second=True,
        update_freq=1,
        write_graph=False,
    )
    fake_fit(FakeModel(), [board], LOGS[:1])
    tags = _read(str(tmp_path / "train")).Tags()["scalars"]
    assert "epoch_steps_per_second" in tags and "batch_steps_per_second" in tags


def test_profile_batch_writes_a_jax_trace(tmp_path):
    board = callbacks.TensorBoard(
        log_dir=tmp_path, profile_batch=(2, 3), write_graph=False
    )
    assert board._needs_batch_hooks("train")
    fake_fit(FakeModel(), [board], LOGS[:2])
    assert glob.glob(str(tmp_path / "train/plugins/profile/*/*.xplane.pb"))
    assert not board._is_tracing


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(update_freq="step"), "update_freq"),
        (dict(update_freq=0), "update_freq"),
        (dict(profile_batch=(5, 2)), "profile_batch"),
        (dict(profile_batch="a,b"), "profile_batch"),
        (dict(profile_batch=-1), "profile_batch"),
        (dict(embeddings_freq=1), "embeddings_freq"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        callbacks.TensorBoard(**kwargs)


def test_profile_batch_string_range():
    board = callbacks.TensorBoard(profile_batch="3,5")
    assert (board._start_batch, board._stop_batch) == (3, 5)


def test_missing_tensorboardx_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboardX", None)
    with pytest.raises(ImportError, match="pip install tensorboardX"):
        callbacks.TensorBoard()


def test_writes_nothing_until_used(tmp_path):
    callbacks.TensorBoard(log_dir=tmp_path / "logs")
    assert os.listdir(tmp_path) == []


def test_profile_batch_in_fit_traces_one_step_per_call_then_scans(
    tmp_path, monkeypatch
):
    import numpy as np

    import kerax
    from kerax.trainers import loops

    per_call = []

    def recording(model, hooks):
        per_call.append(steps_per_call(model, hooks))
        return per_call[-1]

    steps_per_call = loops.steps_per_call
    monkeypatch.setattr(loops, "steps_per_call", recording)
    model = kerax.Sequential([kerax.Input((3,)), kerax.layers.Dense(1)])
    model.compile("sgd", "mse")
    board = callbacks.TensorBoard(
        log_dir=tmp_path, profile_batch=(2, 3), write_graph=False
    )
    x = np.ones((64, 3), "float32")
    model.fit(x, x[:, :1], batch_size=8, epochs=2, verbose=0, callbacks=[board])
    traces = glob.glob(str(tmp_path / "train/plugins/profile/*/*.xplane.pb"))
    assert len(traces) == 1 and not board._is_tracing
    assert per_call[0] == 1 and per_call[-1] > 1  # scans again after the trace


def test_profile_batch_leaves_a_running_trace_alone(tmp_path):
    import kerax

    board = callbacks.TensorBoard(log_dir=tmp_path, profile_batch=1, write_graph=False)
    with kerax.utils.profile(tmp_path / "outer"):
        with pytest.warns(UserWarning, match="could not start the profiler"):
            fake_fit(FakeModel(), [board], LOGS[:1])
    assert glob.glob(str(tmp_path / "outer/plugins/profile/*/*.xplane.pb"))
    assert not glob.glob(str(tmp_path / "train/plugins/profile"))
