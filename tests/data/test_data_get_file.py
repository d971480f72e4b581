"""get_file: caching, checksums, resuming, atomic renames and archive extraction."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import zipfile

import pytest

from kerax.utils.file_utils import extract_archive, get_file, hash_file, validate_file

PAYLOAD = bytes(range(256)) * 40


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _tar(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_name_from_url_cache_dir_and_subdir(server, tmp_path):
    server.files["data.bin"] = PAYLOAD
    path = get_file(
        origin=server.url("data.bin"), cache_dir=str(tmp_path), cache_subdir="sub"
    )
    assert path == str(tmp_path / "sub" / "data.bin")
    assert open(path, "rb").read() == PAYLOAD


def test_default_cache_is_kerax_home(server, kerax_home):
    server.files["data.bin"] = PAYLOAD
    assert get_file("copy.bin", server.url("data.bin")) == str(
        kerax_home / "datasets" / "copy.bin"
    )


@pytest.mark.parametrize("algorithm", ["sha256", "md5"])
def test_hashes_and_cache_hits(server, tmp_path, algorithm):
    server.files["data.bin"] = PAYLOAD
    digest = hashlib.new(algorithm, PAYLOAD).hexdigest()
    kwargs = dict(origin=server.url("data.bin"), cache_dir=str(tmp_path))
    if algorithm == "md5":
        kwargs["md5_hash"] = digest
    else:
        kwargs["file_hash"] = digest
    path = get_file("data.bin", **kwargs)
    get_file("data.bin", **kwargs)
    assert len(server.requests) == 1
    get_file("data.bin", force_download=True, **kwargs)
    assert len(server.requests) == 2
    assert hash_file(path, algorithm) == digest and validate_file(path, digest)


def test_mismatch_raises_and_leaves_no_file(server, tmp_path):
    server.files["data.bin"] = PAYLOAD
    with pytest.raises(ValueError, match="sha256 hash does not match"):
        get_file(
            "data.bin",
            server.url("data.bin"),
            file_hash="0" * 64,
            cache_dir=str(tmp_path),
        )
    assert os.listdir(tmp_path / "datasets") == []


def test_server_without_range_support_restarts_the_download(server, tmp_path):
    server.files["data.bin"] = PAYLOAD
    server.truncate["data.bin"] = 1000
    kwargs = dict(
        origin=server.url("data.bin"),
        cache_dir=str(tmp_path),
        file_hash=hashlib.sha256(PAYLOAD).hexdigest(),
    )
    with pytest.raises(OSError, match="closed after 1000 of"):
        get_file("data.bin", **kwargs)
    server.ranges = False
    path = get_file("data.bin", **kwargs)
    assert open(path, "rb").read() == PAYLOAD
    assert server.requests[-1] == ("data.bin", "bytes=1000-")


def test_stale_partial_file_is_replaced(server, tmp_path):
    server.files["data.bin"] = PAYLOAD
    folder = tmp_path / "datasets"
    folder.mkdir()
    (folder / "data.bin.part").write_bytes(b"garbage from another version")
    path = get_file(
        "data.bin",
        server.url("data.bin"),
        file_hash=hashlib.sha256(PAYLOAD).hexdigest(),
        cache_dir=str(tmp_path),
    )
    assert open(path, "rb").read() == PAYLOAD
    assert os.listdir(folder) == ["data.bin"]


@pytest.mark.parametrize("kind", ["tar", "zip"])
def test_extract_follows_keras_naming(server, tmp_path, kind):
    members = {"inner/a.txt": b"alpha", "inner/b.txt": b"beta"}
    archive = _tar(members) if kind == "tar" else _zip(members)
    server.files["pack"] = archive
    folder = get_file("pack", server.url("pack"), extract=True, cache_dir=str(tmp_path))
    assert folder == str(tmp_path / "datasets" / "pack")
    assert os.path.exists(tmp_path / "datasets" / "pack_archive")
    assert open(os.path.join(folder, "inner", "b.txt"), "rb").read() == b"beta"
    dotted = get_file(
        "pack.tgz", server.url("pack"), extract=True, cache_dir=str(tmp_path)
    )
    assert dotted == str(tmp_path / "datasets" / "pack_extracted")
    assert sorted(os.listdir(os.path.join(dotted, "inner"))) == ["a.txt", "b.txt"]


def test_untar_and_not_an_archive(server, tmp_path):
    server.files["pack.tar.gz"] = _tar({"x.txt": b"x"})
    folder = get_file(
        "pk", server.url("pack.tar.gz"), untar=True, cache_dir=str(tmp_path)
    )
    assert os.listdir(folder) == ["x.txt"]
    server.files["plain"] = PAYLOAD
    with pytest.raises(ValueError, match="could not extract"):
        get_file("plain", server.url("plain"), extract=True, cache_dir=str(tmp_path))
    assert not os.path.exists(tmp_path / "datasets" / "plain")


def test_unsafe_archive_members_are_refused(tmp_path):
    path = tmp_path / "evil.zip"
    path.write_bytes(_zip({"../escape.txt": b"no"}))
    with pytest.raises(ValueError, match="outside the extraction folder"):
        extract_archive(str(path), str(tmp_path / "out"))
    tar_path = tmp_path / "evil.tar.gz"
    tar_path.write_bytes(_tar({"../escape.txt": b"no"}))
    with pytest.raises(tarfile.OutsideDestinationError):
        extract_archive(str(tar_path), str(tmp_path / "out"))
    assert not (tmp_path / "escape.txt").exists()


def test_argument_errors(server, tmp_path):
    with pytest.raises(ValueError, match='specify the "origin"'):
        get_file("a")
    with pytest.raises(ValueError, match="not a path"):
        get_file(os.path.join("a", "b"), server.url("a"), cache_dir=str(tmp_path))
    with pytest.raises(ValueError, match="can't take a file name"):
        get_file(origin=server.url(""), cache_dir=str(tmp_path))
    with pytest.raises(ValueError, match="hash_algorithm must be"):
        get_file("a", server.url("a"), hash_algorithm="sha1", cache_dir=str(tmp_path))
    with pytest.raises(OSError, match="URL fetch failure.*404"):
        get_file("missing", server.url("missing"), cache_dir=str(tmp_path))


def test_failed_extraction_leaves_no_folder(server, tmp_path):
    server.files["evil.tgz"] = _tar({"../escape.txt": b"no"})
    with pytest.raises(tarfile.OutsideDestinationError):
        get_file("evil", server.url("evil.tgz"), extract=True, cache_dir=str(tmp_path))
    assert sorted(os.listdir(tmp_path / "datasets")) == ["evil_archive"]
