"""Tiny files in the exact formats of the upstream Keras datasets."""

from __future__ import annotations

import gzip
import io
import json
import pickle
import tarfile

import numpy as np

RNG = np.random.default_rng(42)


def _npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _ragged(count: int, vocabulary: int) -> np.ndarray:
    out = np.empty(count, dtype=object)
    for i in range(count):
        out[i] = [int(w) for w in RNG.integers(1, vocabulary, size=3 + i % 7)]
    return out


def mnist() -> bytes:
    return _npz(
        x_train=RNG.integers(0, 256, (6, 28, 28), dtype=np.uint8),
        y_train=RNG.integers(0, 10, 6, dtype=np.uint8),
        x_test=RNG.integers(0, 256, (4, 28, 28), dtype=np.uint8),
        y_test=RNG.integers(0, 10, 4, dtype=np.uint8),
    )


def imdb() -> bytes:
    return _npz(
        x_train=_ragged(12, 40),
        y_train=RNG.integers(0, 2, 12),
        x_test=_ragged(9, 40),
        y_test=RNG.integers(0, 2, 9),
    )


def reuters() -> bytes:
    return _npz(x=_ragged(15, 30), y=RNG.integers(0, 46, 15))


def word_index() -> bytes:
    return json.dumps({"the": 1, "and": 2, "a": 3, "film": 4}).encode()


def housing(features: int, count: int) -> bytes:
    return _npz(x=RNG.normal(size=(count, features)), y=RNG.uniform(5, 50, count))


def fashion() -> dict[str, bytes]:
    files = {}
    for prefix, count in (("train", 5), ("t10k", 3)):
        labels = RNG.integers(0, 10, count, dtype=np.uint8)
        images = RNG.integers(0, 256, (count, 28, 28), dtype=np.uint8)
        files[f"{prefix}-labels-idx1-ubyte.gz"] = gzip.compress(
            b"\0\0\x08\x01" + count.to_bytes(4, "big") + labels.tobytes()
        )
        header = b"\0\0\x08\x03" + b"".join(
            n.to_bytes(4, "big") for n in (count, 28, 28)
        )
        files[f"{prefix}-images-idx3-ubyte.gz"] = gzip.compress(
            header + images.tobytes()
        )
    return files


def _cifar_batch(count: int, label_keys: tuple[str, ...]) -> bytes:
    content = {b"data": RNG.integers(0, 256, (count, 3072), dtype=np.uint8)}
    for key in label_keys:
        content[key.encode()] = [int(v) for v in RNG.integers(0, 20, count)]
    return pickle.dumps(content, protocol=4)


def _tar_gz(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def cifar10() -> bytes:
    members = {
        f"cifar-10-batches-py/data_batch_{i}": _cifar_batch(2, ("labels",))
        for i in range(1, 6)
    }
    members["cifar-10-batches-py/test_batch"] = _cifar_batch(3, ("labels",))
    return _tar_gz(members)


def cifar100() -> bytes:
    keys = ("fine_labels", "coarse_labels")
    return _tar_gz(
        {
            "cifar-100-python/train": _cifar_batch(4, keys),
            "cifar-100-python/test": _cifar_batch(3, keys),
        }
    )


def all_files() -> dict[str, bytes]:
    """Every remote file of ``kerax.datasets._remote.SOURCES`` by name."""
    return {
        "mnist.npz": mnist(),
        "imdb.npz": imdb(),
        "imdb_word_index.json": word_index(),
        "reuters.npz": reuters(),
        "reuters_word_index.json": word_index(),
        "boston_housing.npz": housing(13, 20),
        "california_housing.npz": housing(8, 700),
        "cifar-10-python.tar.gz": cifar10(),
        "cifar-100-python.tar.gz": cifar100(),
    }
