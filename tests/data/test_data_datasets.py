"""kerax.datasets against Keras's own loaders, on tiny fixture files served locally.

The fixture files have the exact upstream formats; kerax downloads them from a
127.0.0.1 server (its sources patched to the fixtures' URLs and digests) and
Keras reads the very same cached files (its ``get_file`` patched to return
them), so both loaders see identical bytes.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import os
import pickle

import keras
import numpy as np
import pytest
from dataset_fixtures import all_files, fashion

import kerax
from kerax.datasets import _remote


@pytest.fixture
def hosted(server, kerax_home, monkeypatch):
    """Every dataset file served locally, with kerax's sources pointing there."""
    files = all_files()
    for name, data in files.items():
        server.files[name] = data
        digest = hashlib.sha256(data).hexdigest()
        monkeypatch.setitem(
            _remote.SOURCES, name, _remote.Source(server.url(name), digest)
        )
    server.files.update(fashion())
    monkeypatch.setattr(_remote, "FASHION_ORIGIN", server.url())
    return server


def _keras_reads_our_cache(monkeypatch, module: str, home) -> None:
    def cached(fname=None, origin=None, cache_subdir="datasets", **kwargs):
        return os.path.join(home, cache_subdir, fname or os.path.basename(origin))

    monkeypatch.setattr(
        importlib.import_module(f"keras.src.datasets.{module}"), "get_file", cached
    )


def _assert_same(ours, theirs):
    for got, want in zip(ours, theirs):
        for a, b in zip(got, want):
            assert a.dtype == b.dtype and a.shape == b.shape
            if a.dtype == object:
                assert [list(s) for s in a] == [list(s) for s in b]
            else:
                np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "module, kwargs",
    [
        ("mnist", {}),
        ("fashion_mnist", {}),
        ("boston_housing", {}),
        ("boston_housing", {"test_split": 0.5, "seed": 3}),
        ("california_housing", {}),
        ("california_housing", {"version": "small", "test_split": 0.1}),
        ("cifar100", {}),
        ("cifar100", {"label_mode": "coarse"}),
        ("imdb", {}),
        ("imdb", {"num_words": 12, "skip_top": 2, "seed": 5}),
        ("imdb", {"maxlen": 8, "start_char": None, "oov_char": None, "num_words": 20}),
        ("imdb", {"index_from": 0, "start_char": None}),
        ("reuters", {}),
        ("reuters", {"num_words": 10, "skip_top": 1, "maxlen": 7, "test_split": 0.3}),
        ("reuters", {"oov_char": None, "num_words": 15, "index_from": 1}),
    ],
)
def test_loader_matches_keras(module, kwargs, hosted, kerax_home, monkeypatch):
    ours = getattr(kerax.datasets, module).load_data(**kwargs)
    _keras_reads_our_cache(monkeypatch, module, kerax_home)
    theirs = getattr(keras.datasets, module).load_data(**kwargs)
    _assert_same(ours, theirs)


def test_cifar10_shapes_dtypes_and_order(hosted):
    # Keras's cifar10 hard-codes 50,000 training images, so the tiny fixture is
    # checked by hand: five batches of 2 then the test batch, channels last.
    (x_train, y_train), (x_test, y_test) = kerax.datasets.cifar10.load_data()
    assert x_train.shape == (10, 32, 32, 3) and x_test.shape == (3, 32, 32, 3)
    assert y_train.shape == (10, 1) and y_test.shape == (3, 1)
    assert x_train.dtype == y_train.dtype == x_test.dtype == y_test.dtype == np.uint8
    folder = kerax.utils.file_utils.get_file(
        "cifar-10-batches-py-target",
        origin=hosted.url("cifar-10-python.tar.gz"),
        extract=True,
    )
    with open(
        os.path.join(folder, "cifar-10-batches-py", "data_batch_2"), "rb"
    ) as file:
        batch = pickle.load(file, encoding="bytes")
    images = batch[b"data"].reshape(2, 3, 32, 32).transpose(0, 2, 3, 1)
    np.testing.assert_array_equal(x_train[2:4], images)
    np.testing.assert_array_equal(y_train[2:4, 0], batch[b"labels"])


