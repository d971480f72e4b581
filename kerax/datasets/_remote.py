"""Where the Keras datasets live upstream, with their checksums, and fetching them.

The files, URLs and sha256/md5 digests are those Keras uses, so a kerax cache
holds byte-identical copies. Files are cached under ``$KERAX_HOME/datasets``
(default ``~/.kerax/datasets``); ``KERAX_HOME`` moves the whole cache.
"""

from __future__ import annotations

from typing import NamedTuple

from kerax.utils.file_utils import get_file

_BUCKET = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_TORONTO = "https://www.cs.toronto.edu/~kriz/"


class Source(NamedTuple):
    """A remote file: its URL and expected digest."""

    origin: str
    file_hash: str


SOURCES: dict[str, Source] = {
    "mnist.npz": Source(
        _BUCKET + "mnist.npz",
        "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
    ),
    "imdb.npz": Source(
        _BUCKET + "imdb.npz",
        "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f",
    ),
    "imdb_word_index.json": Source(
        _BUCKET + "imdb_word_index.json", "bfafd718b763782e994055a2d397834f"
    ),
    "reuters.npz": Source(
        _BUCKET + "reuters.npz",
        "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916",
    ),
    "reuters_word_index.json": Source(
        _BUCKET + "reuters_word_index.json", "4d44cc38712099c9e383dc6e5f11a921"
    ),
    "boston_housing.npz": Source(
        _BUCKET + "boston_housing.npz",
        "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5",
    ),
    "california_housing.npz": Source(
        _BUCKET + "california_housing.npz",
        "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f",
    ),
    "cifar-10-python.tar.gz": Source(
        _TORONTO + "cifar-10-python.tar.gz",
        "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
    ),
    "cifar-100-python.tar.gz": Source(
        _TORONTO + "cifar-100-python.tar.gz",
        "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7",
    ),
}

# Fashion-MNIST files: Keras pins no digest for them, so kerax pins none either.
FASHION_MNIST = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)
FASHION_ORIGIN = _BUCKET


def fetch(
    name: str,
    fname: str | None = None,
    cache_subdir: str = "datasets",
    extract_to: str | None = None,
) -> str:
    """The local path of the remote file ``name`` (downloaded on first use).

    ``extract_to`` names the folder an archive is extracted into; the path of
    that folder is returned then.
    """
    source = SOURCES[name]
    return get_file(
        fname=extract_to or fname or name,
        origin=source.origin,
        file_hash=source.file_hash,
        cache_subdir=cache_subdir,
        extract=extract_to is not None,
    )
