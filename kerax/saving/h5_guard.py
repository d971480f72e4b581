"""Guards around HDF5 reads of untrusted files (found by tests/fault fuzzing).

Two failure modes of h5py/HDF5 on a corrupt file are not clear errors:

- HDF5 (2.0) loops forever reading a variable-length string from a global
  heap collection whose object list is corrupt (a zero-sized free-space
  object). ``check_global_heaps`` walks every collection of the file first
  and refuses one whose objects do not tile it.
- h5py reports corrupt metadata met while reading (not while opening) as
  ``RuntimeError``/``KeyError``/``UnicodeError``... ``read_errors`` turns one raised
  inside h5py into a ``ValueError`` naming the file.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import struct
from collections.abc import Iterator
from typing import Any

_SIGNATURE = b"GCOL"
_HEADER = 16  # signature, version, 3 reserved bytes, collection size
_OBJECT_HEADER = 16  # index, reference count, 4 reserved bytes, size
_MIN_COLLECTION = 4096


def _walk_ok(data: Any, start: int, end: int) -> bool:
    """Whether the objects of the collection ``data[start:end]`` tile it."""
    position = start + _HEADER
    seen: set[int] = set()
    while end - position >= _OBJECT_HEADER:
        index = struct.unpack_from("<H", data, position)[0]
        size = struct.unpack_from("<Q", data, position + 8)[0]
        if index == 0:  # free space: its size counts its own header
            need = size
            if need < _OBJECT_HEADER or need % 8:
                return False
        else:
            if index in seen:
                return False
            seen.add(index)
            need = _OBJECT_HEADER + (size + 7) // 8 * 8
        if need > end - position:
            return False
        position += need
    return True


def _check(data: Any, label: str) -> None:
    length = len(data)
    position = data.find(_SIGNATURE)
    while position >= 0:
        header = data[position : position + _HEADER]
        if len(header) == _HEADER and header[4] == 1 and header[5:8] == b"\0\0\0":
            size = struct.unpack_from("<Q", header, 8)[0]
            end = position + size
            if size >= _MIN_COLLECTION and (
                end > length or not _walk_ok(data, position, end)
            ):
                raise ValueError(
                    f"{label} is not a readable HDF5 file (it may be truncated or "
                    f"corrupt): the global heap at byte {position} is damaged."
                )
        position = data.find(_SIGNATURE, position + 1)


def check_global_heaps(source: Any, label: str) -> None:
    """Raise ``ValueError`` if an HDF5 global heap in ``source`` is corrupt.

    ``source`` is the file's bytes, a path, or a seekable binary file object.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        _check(bytes(source), label)
        return
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as file:
            if os.fstat(file.fileno()).st_size == 0:
                return  # h5py reports the empty file
            with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as view:
                _check(view, label)
        return
    if hasattr(source, "seek") and hasattr(source, "read"):
        start = source.tell()
        data = source.read()
        source.seek(start)
        _check(data, label)


def _raised_in_h5py(error: BaseException) -> bool:
    traceback = error.__traceback__
    filename = ""
    while traceback is not None:
        filename = traceback.tb_frame.f_code.co_filename
        traceback = traceback.tb_next
    return f"{os.sep}h5py{os.sep}" in filename or filename.startswith("h5py")


@contextlib.contextmanager
def read_errors(label: str) -> Iterator[None]:
    """Turn an exception from inside h5py (corrupt metadata) into a ``ValueError``."""
    try:
        yield
    except (
        RuntimeError,
        KeyError,
        TypeError,
        IndexError,
        AttributeError,
        UnicodeError,
    ) as error:
        if not _raised_in_h5py(error):
            raise
        raise ValueError(
            f"{label} is not a readable HDF5 file (it may be truncated or "
            f"corrupt): {error}"
        ) from error
