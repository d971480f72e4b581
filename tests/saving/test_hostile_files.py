"""A folder of hostile files, built here: each is refused with a clear error and
loading it leaves no trace (no files written, no code run, weights untouched)."""

from __future__ import annotations

import io
import json
import os
import zipfile

import h5py
import numpy as np
import pytest

import kerax
from kerax.saving import load_model

SENTINEL = "kerax_hostile_sentinel.txt"


def _model():
    return kerax.Sequential(
        [
            kerax.Input((3,)),
            kerax.layers.Dense(2, name="d1"),
            kerax.layers.Dense(1, name="d2"),
        ]
    )


@pytest.fixture(scope="module")
def good_entries(tmp_path_factory):
    """The entries of a valid .keras file."""
    path = str(tmp_path_factory.mktemp("good") / "good.keras")
    _model().save(path)
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(path, entries, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)


def _patched_weights(entries, edit):
    buffer = io.BytesIO(entries["model.weights.h5"])
    with h5py.File(buffer, "a") as h5file:
        edit(h5file)
    return {**entries, "model.weights.h5": buffer.getvalue()}


def _patched_config(entries, edit):
    config = json.loads(entries["config.json"])
    edit(config)
    return {**entries, "config.json": json.dumps(config).encode()}


def _lambda_config(config):
    code = "BNAAAAAA"  # never decoded in safe mode
    config["config"]["layers"].append(
        {
            "module": "keras.layers",
            "class_name": "Lambda",
            "config": {
                "name": "evil",
                "function": {
                    "class_name": "__lambda__",
                    "config": {"code": code, "defaults": None, "closure": None},
                },
                "arguments": {},
            },
            "registered_name": None,
        }
    )


def _replace_dense(config, replacement):
    config["config"]["layers"][1] = replacement


def _deep_json(depth):
    return ("[" * depth + "]" * depth).encode()


def _weights(edit):
    return lambda entries: _patched_weights(entries, edit)


def _config(edit):
    return lambda entries: _patched_config(entries, edit)


def _entries(**changes):
    return lambda entries: {**entries, **changes}


def _wrong_shape(f):
    del f["layers/dense/vars/0"]
    f["layers/dense/vars/0"] = np.zeros((4, 2), "float32")


def _wrong_dtype(f):
    del f["layers/dense/vars/1"]
    f["layers/dense/vars/1"] = np.array([b"ab", b"cd"])


def _int_weights(f):
    del f["layers/dense/vars/1"]
    f["layers/dense/vars/1"] = np.zeros((2,), "int32")


def _external_link(f):
    del f["layers/dense/vars/0"]
    f["layers/dense/vars/0"] = h5py.ExternalLink("/etc/passwd", "/x")


def _soft_link(f):
    f["elsewhere"] = f["layers/dense/vars/0"][()]
    del f["layers/dense/vars/0"]
    f["layers/dense/vars/0"] = h5py.SoftLink("/elsewhere")


OS_SYSTEM = {
    "module": "os",
    "class_name": "function",
    "config": "system",
    "registered_name": "function",
}
OBJECT_ARRAY = {"class_name": "__numpy__", "config": {"value": [1], "dtype": "object"}}


def _function_from_os(config):
    dense = config["config"]["layers"][1]["config"]
    dense["activation"] = OS_SYSTEM


