"""Sharded weights (``save_weights(..., max_shard_size=...)``) as Keras 3 writes them."""

from __future__ import annotations

import json
import os

import h5py
import jax
import keras
import numpy as np
import pytest

import kerax

X = np.random.default_rng(0).random((3, 8)).astype("float32")
TINY = 1e-6  # GB: about 1 KiB, so this model needs four shards


def _model(lib):
    model = lib.Sequential(
        [
            lib.Input((8,)),
            lib.layers.Dense(16, name="first"),
            lib.layers.BatchNormalization(name="norm"),
            lib.layers.Dense(4, name="last"),
        ],
        name="model",
    )
    model.compile(optimizer=lib.optimizers.Adam(name="adam"), loss="mse")
    model.fit(X, np.ones((3, 4)), epochs=2, verbose=0)
    return model


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """The same architecture saved with sharding by kerax and by Keras."""
    folder = tmp_path_factory.mktemp("sharded")
    with jax.numpy_rank_promotion("allow"):  # Keras relies on implicit promotion
        kerax_model, keras_model = _model(kerax), _model(keras)
    kerax_model.save_weights(folder / "kerax.weights.json", max_shard_size=TINY)
    keras_model.save_weights(folder / "keras.weights.json", max_shard_size=TINY)
    return folder, kerax_model, keras_model


def _layout(folder, base: str) -> dict:
    """Each shard's groups (with attributes) and datasets (with shapes)."""
    layout = {}
    for name in sorted(os.listdir(folder)):
        if name.startswith(base + "_"):
            items = []
            with h5py.File(folder / name, "r") as h5file:
                h5file.visititems(
                    lambda key, obj, found=items: found.append(
                        (key, getattr(obj, "shape", None), dict(obj.attrs))
                    )
                )
            layout[name.replace(base, "X")] = items
    return layout


def test_layout_equals_keras(saved):
    folder, _, _ = saved
    ours = (folder / "kerax.weights.json").read_text()
    theirs = (folder / "keras.weights.json").read_text()
    assert ours == theirs.replace("keras_", "kerax_")  # same index, byte for byte
    assert len(json.loads(ours)["weight_map"]["/optimizer/vars"]) == 3
    assert _layout(folder, "kerax") == _layout(folder, "keras")
    assert sorted(_layout(folder, "kerax")) == [
        f"X_{i:05}.weights.h5" for i in range(4)
    ]


def test_kerax_shards_load_in_keras_and_back(saved):
    folder, kerax_model, _ = saved
    expected = kerax_model.predict(X, verbose=0)
    for lib in (keras, kerax):
        model = _model(lib)
        model.load_weights(folder / "kerax.weights.json")
        np.testing.assert_allclose(model.predict(X, verbose=0), expected, atol=1e-6)
        assert model.optimizer.iterations.numpy() == kerax_model.optimizer.iterations


def test_keras_shards_load_in_kerax(saved):
    folder, _, keras_model = saved
    model = _model(kerax)
    model.load_weights(folder / "keras.weights.json")
    np.testing.assert_allclose(
        model.predict(X, verbose=0), keras_model.predict(X, verbose=0), atol=1e-6
    )
    for ours, theirs in zip(model.optimizer.variables, keras_model.optimizer.variables):
        np.testing.assert_allclose(np.asarray(ours.value), np.asarray(theirs))


@pytest.mark.parametrize("max_shard_size", [TINY, 2.5e-6, 1.0])
def test_shard_sizes_are_respected(max_shard_size, tmp_path):
    model = _model(kerax)
    model.save_weights(tmp_path / "m.weights.json", max_shard_size=max_shard_size)
    limit = max_shard_size * 1024**3
    shards = sorted(p for p in os.listdir(tmp_path) if p.endswith(".h5"))
    total = 0.0
    for shard in shards:
        with h5py.File(tmp_path / shard, "r") as h5file:
            sizes = []
            h5file.visititems(
                lambda _, obj, found=sizes: (
                    found.append(obj.size * obj.dtype.itemsize)
                    if isinstance(obj, h5py.Dataset)
                    else None
                )
            )
        assert sum(sizes) <= limit
        total += sum(sizes)
    index = json.loads((tmp_path / "m.weights.json").read_text())
    assert index["metadata"]["total_size"] == total
    assert len(shards) >= np.ceil(total / limit)
    assert (len(shards) == 1) == (max_shard_size == 1.0)


def test_an_array_larger_than_a_shard_is_refused(tmp_path):
    model = kerax.Sequential([kerax.Input((64,)), kerax.layers.Dense(64)])
    with pytest.raises(ValueError, match="exceeds the maximum shard size"):
        model.save_weights(tmp_path / "m.weights.json", max_shard_size=TINY)
    assert os.listdir(tmp_path) == []  # nothing staged is left behind


def test_weights_h5_name_is_renamed_with_a_warning(tmp_path):
    model = _model(kerax)
    with pytest.warns(UserWarning, match="renamed to"):
        model.save_weights(tmp_path / "m.weights.h5", max_shard_size=1)
    assert sorted(os.listdir(tmp_path)) == ["m.weights.json", "m_00000.weights.h5"]
    with pytest.raises(FileExistsError):
        model.save_weights(
            tmp_path / "m.weights.json", overwrite=False, max_shard_size=1
        )


