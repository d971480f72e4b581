"""``get_file``: download once into a cache, verified, resumable and atomic.

A download goes to ``<target>.part`` and is renamed to the target only after
its checksum matched, so an interrupted or corrupt download never leaves a file
that a later call would take as valid. A later call resumes an interrupted
``.part`` with an HTTP range request when the server supports it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from typing import Any

from kerax.utils.progbar import Progbar

_CHUNK = 1 << 16


def kerax_home() -> str:
    """The cache root: ``$KERAX_HOME`` if set, else ``~/.kerax``."""
    return os.environ.get("KERAX_HOME") or os.path.join(
        os.path.expanduser("~"), ".kerax"
    )


def _hasher(algorithm: str, file_hash: str | None = None) -> Any:
    if algorithm == "sha256" or (
        algorithm == "auto" and file_hash is not None and len(file_hash) == 64
    ):
        return hashlib.sha256()
    if algorithm in ("md5", "auto"):
        return hashlib.md5()
    raise ValueError(
        f"hash_algorithm must be 'auto', 'sha256' or 'md5', received {algorithm!r}."
    )


def hash_file(fpath: str, algorithm: str = "sha256", chunk_size: int = 65535) -> str:
    """The hex digest of a file (``"sha256"``, ``"md5"``, or ``"auto"`` = sha256)."""
    hasher = _hasher("sha256" if algorithm == "auto" else algorithm)
    with open(fpath, "rb") as file:
        for chunk in iter(lambda: file.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(
    fpath: str, file_hash: str, algorithm: str = "auto", chunk_size: int = 65535
) -> bool:
    """Whether the file's digest equals ``file_hash`` ("auto": by its length)."""
    hasher = _hasher(algorithm, file_hash)
    with open(fpath, "rb") as file:
        for chunk in iter(lambda: file.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest() == str(file_hash)


def _inside(base: str, name: str) -> bool:
    target = os.path.realpath(os.path.join(base, name))
    return os.path.commonpath([os.path.realpath(base), target]) == os.path.realpath(
        base
    )


def extract_archive(
    file_path: str, path: str = ".", archive_format: Any = "auto"
) -> bool:
    """Extract a tar or zip archive into ``path``; False if it is neither.

    Members that would land outside ``path`` (absolute paths, ``..``, links
    pointing out) are refused.
    """
    if archive_format is None:
        return False
    formats = ["tar", "zip"] if archive_format == "auto" else archive_format
    formats = [formats] if isinstance(formats, str) else list(formats)
    for kind in formats:
        if kind == "tar" and tarfile.is_tarfile(file_path):
            with tarfile.open(file_path) as archive:
                archive.extractall(path, filter="data")
            return True
        if kind == "zip" and zipfile.is_zipfile(file_path):
            with zipfile.ZipFile(file_path) as archive:
                for name in archive.namelist():
                    if not _inside(path, name):
                        raise ValueError(
                            f"Refusing to extract {name!r} from {file_path}: it "
                            "would be written outside the extraction folder."
                        )
                archive.extractall(path)
            return True
    return False


def _download(origin: str, part: str) -> None:
    """Fetch ``origin`` into ``part``, resuming what is already there."""
    done = os.path.getsize(part) if os.path.exists(part) else 0
    headers = {"Range": f"bytes={done}-"} if done else {}
    request = urllib.request.Request(origin, headers=headers)
    try:
        response = urllib.request.urlopen(request, timeout=60)
    except urllib.error.HTTPError as error:
        if error.code == 416 and done:  # nothing left to fetch, or a stale part
            os.remove(part)
            return _download(origin, part)
        raise OSError(
            f"URL fetch failure on {origin}: {error.code} -- {error.msg}"
        ) from error
    except urllib.error.URLError as error:
        raise OSError(f"URL fetch failure on {origin}: {error.reason}") from error
    with response:
        resumed = done and response.status == 206
        if not resumed:
            done = 0
        length = response.headers.get("Content-Length")
        total = done + int(length) if length is not None else None
        bar = Progbar(total)
        with open(part, "ab" if resumed else "wb") as file:
            while chunk := response.read(_CHUNK):
                file.write(chunk)
                done += len(chunk)
                bar.update(done)
    if total is not None and done < total:
        raise OSError(
            f"URL fetch failure on {origin}: the connection closed after {done} of "
            f"{total} bytes. Call again to resume the download."
        )


def _fetch(origin: str, target: str, file_hash: str | None, algorithm: str) -> None:
    part = target + ".part"
    resumed = os.path.exists(part)
    print(f"Downloading data from {origin}")
    _download(origin, part)
    if file_hash is not None and not validate_file(part, file_hash, algorithm):
        os.remove(part)
        if resumed:  # the kept part may be stale: one fresh attempt
            return _fetch(origin, target, file_hash, algorithm)
        raise ValueError(
            f"Incomplete or corrupted file detected for {origin}: its "
            f"{_hasher(algorithm, file_hash).name} hash does not match the expected "
            f"value {file_hash}. The download was discarded."
        )
    os.replace(part, target)


def _targets(datadir: str, fname: str, named: bool, extract: bool) -> tuple[str, str]:
    """(downloaded file, extraction folder) following Keras's naming."""
    if not extract:
        return os.path.join(datadir, fname), ""
    if named and "." in fname:
        stem = fname[: fname.find(".")]
        return os.path.join(datadir, fname), os.path.join(datadir, f"{stem}_extracted")
    return os.path.join(datadir, f"{fname}_archive"), os.path.join(datadir, fname)


def get_file(
    fname: str | None = None,
    origin: str | None = None,
    untar: bool = False,
    md5_hash: str | None = None,
    file_hash: str | None = None,
    cache_subdir: str = "datasets",
    hash_algorithm: str = "auto",
    extract: bool = False,
    archive_format: Any = "auto",
    cache_dir: str | None = None,
    force_download: bool = False,
) -> str:
    """Download ``origin`` into ``cache_dir/cache_subdir`` unless already there.

    Args:
        fname: File name in the cache (default: the last part of the URL).
        origin: The URL.
        untar: Deprecated: ``extract=True`` for a tar archive.
        md5_hash: Deprecated: ``file_hash`` with ``hash_algorithm="md5"``.
        file_hash: Expected sha256 or md5 hex digest; a cached file that does
            not match is downloaded again, a download that does not match is
            deleted and raises ValueError.
        cache_subdir: Folder under ``cache_dir`` (an absolute path is used as is).
        hash_algorithm: ``"auto"`` (by the digest's length), ``"sha256"``, ``"md5"``.
        extract: Extract a tar/zip archive and return the extraction folder.
        archive_format: ``"auto"``, ``"tar"``, ``"zip"`` or a list of those.
        cache_dir: Cache root (default ``$KERAX_HOME`` or ``~/.kerax``).
        force_download: Download even if a valid file is cached.

    Returns:
        The path of the file (or of the extraction folder).
    """
    if origin is None:
        raise ValueError('get_file: specify the "origin" argument (the URL).')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    _hasher(hash_algorithm, file_hash)  # validates the name early
    named = bool(fname)
    fname = os.fspath(fname) if fname else ""
    if not fname:
        fname = os.path.basename(urllib.parse.urlsplit(origin).path)
        if not fname:
            raise ValueError(
                f"get_file: can't take a file name from the origin {origin!r}; "
                "pass `fname`."
            )
    elif os.sep in fname:
        raise ValueError(
            f"get_file: fname must be a file name, not a path (received {fname!r}); "
            "set the folder with `cache_dir` and `cache_subdir`."
        )
    datadir = os.path.join(os.path.expanduser(cache_dir or kerax_home()), cache_subdir)
    os.makedirs(datadir, exist_ok=True)
    extract = extract or untar
    target, folder = _targets(datadir, fname, named, extract)
    fresh = (
        force_download
        or not os.path.exists(target)
        or (
            file_hash is not None
            and not validate_file(target, file_hash, hash_algorithm)
        )
    )
    if fresh:
        _fetch(origin, target, file_hash, hash_algorithm)
    if not extract:
        return target
    if fresh or not os.path.isdir(folder):
        staging = f"{folder}.tmp{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        os.makedirs(staging)
        extracted = False
        try:
            extracted = extract_archive(
                target, staging, "tar" if untar else archive_format
            )
        finally:
            if not extracted:
                shutil.rmtree(staging)
        if not extracted:
            raise ValueError(
                f"get_file: could not extract {target}: not a {archive_format} archive."
            )
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(staging, folder)
    return folder