def test_word_indexes_and_label_names(hosted):
    assert kerax.datasets.imdb.get_word_index() == {
        "the": 1,
        "and": 2,
        "a": 3,
        "film": 4,
    }
    assert kerax.datasets.reuters.get_word_index()["film"] == 4
    assert (
        kerax.datasets.reuters.get_label_names()
        == keras.datasets.reuters.get_label_names()
    )


def test_download_once_into_kerax_home(hosted, kerax_home):
    kerax.datasets.mnist.load_data()
    kerax.datasets.mnist.load_data()
    assert [path for path, _ in hosted.requests] == ["mnist.npz"]
    assert sorted(os.listdir(kerax_home / "datasets")) == ["mnist.npz"]


def test_corrupt_download_leaves_nothing_that_loads(hosted, kerax_home):
    good = hosted.files["boston_housing.npz"]
    hosted.files["boston_housing.npz"] = good[:-10] + b"0123456789"
    with pytest.raises(ValueError, match="Incomplete or corrupted file.*discarded"):
        kerax.datasets.boston_housing.load_data()
    assert os.listdir(kerax_home / "datasets") == []
    hosted.files["boston_housing.npz"] = good
    (x_train, _), _ = kerax.datasets.boston_housing.load_data()
    assert x_train.shape == (16, 13)


def test_tampered_cache_file_is_downloaded_again(hosted, kerax_home):
    kerax.datasets.mnist.load_data()
    (kerax_home / "datasets" / "mnist.npz").write_bytes(b"not an npz file")
    (x_train, _), _ = kerax.datasets.mnist.load_data()
    assert x_train.shape == (6, 28, 28)
    assert len(hosted.requests) == 2


def test_interrupted_download_resumes_with_a_range_request(hosted, kerax_home):
    size = len(hosted.files["imdb.npz"])
    hosted.truncate["imdb.npz"] = size // 2
    with pytest.raises(OSError, match=f"closed after {size // 2} of {size} bytes"):
        kerax.datasets.imdb.load_data()
    assert os.listdir(kerax_home / "datasets") == ["imdb.npz.part"]
    (x_train, _), _ = kerax.datasets.imdb.load_data()
    assert len(x_train) == 12
    assert hosted.requests[-1] == ("imdb.npz", f"bytes={size // 2}-")
    assert os.listdir(kerax_home / "datasets") == ["imdb.npz"]


def test_pickle_with_foreign_globals_is_refused(hosted, server, monkeypatch):
    class Exploit:
        def __reduce__(self):
            return (os.system, ("echo owned",))

    payload = np.empty(1, dtype=object)
    payload[0] = Exploit()
    buffer = io.BytesIO()
    np.savez(buffer, x=payload, y=np.zeros(1))
    data = buffer.getvalue()
    hosted.files["reuters.npz"] = data
    digest = hashlib.sha256(data).hexdigest()
    source = _remote.Source(server.url("reuters.npz"), digest)
    monkeypatch.setitem(_remote.SOURCES, "reuters.npz", source)
    with pytest.raises(pickle.UnpicklingError, match="Refusing to load posix.system"):
        kerax.datasets.reuters.load_data()


def test_argument_errors(hosted):
    with pytest.raises(ValueError, match='label_mode must be "fine" or "coarse"'):
        kerax.datasets.cifar100.load_data(label_mode="medium")
    with pytest.raises(ValueError, match=r"test_split must be in \[0, 1\)"):
        kerax.datasets.boston_housing.load_data(test_split=1.0)
    with pytest.raises(ValueError, match="version must be 'large' or 'small'"):
        kerax.datasets.california_housing.load_data(version="tiny")
    with pytest.raises(ValueError, match="No review is shorter than maxlen=2"):
        kerax.datasets.imdb.load_data(maxlen=2)


def test_sources_are_keras_upstream_files():
    assert _remote.SOURCES["mnist.npz"].origin == (
        "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
    )
    assert all(len(s.file_hash) in (32, 64) for s in _remote.SOURCES.values())
    assert kerax.datasets.digits.load_data()[0][0].shape[1:] == (8, 8)
