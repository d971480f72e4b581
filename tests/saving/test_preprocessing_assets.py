"""Adapted preprocessing state in ``.keras`` files, laid out as Keras 3 lays it.

The Keras-made files in ``fixtures/keras3_assets`` (made with TensorFlow,
which Keras's lookup layers need; see ``make_fixtures.py``) hold the same
layers adapted on the same data as the kerax models built here.
"""

from __future__ import annotations

import io
import json
import os
import zipfile

import h5py
import keras
import numpy as np
import pytest

import kerax
from kerax.saving import archive

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "keras3_assets")
with open(os.path.join(FIXTURES, "expected.json"), encoding="utf-8") as _file:
    EXPECTED = json.load(_file)
TEXT = np.array(["the cat sat", "the dog sat down", "a cat ran"])
WORDS = np.array(["cat", "dog", "dog", "émile", "émile", "émile"])
INTS = np.array([3, 4, 4, 9, 9, 9])
FLOATS = np.arange(24, dtype="float32").reshape(8, 3)
LOOKUPS = {
    "string_lookup": (lambda: kerax.layers.StringLookup(), WORDS),
    "string_lookup_tf_idf": (
        lambda: kerax.layers.StringLookup(output_mode="tf_idf"),
        WORDS,
    ),
    "text_vectorization": (
        lambda: kerax.layers.TextVectorization(max_tokens=8),
        TEXT,
    ),
    "text_vectorization_tf_idf": (
        lambda: kerax.layers.TextVectorization(output_mode="tf_idf", ngrams=2),
        TEXT,
    ),
}


def _kerax_model(name: str):
    """The kerax twin of the fixture ``name`` (same layers, same data)."""
    L = kerax.layers
    if name in LOOKUPS:
        make, data = LOOKUPS[name]
        layer = make()
        layer.adapt(data)
        return kerax.Sequential([layer], name=name)
    if name == "integer_lookup":
        layer = L.IntegerLookup(output_mode="multi_hot")
        layer.adapt(INTS)
        inputs = kerax.Input((3,), dtype="int32")
        return kerax.Model(inputs, layer(inputs))
    norm, disc = L.Normalization(), L.Discretization(num_bins=4)
    norm.adapt(FLOATS)
    disc.adapt(FLOATS)
    inputs = kerax.Input((3,))
    return kerax.Model(inputs, disc(norm(inputs)))


def _run(model, name: str) -> np.ndarray:
    x = np.asarray(EXPECTED[name]["x"])
    if name in LOOKUPS:  # string inputs run eagerly through the layer
        return np.asarray(model.layers[0](x))
    return np.asarray(model.predict(x.astype("int32" if "int" in name else "float32")))


def _entries(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as opened:
        return {name: opened.read(name) for name in opened.namelist()}


def _datasets(weights: bytes) -> dict[str, tuple]:
    found: dict[str, tuple] = {}
    with h5py.File(io.BytesIO(weights), "r") as h5file:
        h5file.visititems(
            lambda name, obj: (
                found.__setitem__(name, (obj.shape, obj.dtype.str))
                if isinstance(obj, h5py.Dataset)
                else None
            )
        )
    return found


NAMES = sorted(EXPECTED)


@pytest.mark.parametrize("name", NAMES)
def test_keras_file_loads_in_kerax(name):
    model = kerax.models.load_model(os.path.join(FIXTURES, f"{name}.keras"))
    np.testing.assert_allclose(_run(model, name), EXPECTED[name]["y"], rtol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_kerax_file_has_keras_layout_and_round_trips(name, tmp_path):
    model = _kerax_model(name)
    np.testing.assert_allclose(_run(model, name), EXPECTED[name]["y"], rtol=1e-6)
    path = tmp_path / f"{name}.keras"
    model.save(path)
    ours, theirs = _entries(path), _entries(os.path.join(FIXTURES, f"{name}.keras"))
    assets = sorted(n for n in theirs if n.startswith(archive.ASSETS))
    assert sorted(n for n in ours if n.startswith(archive.ASSETS)) == assets
    for asset in assets:  # byte for byte what Keras writes
        assert ours[asset] == theirs[asset]
    assert _datasets(ours[archive.WEIGHTS]) == _datasets(theirs[archive.WEIGHTS])
    loaded = kerax.models.load_model(path)
    np.testing.assert_allclose(_run(loaded, name), EXPECTED[name]["y"], rtol=1e-6)


def test_kerax_file_loads_in_keras(tmp_path):
    """Keras can build these two without TensorFlow (no lookup layer)."""
    path = tmp_path / "normalization.keras"
    _kerax_model("normalization").save(path)
    loaded = keras.models.load_model(path)
    x = np.asarray(EXPECTED["normalization"]["x"], "float32")
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), EXPECTED["normalization"]["y"], rtol=1e-6
    )


