"""The ``.keras`` zip archive: read safely into memory, written atomically.

An archive holds ``metadata.json``, ``config.json``, ``model.weights.h5``
and the layers' asset files under ``assets/`` (stored uncompressed, as Keras
writes them). Reading checks every entry name (no absolute paths, no ``..``,
no duplicates, no encryption) and refuses entries that would expand far
beyond their stored size or past the size limits; only the known entries and
the assets are read, into memory.
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from typing import IO, Any

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.h5"
ASSETS = "assets/"
MAX_JSON_BYTES = 64 * 1024 * 1024
MAX_ASSET_BYTES = 256 * 1024 * 1024  # one asset file
MAX_ASSETS_BYTES = 1024 * 1024 * 1024  # all asset files together
# An entry above this size must not expand more than MAX_RATIO times.
BOMB_FLOOR_BYTES = 64 * 1024 * 1024
MAX_RATIO = 100
MAX_ENTRIES = 10_000


def _check_name(name: str, source: str) -> None:
    parts = name.replace("\\", "/").split("/")
    if (
        not name
        or name.startswith(("/", "\\"))
        or "\\" in name
        or ".." in parts
        or (len(parts[0]) >= 2 and parts[0][1] == ":")
        or "\x00" in name
    ):
        raise ValueError(
            f"Refusing to open {source}: the archive contains the entry {name!r}, "
            "whose path is absolute or leaves the archive (a path traversal attack)."
        )


def _check_entries(archive: zipfile.ZipFile, source: str) -> None:
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise ValueError(f"Refusing to open {source}: it has {len(infos)} entries.")
    seen: set[str] = set()
    for info in infos:
        _check_name(info.filename, source)
        if info.filename in seen:
            raise ValueError(
                f"Refusing to open {source}: the entry {info.filename!r} appears "
                "twice in the archive."
            )
        seen.add(info.filename)
        if info.flag_bits & 0x1:
            raise ValueError(
                f"Refusing to open {source}: {info.filename!r} is encrypted."
            )


def _read_entry(archive: zipfile.ZipFile, name: str, source: str, limit: int) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > limit or (
        info.file_size > BOMB_FLOOR_BYTES
        and info.file_size > MAX_RATIO * max(info.compress_size, 1)
    ):
        raise ValueError(
            f"Refusing to read {name!r} from {source}: it declares "
            f"{info.file_size} bytes for {info.compress_size} stored bytes "
            "(a decompression bomb, or larger than allowed)."
        )
    with archive.open(info) as stream:
        data = stream.read(info.file_size + 1)
    if len(data) != info.file_size:
        raise ValueError(f"{source}: the entry {name!r} is not the size it declares.")
    return data


def _read_assets(
    archive: zipfile.ZipFile, source: str, prefix: str
) -> dict[str, bytes]:
    """The files under ``prefix`` (folders skipped), within the size limits."""
    infos = [
        info
        for info in archive.infolist()
        if info.filename.startswith(prefix) and not info.is_dir()
    ]
    total = sum(info.file_size for info in infos)
    if total > MAX_ASSETS_BYTES:
        raise ValueError(
            f"Refusing to open {source}: its asset files declare {total} bytes, "
            f"more than the {MAX_ASSETS_BYTES} bytes allowed."
        )
    return {
        info.filename: _read_entry(archive, info.filename, source, MAX_ASSET_BYTES)
        for info in infos
    }


def read_archive(
    source: Any,
    required: tuple[str, ...] = (CONFIG,),
    optional: tuple[str, ...] = (METADATA, WEIGHTS),
    assets: bool = False,
) -> dict[str, bytes]:
    """The known entries of an archive (a path or a binary file object).

    Only ``required`` and ``optional`` entries are read, and with
    ``assets=True`` the files under ``assets/``; ``.json`` entries may not
    exceed ``MAX_JSON_BYTES``, an asset ``MAX_ASSET_BYTES``.
    """
    label = str(source) if isinstance(source, (str, os.PathLike)) else "the file object"
    try:
        with zipfile.ZipFile(source, "r") as opened:
            _check_entries(opened, label)
            names = set(opened.namelist())
            for name in required:
                if name not in names:
                    raise ValueError(
                        f"{label} is not a valid archive: it has no {name}."
                    )
            entries = {
                name: _read_entry(
                    opened,
                    name,
                    label,
                    MAX_JSON_BYTES if name.endswith(".json") else 1 << 40,
                )
                for name in (*required, *optional)
                if name in names
            }
            if assets:
                entries.update(_read_assets(opened, label, ASSETS))
            return entries
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
        raise ValueError(
            f"{label} is not a valid .keras file (not a zip archive, truncated or "
            f"corrupted): {error}"
        ) from error


def archive_bytes(entries: dict[str, bytes]) -> bytes:
    """A zip archive holding ``entries`` uncompressed, in the given order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _file_mode(path: str) -> int:
    """The mode the file gets: the old file's, else what ``open`` would give."""
    if os.path.exists(path):
        return os.stat(path).st_mode & 0o777
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def stage_file(path: str) -> str:
    """A new empty temp file in ``path``'s folder, to be ``commit_file``d there."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=folder, prefix=".kerax-", suffix=".tmp")
    os.close(handle)
    return temp


def commit_file(temp: str, path: str) -> None:
    """fsync the staged ``temp``, give it ``path``'s mode and rename it there."""
    handle = os.open(temp, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
    os.chmod(temp, _file_mode(path))
    os.replace(temp, path)


def discard_file(temp: str) -> None:
    """Remove a staged file that will not be committed (if it still exists)."""
    if os.path.exists(temp):
        os.unlink(temp)


def sync_folder(path: str) -> None:
    """fsync the folder holding ``path`` so that renames in it are durable."""
    if hasattr(os, "O_DIRECTORY"):
        folder = os.path.dirname(os.path.abspath(path))
        directory = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def atomic_write(path: str, write: Callable[[IO[bytes]], None]) -> None:
    """Write ``path`` through a temp file in its folder, fsync and rename.

    A crash leaves either the old file or the new one, never a partial file.
    """
    temp = stage_file(path)
    try:
        with open(temp, "wb") as stream:
            write(stream)
        commit_file(temp, path)
    except BaseException:
        discard_file(temp)
        raise
    sync_folder(path)
