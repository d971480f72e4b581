"""Mutated .keras / .weights.h5 / .h5 files: loaded, or refused with a clear error.

The fuzz run (``fuzz_loaders.py``) runs in its own process so that a crash of
the interpreter or a hang inside HDF5 fails this test instead of killing the
test session. What it found before the fixes, now tested directly below: an
endless loop in HDF5 on a damaged global heap, ``RuntimeError``/``KeyError``/
``UnicodeError`` from h5py on damaged metadata, a ``TypeError`` on entry names
that are not UTF-8, and a ``UnicodeEncodeError`` on a garbled JSON attribute.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys

import h5py
import numpy as np
import pytest

import kerax
from kerax.saving import h5_guard, safe_json

FUZZER = os.path.join(os.path.dirname(__file__), "fuzz_loaders.py")
CASES = 300


def test_fuzzed_files_load_or_raise_documented_errors(tmp_path):
    run = subprocess.run(
        [sys.executable, FUZZER, str(tmp_path), "0", str(CASES)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    last_case = next((x for x in reversed(lines) if "running" in x), None)
    assert run.returncode == 0, (last_case, run.stderr[-3000:])
    bad = [x for x in lines if "error" in x]
    assert not bad, bad[:3]
    summary = lines[-1]["summary"]
    assert sum(summary.values()) == CASES
    assert summary["loaded"] > 0 and summary["refused"] > CASES // 2


@pytest.fixture(scope="module")
def legacy_bytes(tmp_path_factory):
    path = tmp_path_factory.mktemp("h5") / "m.h5"
    model = kerax.Sequential([kerax.Input((3,)), kerax.layers.Dense(2, name="d")])
    model.save(str(path))
    return path.read_bytes()


def _heaps(data):
    """Offsets of the global heap collections of an HDF5 file."""
    found, position = [], data.find(b"GCOL")
    while position >= 0:
        found.append(position)
        position = data.find(b"GCOL", position + 1)
    return found


def test_valid_files_pass_the_heap_check(legacy_bytes, tmp_path):
    assert _heaps(legacy_bytes)  # the JSON attributes live in a global heap
    h5_guard.check_global_heaps(legacy_bytes, "m.h5")
    path = tmp_path / "m.h5"
    path.write_bytes(legacy_bytes)
    h5_guard.check_global_heaps(str(path), "m.h5")
    with open(path, "rb") as file:
        h5_guard.check_global_heaps(file, "m.h5")
        assert file.tell() == 0


def test_zero_sized_heap_object_is_refused_before_hdf5_reads_it(legacy_bytes, tmp_path):
    # HDF5 2.0 loops forever on this file (found by the fuzzer).
    data = bytearray(legacy_bytes)
    heap = _heaps(legacy_bytes)[0]
    first_size = struct.unpack_from("<Q", data, heap + 16 + 8)[0]
    second = heap + 16 + 16 + (first_size + 7) // 8 * 8
    data[second : second + 16] = bytes(16)  # index 0 (free space), size 0
    path = tmp_path / "loop.h5"
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="truncated or corrupt.*global heap"):
        kerax.saving.load_model(str(path))


def test_truncated_heap_is_refused(legacy_bytes):
    heap = _heaps(legacy_bytes)[-1]
    with pytest.raises(ValueError, match="global heap at byte"):
        h5_guard.check_global_heaps(legacy_bytes[: heap + 100], "cut.h5")


def test_h5py_errors_become_value_errors_naming_the_file(tmp_path):
    path = tmp_path / "w.h5"
    with h5py.File(path, "w") as h5file:
        h5file["x"] = np.zeros(2)
    with h5py.File(path, "r") as h5file:
        with pytest.raises(ValueError, match="w.h5 is not a readable HDF5 file"):
            with h5_guard.read_errors("w.h5"):
                h5file.attrs["missing"]  # KeyError raised inside h5py
    with pytest.raises(KeyError):  # kerax's own bugs are not disguised
        with h5_guard.read_errors("w.h5"):
            {}["missing"]


def test_json_with_undecodable_bytes_is_a_clear_error():
    with pytest.raises(ValueError, match="config is not valid UTF-8"):
        safe_json.loads('{"a": "\udca2"}', "config")


def test_weight_names_that_are_not_utf8_are_refused(tmp_path):
    model = kerax.Sequential([kerax.Input((3,)), kerax.layers.Dense(2)])
    path = str(tmp_path / "m.weights.h5")
    model.save_weights(path)
    with h5py.File(path, "a") as h5file:
        group = h5file["layers/dense/vars"]
        group.move("0", "zz")
    data = open(path, "rb").read().replace(b"zz", b"\xf0\xff", 1)
    with open(path, "wb") as file:
        file.write(data)
    with pytest.raises(ValueError, match="not valid UTF-8|not a readable HDF5"):
        model.load_weights(path)