# (file name, how to build it from a good file's entries, expected error, message)
CASES = [
    ("zip_slip.keras", _entries(**{"../escape.txt": b"x"}), ValueError, "path traversal"),
    ("absolute.keras", _entries(**{"/tmp/abs.txt": b"x"}), ValueError, "path traversal"),
    ("backslash.keras", _entries(**{"..\\evil.txt": b"x"}), ValueError, "path traversal"),
    ("no_config.keras", lambda e: {"model.weights.h5": e["model.weights.h5"]}, ValueError, "no config.json"),
    ("not_utf8.keras", _entries(**{"config.json": b"\xff\xfe{}"}), ValueError, "UTF-8"),
    ("not_json.keras", _entries(**{"config.json": b"{'a': 1"}), ValueError, "not valid JSON"),
    ("deep_json.keras", _entries(**{"config.json": _deep_json(200_000)}), ValueError, "nested too deeply"),
    ("deepish_json.keras", _entries(**{"config.json": _deep_json(300)}), ValueError, "nested too deeply"),
    ("not_hdf5.keras", _entries(**{"model.weights.h5": b"not hdf5"}), ValueError, "not a valid HDF5"),
    ("wrong_shape.keras", _weights(_wrong_shape), ValueError, "Shape mismatch"),
    ("string_weights.keras", _weights(_wrong_dtype), ValueError, "must be numeric"),
    ("int_weights.keras", _weights(_int_weights), ValueError, "Dtype mismatch"),
    ("missing_weight.keras", _weights(lambda f: f.__delitem__("layers/dense/vars/1")), ValueError, "expects 2 variables"),
    ("extra_weight.keras", _weights(lambda f: f.create_dataset("layers/dense/vars/2", data=[1.0])), ValueError, "expects 2 variables"),
    ("extra_group.keras", _weights(lambda f: f.create_dataset("layers/ghost/vars/0", data=[1.0])), ValueError, "no variable"),
    ("external_link.keras", _weights(_external_link), ValueError, "ExternalLink"),
    ("soft_link.keras", _weights(_soft_link), ValueError, "SoftLink"),
    ("lambda.keras", _config(_lambda_config), ValueError, "safe_mode=False"),
    ("os_activation.keras", _config(_function_from_os), ValueError, "Unknown activation function 'system'"),
    ("os_loss.keras", _config(lambda c: c.update(compile_config={"optimizer": "sgd", "loss": OS_SYSTEM})), TypeError, "Could not locate function 'system'"),
    ("os_class.keras", _config(lambda c: _replace_dense(c, {"module": "subprocess", "class_name": "Popen", "config": {"args": ["touch", SENTINEL]}, "registered_name": None})), TypeError, "Could not locate class 'Popen'"),
    ("callback.keras", _config(lambda c: _replace_dense(c, {"module": "keras.callbacks", "class_name": "RemoteMonitor", "config": {}, "registered_name": None})), TypeError, "Could not locate class 'RemoteMonitor'"),
    ("object_array.keras", _config(lambda c: c.update(compile_config={"optimizer": "sgd", "loss": OBJECT_ARRAY})), ValueError, "only numeric and bool"),
]  # fmt: skip


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory, good_entries):
    """Every case written as a file in one folder."""
    folder = tmp_path_factory.mktemp("hostile")
    for name, build, _, _ in CASES:
        _zip(folder / name, build(good_entries))
    (folder / "not_zip.keras").write_bytes(b"this is plain text, not a zip archive")
    good = folder / "truncated.keras"
    _zip(good, good_entries)
    good.write_bytes(good.read_bytes()[:300])
    bomb = {**good_entries, "model.weights.h5": bytes(65 * 1024 * 1024)}
    _zip(folder / "bomb.keras", bomb, compression=zipfile.ZIP_DEFLATED)
    duplicate = folder / "duplicate.keras"
    _zip(duplicate, good_entries)
    with pytest.warns(UserWarning), zipfile.ZipFile(duplicate, "a") as archive:
        archive.writestr("config.json", b"{}")
    return folder


EXTRA_CASES = [
    ("not_zip.keras", ValueError, "not a valid .keras file"),
    ("truncated.keras", ValueError, "not a valid .keras file"),
    ("bomb.keras", ValueError, "decompression bomb"),
    ("duplicate.keras", ValueError, "appears twice"),
]


def _snapshot(folder):
    return sorted(os.listdir(folder)), sorted(os.listdir(os.getcwd()))


@pytest.mark.parametrize(
    "name,error,message",
    [(c[0], c[2], c[3]) for c in CASES] + EXTRA_CASES,
    ids=lambda v: v if isinstance(v, str) and v.endswith(".keras") else "",
)
def test_hostile_file_is_refused_without_side_effects(
    hostile_folder, name, error, message
):
    before = _snapshot(hostile_folder)
    with pytest.raises(error, match=message):
        load_model(str(hostile_folder / name))
    assert _snapshot(hostile_folder) == before
    assert not os.path.exists(SENTINEL)


@pytest.mark.parametrize(
    "name", ["wrong_shape.keras", "missing_weight.keras", "extra_group.keras"]
)
def test_bad_weights_leave_the_model_untouched(hostile_folder, name):
    model = _model()
    before = model.get_weights()
    with pytest.raises(ValueError):
        model.load_weights(str(hostile_folder / name))
    for expected, actual in zip(before, model.get_weights()):
        np.testing.assert_array_equal(actual, expected)


def test_skip_mismatch_loads_what_matches(hostile_folder, good_entries):
    """The mismatching layer keeps its weights; the other layer is loaded."""
    reference = _model()
    reference_path = hostile_folder / "reference.keras"
    _zip(reference_path, good_entries)
    reference.load_weights(str(reference_path))
    model = _model()
    model.set_weights([w + 1.0 for w in reference.get_weights()])
    before = model.get_weights()
    with pytest.warns(UserWarning, match="Skipping loading weights"):
        model.load_weights(
            str(hostile_folder / "wrong_shape.keras"), skip_mismatch=True
        )
    after = model.get_weights()
    for index in (0, 1):  # layer d1: its kernel in the file has the wrong shape
        np.testing.assert_array_equal(after[index], before[index])
    for index in (2, 3):  # layer d2: loaded from the file
        np.testing.assert_array_equal(after[index], reference.get_weights()[index])


def test_lambda_is_never_stored_as_code(tmp_path):
    model = kerax.Sequential(
        [
            kerax.Input((2,)),
            kerax.layers.Lambda(lambda x: x * 3.0),
            kerax.layers.Dense(1),
        ]
    )
    path = tmp_path / "lambda.keras"
    with pytest.raises(ValueError, match="never carry code"):
        model.save(str(path))
    assert not path.exists()
