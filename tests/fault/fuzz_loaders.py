"""Mutated model files through kerax's loaders, in a process of its own.

``python fuzz_loaders.py FOLDER SEED CASES`` saves a small model as ``.keras``,
``.weights.h5`` and legacy ``.h5`` in FOLDER, then loads CASES seeded
mutations of them (bytes flipped or overwritten, truncations, zip entries
dropped, renamed, duplicated, compressed or corrupted, HDF5 payloads mutated
inside a valid zip). It prints one JSON line per case that did not load or
raise a documented error with a message (``ValueError``, ``OSError``, or
kerax's ``RebuildError`` for a config that names an unknown class or argument):
``{"case", "kind", "error"}``, then a summary line. Each case is announced
first (``{"running"}``); one running longer than ``CASE_SECONDS`` ends the
process with a traceback (a hang, even inside HDF5's C code), and a crash of
the interpreter shows as the process's exit status.
"""

from __future__ import annotations

import faulthandler
import io
import json
import os
import signal
import sys
import traceback
import zipfile

os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false")

import numpy as np  # noqa: E402

import kerax  # noqa: E402
from kerax.saving.serialization import RebuildError  # noqa: E402

CASE_SECONDS = 20
# RebuildError (a TypeError, as Keras raises) says which class or config failed.
DOCUMENTED = (ValueError, OSError, RebuildError)
INTERNAL = (KeyError, AttributeError, IndexError, UnicodeError, LookupError)


class Hang(Exception):
    pass


def _model() -> kerax.Model:
    kerax.utils.set_random_seed(0)
    model = kerax.Sequential(
        [
            kerax.Input((3,)),
            kerax.layers.Dense(4, activation="relu", name="d1"),
            kerax.layers.BatchNormalization(name="bn"),
            kerax.layers.Dense(2, name="d2"),
        ]
    )
    model.compile("adam", "mse")
    model.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)
    return model


def _mutate_bytes(data: bytes, rng: np.random.Generator) -> tuple[str, bytes]:
    kind = ("flip", "overwrite", "truncate", "zero_run")[rng.integers(4)]
    buf = bytearray(data)
    if kind == "truncate":
        return kind, bytes(buf[: int(rng.integers(0, len(buf)))])
    if kind == "flip":
        for pos in rng.integers(0, len(buf), size=int(rng.integers(1, 9))):
            buf[pos] ^= 1 << int(rng.integers(8))
        return kind, bytes(buf)
    start = int(rng.integers(0, len(buf)))
    length = int(rng.integers(1, 64))
    fill = rng.integers(0, 256, size=length) if kind == "overwrite" else [0] * length
    buf[start : start + length] = bytes(int(v) for v in fill)[: len(buf) - start]
    return kind, bytes(buf)


def _rezip(entries: list[tuple[str, bytes]], compression: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return out.getvalue()


def _mutate_archive(data: bytes, rng: np.random.Generator) -> tuple[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = [(n, archive.read(n)) for n in archive.namelist()]
    kind = ("drop", "rename", "duplicate", "entry_bytes", "deflate_bytes", "swap")[
        rng.integers(6)
    ]
    pick = int(rng.integers(len(entries)))
    name, payload = entries[pick]
    compression = zipfile.ZIP_STORED
    if kind == "drop":
        del entries[pick]
    elif kind == "rename":
        entries[pick] = (name + ("x", "/", "../e", ".json")[rng.integers(4)], payload)
    elif kind == "duplicate":
        entries.append((name, payload[: len(payload) // 2]))
    elif kind == "entry_bytes":
        sub, mutated = _mutate_bytes(payload, rng)
        kind = f"entry_bytes:{name}:{sub}"
        entries[pick] = (name, mutated)
    elif kind == "swap":
        other = int(rng.integers(len(entries)))
        entries[pick] = (name, entries[other][1])
    if kind == "deflate_bytes":
        sub, mutated = _mutate_bytes(_rezip(entries, zipfile.ZIP_DEFLATED), rng)
        return f"deflate_bytes:{sub}", mutated
    return kind, _rezip(entries, compression)


def _load(path: str) -> None:
    if path.endswith(".weights.h5"):
        _model_shell().load_weights(path)
        return
    model = kerax.saving.load_model(path)
    model.predict(np.ones((2, 3), "float32"), verbose=0)
    _model_shell().load_weights(path)


_SHELL: list = []


def _model_shell() -> kerax.Model:
    if not _SHELL:
        _SHELL.append(_model())
    return _SHELL[0]


def _cases(folder: str, seed: int, count: int):
    model = _model()
    originals = {}
    for suffix in (".keras", ".weights.h5", ".h5"):
        path = os.path.join(folder, f"original{suffix}")
        if suffix == ".weights.h5":
            model.save_weights(path)
        else:
            model.save(path)
        with open(path, "rb") as file:
            originals[suffix] = file.read()
    rng = np.random.default_rng(seed)
    suffixes = sorted(originals)
    for case in range(count):
        suffix = suffixes[case % len(suffixes)]
        data = originals[suffix]
        if suffix == ".keras" and rng.random() < 0.5:
            kind, mutated = _mutate_archive(data, rng)
        else:
            kind, mutated = _mutate_bytes(data, rng)
        yield case, f"{suffix} {kind}", suffix, mutated


def _alarm(signum, frame):
    raise Hang(f"no answer within {CASE_SECONDS} s")


def main() -> None:
    folder, seed, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    signal.signal(signal.SIGALRM, _alarm)
    outcomes = {"loaded": 0, "refused": 0, "bad": 0}
    for case, kind, suffix, data in _cases(folder, seed, count):
        path = os.path.join(folder, f"case{case}{suffix}")
        with open(path, "wb") as file:
            file.write(data)
        print(json.dumps({"running": case, "kind": kind}), flush=True)
        faulthandler.dump_traceback_later(CASE_SECONDS, exit=True)  # a hang in C
        signal.alarm(CASE_SECONDS)
        try:
            _load(path)
            outcomes["loaded"] += 1
        except DOCUMENTED as error:
            if isinstance(error, INTERNAL) or not str(error):
                outcomes["bad"] += 1
                detail = repr(error) + " " + traceback.format_exc()[-1500:]
                print(json.dumps({"case": case, "kind": kind, "error": detail}))
            else:
                outcomes["refused"] += 1
        except BaseException as error:  # noqa: BLE001 - the fuzzer reports all
            outcomes["bad"] += 1
            detail = repr(error) + " " + traceback.format_exc()[-1500:]
            print(json.dumps({"case": case, "kind": kind, "error": detail}))
        finally:
            signal.alarm(0)
            faulthandler.cancel_dump_traceback_later()
        os.remove(path)
    print(json.dumps({"summary": outcomes}))


if __name__ == "__main__":
    main()
