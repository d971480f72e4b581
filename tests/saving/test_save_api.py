"""The saving API: file names, atomic writes, JSON, file objects, ``clone_model``."""

from __future__ import annotations

import io
import json
import os
import zipfile

import numpy as np
import pytest
from saving_models import KeraxTower

import kerax
from kerax.saving import (
    archive,
    clone_model,
    load_model,
    model_from_json,
    model_to_json,
    save_model,
)


def _model():
    return kerax.Sequential(
        [
            kerax.Input((3,)),
            kerax.layers.Dense(4, activation="relu"),
            kerax.layers.Dense(1),
        ]
    )


X = np.arange(6, dtype="float32").reshape(2, 3) / 6.0


def test_archive_layout_is_keras(tmp_path):
    path = str(tmp_path / "m.keras")
    _model().save(path)
    with zipfile.ZipFile(path) as saved:
        infos = saved.infolist()
        assert [i.filename for i in infos] == [
            "metadata.json",
            "config.json",
            "model.weights.h5",
        ]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in infos)
        metadata = json.loads(saved.read("metadata.json"))
    assert set(metadata) >= {"keras_version", "date_saved"}
    assert oct(os.stat(path).st_mode & 0o777) != oct(0o600)


def test_crash_during_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = str(tmp_path / "m.keras")
    model = _model()
    model.save(path)
    before = open(path, "rb").read()

    def crash(fd):
        raise OSError("disk full")

    monkeypatch.setattr(archive.os, "fsync", crash)
    model.layers[0].kernel.assign(np.ones((3, 4), "float32"))
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    assert open(path, "rb").read() == before
    assert os.listdir(tmp_path) == ["m.keras"]


def test_overwrite_false_refuses_existing_files(tmp_path):
    path = str(tmp_path / "m.keras")
    model = _model()
    model.save(path)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        model.save(path, overwrite=False)
    weights = str(tmp_path / "m.weights.h5")
    model.save_weights(weights)
    with pytest.raises(FileExistsError):
        model.save_weights(weights, overwrite=False)


@pytest.mark.parametrize(
    "call,error,message",
    [
        (lambda m, d: m.save(d / "m.txt"), ValueError, "Invalid filepath extension"),
        (lambda m, d: load_model(d / "missing.h5"), FileNotFoundError, "File not found"),
        (lambda m, d: m.load_weights(d / "missing.h5"), FileNotFoundError, "File not found"),
        (lambda m, d: m.save_weights(d / "w.npz"), ValueError, "must end in `.weights.h5`"),
        (lambda m, d: load_model(d / "missing.keras"), FileNotFoundError, "File not found"),
        (lambda m, d: load_model(d / "m.weights.h5"), ValueError, "File format not supported"),
        (lambda m, d: m.load_weights(d / "missing.weights.h5"), FileNotFoundError, "File not found"),
        (lambda m, d: m.save(d / "m.keras", zipped=False), ValueError, "zipped"),
        (lambda m, d: m.save(d / "m.keras", bogus=1), TypeError, "bogus"),
        (lambda m, d: save_model(m, 3), TypeError, "path or a binary file"),
        (lambda m, d: m.export(d / "m", format="litert"), ValueError, "format=.jax."),
    ],
    ids=["ext", "h5", "weights-h5", "weights-ext", "missing", "weights-as-model", "missing-weights", "unzipped", "kwarg", "not-a-path", "export"],
)  # fmt: skip
def test_bad_paths_and_arguments(tmp_path, call, error, message):
    with pytest.raises(error, match=message):
        call(_model(), tmp_path)


def test_file_objects_and_weights_from_a_keras_archive(tmp_path):
    model = _model()
    buffer = io.BytesIO()
    save_model(model, buffer)
    buffer.seek(0)
    loaded = load_model(buffer)
    np.testing.assert_allclose(
        loaded.predict(X, verbose=0), model.predict(X, verbose=0)
    )
    path = str(tmp_path / "m.keras")
    model.save(path)
    other = _model()
    other.load_weights(path)
    for expected, actual in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(actual, expected)


def test_json_round_trip():
    model = _model()
    text = model.to_json()
    assert text == model_to_json(model)
    rebuilt = model_from_json(text)
    assert (
        json.loads(rebuilt.to_json())["config"]["layers"]
        == json.loads(text)["config"]["layers"]
    )
    assert model_to_json(model, indent=2).startswith("{\n")
    with pytest.raises(ValueError, match="not valid JSON"):
        model_from_json("{")


def _same_architecture(a, b):
    assert [type(x) for x in a.layers] == [type(x) for x in b.layers]
    assert [w.shape for w in a.get_weights()] == [w.shape for w in b.get_weights()]


def test_clone_sequential_has_new_weights():
    model = _model()
    clone = clone_model(model)
    _same_architecture(model, clone)
    assert clone.layers[0] is not model.layers[0]
    assert not np.array_equal(clone.get_weights()[0], model.get_weights()[0])
    assert [x.name for x in clone.layers] == [x.name for x in model.layers]
    with pytest.raises(ValueError, match="call_function"):
        clone_model(model, call_function=lambda layer, *a, **k: layer(*a, **k))


def test_clone_functional_keeps_sharing_and_applies_functions():
    x = kerax.Input((3,), name="x")
    shared = kerax.layers.Dense(3, name="shared")
    model = kerax.Model(x, kerax.ops.add(shared(x), shared(shared(x))))
    calls = []

    def call_function(layer, *args, **kwargs):
        calls.append(layer.name)
        return layer(*args, **kwargs)

    clone = clone_model(
        model,
        clone_function=lambda layer: kerax.layers.Dense.from_config(layer.get_config()),
        call_function=call_function,
    )
    assert calls == ["shared", "shared", "shared"]
    assert len(clone.weights) == 2
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(
        clone.predict(X, verbose=0), model.predict(X, verbose=0), rtol=1e-6
    )
    new_input = kerax.Input((3,), name="new")
    on_new = clone_model(model, input_tensors=new_input)
    assert on_new.inputs[0] is new_input


def test_clone_subclassed_model():
    model = KeraxTower(units=2)
    model(X)
    clone = clone_model(model)
    assert type(clone) is KeraxTower and clone.units == 2
    clone(X)
    _same_architecture(model, clone)
    with pytest.raises(
        ValueError, match="only supported for Sequential and Functional"
    ):
        clone_model(model, clone_function=lambda layer: layer)


def test_model_methods_delegate(tmp_path):
    model = _model()
    model.compile(optimizer="sgd", loss="mse")
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = load_model(path)
    assert loaded.compiled and type(loaded.optimizer).__name__ == "SGD"
    model.save_weights(str(tmp_path / "w.weights.h5"))
    loaded.load_weights(str(tmp_path / "w.weights.h5"))
