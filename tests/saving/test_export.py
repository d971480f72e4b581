"""``model.export`` / ``kerax.saving.load_exported``: jax.export artifacts."""

from __future__ import annotations

import zipfile

import jax
import numpy as np
import pytest
from saving_models import KeraxTower

import kerax
from kerax.saving import load_exported

pytest.importorskip("flatbuffers", reason="jax.export serialization needs flatbuffers")


def test_functional_export_runs_any_batch_size(tmp_path):
    x = kerax.Input((4,))
    y = kerax.layers.BatchNormalization()(kerax.layers.Dense(3, activation="relu")(x))
    model = kerax.Model(x, kerax.layers.Dense(2)(y))
    path = str(tmp_path / "model.zip")
    model.export(path)
    served = load_exported(path)
    for batch in (1, 5):
        data = np.random.default_rng(batch).random((batch, 4), dtype="float32")
        np.testing.assert_allclose(
            np.asarray(served.serve(data)), model.predict(data, verbose=0), rtol=1e-6
        )
    assert served.description["trainable"] == 6


def test_dict_inputs_and_recurrent_layers(tmp_path):
    a = kerax.Input((5, 3), name="a")
    b = kerax.Input((2,), name="b")
    merged = kerax.layers.Concatenate()([kerax.layers.LSTM(4)(a), b])
    model = kerax.Model({"a": a, "b": b}, {"out": kerax.layers.Dense(1)(merged)})
    path = str(tmp_path / "model.zip")
    model.export(path)  # the LSTM's scan takes a symbolic batch size
    rng = np.random.default_rng(0)
    for batch in (1, 7):
        data = {
            "a": rng.random((batch, 5, 3), dtype="float32"),
            "b": rng.random((batch, 2), dtype="float32"),
        }
        np.testing.assert_allclose(
            np.asarray(load_exported(path)(data)["out"]),
            model.predict(data, verbose=0)["out"],
            rtol=1e-6,
        )
    signature = {
        "a": jax.ShapeDtypeStruct((3, 5, 3), "float32"),
        "b": kerax.InputSpec(shape=(3, 2)),
    }
    model.export(path, input_signature=signature)
    data = {
        "a": rng.random((3, 5, 3), dtype="float32"),
        "b": rng.random((3, 2), dtype="float32"),
    }
    np.testing.assert_allclose(
        np.asarray(load_exported(path)(data)["out"]),
        model.predict(data, verbose=0)["out"],
        rtol=1e-6,
    )


def test_subclassed_model_needs_a_signature(tmp_path):
    model = KeraxTower(units=2)
    data = np.ones((2, 5), "float32")
    model(data)
    path = str(tmp_path / "tower.zip")
    with pytest.raises(ValueError, match="input_signature"):
        model.export(path)
    model.export(path, input_signature=kerax.InputSpec(shape=(None, 5)))
    np.testing.assert_allclose(
        np.asarray(load_exported(path).serve(data)), np.asarray(model(data)), rtol=1e-6
    )


def test_bad_formats_and_artifacts(tmp_path):
    model = kerax.Sequential([kerax.Input((2,)), kerax.layers.Dense(1)])
    with pytest.raises(ValueError, match="format='jax'"):
        model.export(str(tmp_path / "m"), format="tf_saved_model")
    path = tmp_path / "m.zip"
    model.export(str(path))
    with zipfile.ZipFile(path) as archive:
        entries = {n: archive.read(n) for n in archive.namelist()}
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data[:10] if name == "function.bin" else data)
    with pytest.raises(ValueError, match="cannot be read"):
        load_exported(str(broken))
    plain = tmp_path / "plain.zip"
    plain.write_text("not a zip")
    with pytest.raises(ValueError, match="not a valid .keras file"):
        load_exported(str(plain))