@pytest.mark.parametrize(
    "filepath, max_shard_size, error, match",
    [
        ("m.keras", 1, ValueError, "must end in `.weights.json`"),
        ("m.weights.json", None, ValueError, "must end in `.weights.h5`"),
        ("m.weights.json", 0, ValueError, "positive number"),
        ("m.weights.json", "1GB", ValueError, "positive number"),
    ],
)
def test_bad_arguments(filepath, max_shard_size, error, match, tmp_path):
    model = _model(kerax)
    with pytest.raises(error, match=match):
        model.save_weights(tmp_path / filepath, max_shard_size=max_shard_size)


def test_file_object_cannot_be_sharded(tmp_path):
    with open(tmp_path / "m.weights.json", "wb") as stream:
        with pytest.raises(TypeError, match="not a file object"):
            _model(kerax).save_weights(stream, max_shard_size=1)


# -- hostile or damaged indexes and shards ------------------------------------


@pytest.fixture
def copy(saved, tmp_path):
    """A writable copy of the kerax-written sharded checkpoint."""
    folder, _, _ = saved
    for name in os.listdir(folder):
        if name.startswith("kerax"):
            (tmp_path / name).write_bytes((folder / name).read_bytes())
    return tmp_path


def _edit_index(folder, change) -> None:
    path = folder / "kerax.weights.json"
    index = json.loads(path.read_text())
    change(index["weight_map"])
    path.write_text(json.dumps(index))


def _load(folder, exception, match):
    model = _model(kerax)
    before = [np.asarray(v.value) for v in model.weights]
    with pytest.raises(exception, match=match):
        model.load_weights(folder / "kerax.weights.json")
    for variable, value in zip(model.weights, before):  # nothing was assigned
        np.testing.assert_array_equal(np.asarray(variable.value), value)


def test_missing_shard(copy):
    os.remove(copy / "kerax_00002.weights.h5")
    _load(copy, FileNotFoundError, "kerax_00002.weights.h5.*is missing")


@pytest.mark.parametrize("data", [b"", b"not hdf5 at all", None])
def test_corrupt_shard(copy, data):
    shard = copy / "kerax_00001.weights.h5"
    raw = shard.read_bytes()
    shard.write_bytes(raw[: len(raw) // 2] if data is None else data)
    _load(copy, ValueError, "kerax_00001.weights.h5.*not a valid HDF5")


@pytest.mark.parametrize(
    "name",
    [
        "../kerax_00000.weights.h5",
        "/tmp/kerax_00000.weights.h5",
        "sub/x.weights.h5",
        "..",
        "C:x.weights.h5",
        "",
    ],
)
def test_index_naming_paths_outside_its_folder(copy, name):
    _edit_index(copy, lambda m: m.__setitem__("/layers/dense/vars", [name]))
    _load(copy, ValueError, "not a plain file name")


def test_shard_link_leading_outside_is_refused(copy, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "kerax_00000.weights.h5"
    os.replace(copy / "kerax_00000.weights.h5", outside)
    os.symlink(outside, copy / "kerax_00000.weights.h5")
    _load(copy, ValueError, "link leading out")


@pytest.mark.parametrize(
    "text, match",
    [
        ("[1, 2]", "no `weight_map`"),
        ('{"weight_map": {"/vars": 3}}', "must name a shard file"),
        ('{"weight_map": {"/vars": []}}', "must name a shard file"),
        ("{not json", "not valid JSON"),
    ],
)
def test_malformed_index(copy, text, match):
    (copy / "kerax.weights.json").write_text(text)
    _load(copy, ValueError, match)


def test_index_and_shards_that_disagree(copy):
    _edit_index(
        copy, lambda m: m.__setitem__("/layers/dense/vars", ["kerax_00003.weights.h5"])
    )
    _load(copy, ValueError, "has no such group")


def test_weights_the_index_does_not_list_are_extra(copy):
    _edit_index(copy, lambda m: m.pop("/layers/batch_normalization/vars"))
    _load(copy, ValueError, "batch_normalization")


def test_keras_files_are_not_sharded(tmp_path):
    """Keras 3.15's ``model.save`` refuses ``max_shard_size`` too."""
    with pytest.raises(ValueError, match=r"not supported: \['max_shard_size'\]"):
        _model(kerax).save(tmp_path / "m.keras", max_shard_size=1)


def test_a_failed_save_never_leaves_an_index_over_mixed_shards(tmp_path, monkeypatch):
    from kerax.saving import archive

    model = _model(kerax)
    path = tmp_path / "m.weights.json"
    model.save_weights(path, max_shard_size=TINY)
    big = kerax.Sequential([kerax.Input((64,)), kerax.layers.Dense(64)])
    with pytest.raises(ValueError, match="exceeds"):  # fails while staging
        big.save_weights(path, max_shard_size=TINY)
    _model(kerax).load_weights(path)  # the old checkpoint is intact
    commit, calls = archive.commit_file, []

    def crash_on_second(temp, final):
        calls.append(final)
        if len(calls) == 2:
            raise OSError("disk full")
        commit(temp, final)

    monkeypatch.setattr(archive, "commit_file", crash_on_second)
    with pytest.raises(OSError, match="disk full"):
        model.save_weights(path, max_shard_size=TINY)
    assert not path.exists()  # no index: never old index + some new shards
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".kerax-")]
    with pytest.raises(FileNotFoundError):
        _model(kerax).load_weights(path)