@pytest.mark.parametrize("name", sorted(LOOKUPS))
def test_kerax_lookup_file_loads_in_keras_with_tensorflow(name, tmp_path):
    pytest.importorskip("tensorflow")  # Keras's lookup layers need it
    path = tmp_path / f"{name}.keras"
    _kerax_model(name).save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(_run(loaded, name), EXPECTED[name]["y"], rtol=1e-6)


def test_save_weights_keeps_idf_weights_but_no_vocabulary(tmp_path):
    """As in Keras: ``idf_weights`` is a weight, the vocabulary an asset."""
    model = _kerax_model("string_lookup_tf_idf")
    model.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5", "r") as h5file:
        assert list(h5file["layers/string_lookup/vars"]) == ["idf_weights"]
    model.save_weights(tmp_path / "w.weights.json", max_shard_size=1)  # sharded too
    for name in ("w.weights.h5", "w.weights.json"):
        other = _kerax_model("string_lookup_tf_idf")
        other.layers[0].idf_weights = None
        other.load_weights(tmp_path / name)
        np.testing.assert_array_equal(
            other.layers[0].idf_weights, model.layers[0].idf_weights
        )


def _rewrite(source: str, target, change) -> None:
    entries = _entries(source)
    change(entries)
    with zipfile.ZipFile(target, "w") as opened:
        for name, data in entries.items():
            opened.writestr(name, data)


VOCABULARY = "assets/layers/string_lookup/vocabulary.txt"


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda e: e.pop(VOCABULARY), "no `vocabulary.txt` asset"),
        (lambda e: e.__setitem__(VOCABULARY, b"\xff\xfe[UNK]"), "UTF-8 text"),
        (
            lambda e: e.__setitem__(
                "assets/layers/string_lookup/vocabulary.txt/x", b""
            ),
            "clashes",
        ),
    ],
    ids=["missing", "not-utf8", "clash"],
)
def test_bad_assets_are_refused(change, match, tmp_path):
    target = tmp_path / "bad.keras"
    _rewrite(os.path.join(FIXTURES, "string_lookup.keras"), target, change)
    with pytest.raises(ValueError, match=match):
        kerax.models.load_model(target)


def test_asset_path_traversal_is_refused(tmp_path):
    target = tmp_path / "bad.keras"
    _rewrite(
        os.path.join(FIXTURES, "string_lookup.keras"),
        target,
        lambda e: e.__setitem__("assets/../../escape.txt", b"x"),
    )
    with pytest.raises(ValueError, match="path traversal"):
        kerax.models.load_model(target)
    assert not (tmp_path / "escape.txt").exists()


def test_oversized_assets_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "MAX_ASSET_BYTES", 10)
    with pytest.raises(ValueError, match="larger than allowed"):
        kerax.models.load_model(os.path.join(FIXTURES, "string_lookup.keras"))
    monkeypatch.setattr(archive, "MAX_ASSETS_BYTES", 10)
    with pytest.raises(ValueError, match="asset files declare"):
        kerax.models.load_model(os.path.join(FIXTURES, "string_lookup.keras"))


def _drop_idf(entries: dict[str, bytes]) -> None:
    buffer = io.BytesIO(entries[archive.WEIGHTS])
    with h5py.File(buffer, "a") as h5file:
        del h5file["layers/string_lookup/vars/idf_weights"]
    entries[archive.WEIGHTS] = buffer.getvalue()


def test_missing_idf_weights_is_a_clear_error(tmp_path):
    target = tmp_path / "bad.keras"
    _rewrite(os.path.join(FIXTURES, "string_lookup_tf_idf.keras"), target, _drop_idf)
    with pytest.raises(ValueError, match="string_lookup.*idf_weights"):
        kerax.models.load_model(target)


def test_skip_mismatch_warns_for_a_layer_state_that_cannot_load(tmp_path):
    target = tmp_path / "bad.keras"
    _rewrite(os.path.join(FIXTURES, "string_lookup_tf_idf.keras"), target, _drop_idf)
    model = _kerax_model("string_lookup_tf_idf")
    with pytest.warns(UserWarning, match="Skipping loading.*idf_weights"):
        model.load_weights(target, skip_mismatch=True)
    with pytest.raises(ValueError, match="idf_weights"):
        model.load_weights(target)
