"""Sharded weights: a ``.weights.json`` index and ``.weights.h5`` shards.

The layout is Keras 3's (``save_weights(..., max_shard_size=...)``): saving
``model.weights.json`` writes ``model_00000.weights.h5``,
``model_00001.weights.h5``, ... next to it, each an ordinary weights file
holding some of the ``<path>/vars/<key>`` datasets (one object's datasets may
span shards), and the index::

    {"metadata": {"total_size": <bytes, a float>},
     "weight_map": {"/layers/dense/vars": "model_00000.weights.h5",
                    "/optimizer/vars": ["model_00000.weights.h5", ...]}}

A shard is closed once adding the next array would take it past
``max_shard_size`` gigabytes (an array counts its elements times its dtype's
bits / 8; bool counts one bit). Shards are staged as temp files; once all are
written, an old index is removed, the shards renamed into place and the new
index written last, so a crash never leaves an index over a mix of old and
new shards (at worst no index, which fails to load with a clear error).

Reading treats the index as hostile: it must be small JSON, and every shard
it names must be a plain file name in the index's folder (no ``..``, no
absolute path, no link leading out of the folder); a missing or corrupt
shard is an error naming the shard.
"""

from __future__ import annotations

import io
import json
import os
import warnings
from collections.abc import Iterator
from typing import Any

import h5py
import numpy as np

from kerax.saving import archive, h5_guard, safe_json
from kerax.saving.weights_io import load_state, save_state
from kerax.saving.weights_store import (
    WeightsReader,
    create_vars_group,
    write_dataset,
)

INDEX_SUFFIX = ".weights.json"
_GIB = 1024**3


def check_max_shard_size(max_shard_size: Any) -> float:
    """``max_shard_size`` (gigabytes) in bytes, or a ``ValueError``."""
    if (
        isinstance(max_shard_size, bool)
        or not isinstance(max_shard_size, (int, float, np.integer, np.floating))
        or not max_shard_size > 0
    ):
        raise ValueError(
            "`max_shard_size` must be a positive number of gigabytes (e.g. 0.5). "
            f"Received: max_shard_size={max_shard_size!r}"
        )
    return float(max_shard_size) * _GIB


def index_path(path: str) -> str:
    """The index path Keras uses: ``x.weights.h5`` becomes ``x.weights.json``."""
    if path.endswith(".json"):
        return path
    renamed = os.path.splitext(path)[0] + ".json"
    warnings.warn(
        f"Saving sharded weights requires `*.json` as the extension. The original "
        f"path: {path} will be renamed to {renamed}.",
        stacklevel=3,
    )
    return renamed


def _bits(dtype: np.dtype) -> int:
    return 1 if dtype == np.bool_ else dtype.itemsize * 8


class ShardedWeightsWriter:
    """Writes ``<path>/vars`` groups across shards of at most ``max_bytes``."""

    def __init__(self, path: str, max_bytes: float, write_files: bool = True) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.write_files = write_files
        stem = os.path.splitext(os.path.basename(path))[0]
        self.base = stem.replace(".weights", "")
        self.weight_map: dict[str, Any] = {}
        self.total_size = 0.0
        self.staged: list[tuple[str, str]] = []  # (temp file, final path)
        self.count = 0
        self.size = 0.0
        self._open_shard()

    def _open_shard(self) -> None:
        self.name = f"{self.base}_{self.count:05}.weights.h5"
        self.count += 1
        self.size = 0.0
        self.buffer = io.BytesIO()
        self.file = h5py.File(self.buffer, "w")

    def _flush_shard(self) -> None:
        self.file.close()
        if self.write_files:
            final = os.path.join(os.path.dirname(self.path), self.name)
            temp = archive.stage_file(final)
            self.staged.append((temp, final))
            with open(temp, "wb") as stream:
                stream.write(self.buffer.getvalue())
        self.buffer = io.BytesIO()

    def write(self, path: str, name: str | None, values: dict[str, Any]) -> None:
        """Create ``<path>/vars`` and its datasets, starting shards as needed."""
        create_vars_group(self.file, path, name)
        group_path = f"{path}/vars" if path else "vars"
        for key, value in values.items():
            value = np.asarray(value)
            size = value.size * _bits(value.dtype) / 8
            self.total_size += size
            if size > self.max_bytes:
                raise ValueError(
                    f"The size of {key!r} of {group_path!r} is {size:.0f} bytes, "
                    f"which exceeds the maximum shard size ({self.max_bytes:.0f} "
                    "bytes). Increase `max_shard_size`."
                )
            self.size += size
            if self.size > self.max_bytes:
                self._flush_shard()
                self._open_shard()
                self.size = size
            group = self.file.get(group_path)
            if group is None:
                group = self.file.create_group(group_path)
            write_dataset(group, key, value)
            self._record("/" + group_path)

    def _record(self, group_name: str) -> None:
        known = self.weight_map.get(group_name)
        if known is None:
            self.weight_map[group_name] = self.name
            return
        if not isinstance(known, list):
            known = self.weight_map[group_name] = [known]
        if self.name not in known:
            known.append(self.name)

    def index(self) -> str:
        """The index JSON (Keras's layout, indented by 4)."""
        config = {
            "metadata": {"total_size": self.total_size},
            "weight_map": self.weight_map,
        }
        return json.dumps(config, indent=4)

    def commit(self) -> None:
        """Write the last shard, rename every shard into place, then the index."""
        self._flush_shard()
        if not self.write_files:
            return
        if os.path.lexists(self.path):
            os.unlink(self.path)
            archive.sync_folder(self.path)
        try:
            for temp, final in self.staged:
                archive.commit_file(temp, final)
        finally:
            for temp, _ in self.staged:
                archive.discard_file(temp)
        data = self.index().encode("utf-8")
        archive.atomic_write(self.path, lambda stream: stream.write(data))

    def discard(self) -> None:
        """Drop all staged shards (after an error)."""
        if self.file:
            self.file.close()
        for temp, _ in self.staged:
            archive.discard_file(temp)


def _refuse_name(name: Any, source: str) -> None:
    if (
        not isinstance(name, str)
        or not name
        or name in (".", "..")
        or any(char in name for char in "/\\:\x00")
        or os.path.isabs(name)
    ):
        raise ValueError(
            f"Refusing the sharded weights index {source}: it names the shard "
            f"{name!r}, which is not a plain file name in the index's folder "
            "(absolute paths and paths that leave the folder are refused)."
        )


def _read_index(path: str) -> dict[str, list[str]]:
    with open(path, "rb") as stream:
        data = stream.read(safe_json.MAX_JSON_BYTES + 1)
    config = safe_json.loads(data, f"The sharded weights index {path}")
    weight_map = config.get("weight_map") if isinstance(config, dict) else None
    if not isinstance(weight_map, dict):
        raise ValueError(
            f"{path} is not a sharded weights index: it has no `weight_map` object."
        )
    parsed: dict[str, list[str]] = {}
    for group, names in weight_map.items():
        names = [names] if isinstance(names, str) else names
        if not isinstance(names, list) or not names:
            raise ValueError(
                f"The sharded weights index {path}: the entry {group!r} must name "
                f"a shard file or a list of them, not {names!r}."
            )
        for name in names:
            _refuse_name(name, path)
        parsed[group] = list(dict.fromkeys(names))
    return parsed


class ShardedWeightsReader:
    """Reads ``<path>/vars`` groups spread over the shards an index names."""

    def __init__(self, path: str) -> None:
        self.source = path
        self.weight_map = _read_index(path)
        self.readers: dict[str, WeightsReader] = {}
        try:
            for names in self.weight_map.values():
                for name in names:
                    if name not in self.readers:
                        self.readers[name] = self._open(name)
        except BaseException:
            self.close()
            raise

    def _open(self, name: str) -> WeightsReader:
        folder = os.path.dirname(os.path.abspath(self.source))
        shard = os.path.join(folder, name)
        if not os.path.lexists(shard):
            raise FileNotFoundError(
                f"The shard {name!r} listed in the sharded weights index "
                f"{self.source} is missing (expected at {shard})."
            )
        real_folder = os.path.realpath(folder)
        if not os.path.realpath(shard).startswith(real_folder + os.sep):
            raise ValueError(
                f"Refusing the shard {name!r} listed in {self.source}: it is a link "
                "leading out of the index's folder."
            )
        label = f"The shard {name!r} listed in {self.source}"
        h5_guard.check_global_heaps(shard, label)
        try:
            with h5_guard.read_errors(label):
                h5file = h5py.File(shard, "r")
        except OSError as error:
            raise ValueError(
                f"The shard {name!r} listed in the sharded weights index "
                f"{self.source} is not a valid HDF5 weights file (corrupt or "
                f"truncated): {error}"
            ) from error
        return WeightsReader(h5file, f"{self.source} (shard {name})")

    def close(self) -> None:
        """Close every shard."""
        for reader in self.readers.values():
            reader.file.close()

    def __enter__(self) -> ShardedWeightsReader:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    @property
    def read_paths(self) -> set[str]:
        """Paths of the datasets read so far, over all shards."""
        return set().union(*(r.read_paths for r in self.readers.values()))

    def group(self, path: str) -> list[tuple[WeightsReader, h5py.Group]] | None:
        """The parts of ``path``'s ``vars`` group in the shards the index names."""
        key = f"/{path}/vars" if path else "/vars"
        names = self.weight_map.get(key)
        if names is None:
            return None
        parts = []
        for name in names:
            found = self.readers[name].group(path)
            if found is None:
                raise ValueError(
                    f"The sharded weights index {self.source} places {key!r} in "
                    f"the shard {name!r}, which has no such group."
                )
            parts.append((self.readers[name], found))
        return parts

    def keys(self, parts: list[tuple[WeightsReader, h5py.Group]]) -> list[str]:
        """The dataset names of a group, over its shards."""
        keys: list[str] = []
        for reader, group in parts:
            keys.extend(reader.keys(group))
        if len(set(keys)) != len(keys):
            raise ValueError(
                f"The shards of {self.source} hold the same dataset of "
                f"{parts[0][1].name!r} more than once."
            )
        return keys

    def read(
        self,
        parts: list[tuple[WeightsReader, h5py.Group]],
        key: str,
        shape: tuple | None,
        dtype: Any,
        what: str,
    ) -> np.ndarray:
        """Dataset ``key`` of the group, from the shard holding it."""
        for reader, group in parts:
            if key in group:
                return reader.read(group, key, shape, dtype, what)
        raise KeyError(key)

    def datasets(self) -> Iterator[str]:
        """Paths of all datasets in all shards (each may appear only once)."""
        seen: set[str] = set()
        for name, reader in self.readers.items():
            for path in reader.datasets():
                if path in seen:
                    raise ValueError(
                        f"The shards of {self.source} hold {path!r} more than once "
                        f"(again in {name!r})."
                    )
                seen.add(path)
                yield path


def prepare_save(path: str | None, max_shard_size: Any) -> str:
    """Check the arguments of a sharded save; the index path to write."""
    if path is None:
        raise TypeError(
            "Sharded weights are several files: pass a path ending in "
            f"`{INDEX_SUFFIX}` with `max_shard_size`, not a file object."
        )
    check_max_shard_size(max_shard_size)
    if not path.endswith(("weights.h5", "weights.json")):
        raise ValueError(
            f"The filename must end in `{INDEX_SUFFIX}` when `max_shard_size` is "
            f"specified. Received: filepath={path}"
        )
    return index_path(path)


def save_sharded(
    model: Any, path: str, max_shard_size: float, write_files: bool = True
) -> None:
    """Write ``model``'s weights as the index ``path`` and its shards.

    Every process of a multi-process run calls this (values are gathered per
    variable); only the one with ``write_files`` writes.
    """
    writer = ShardedWeightsWriter(
        path, check_max_shard_size(max_shard_size), write_files
    )
    try:
        save_state(model, writer)
        writer.commit()
    except BaseException:
        writer.discard()
        raise


def load_sharded(model: Any, path: str, skip_mismatch: bool = False) -> None:
    """Load weights saved as the sharded index ``path`` (by kerax or Keras)."""
    with ShardedWeightsReader(path) as reader, h5_guard.read_errors(path):
        load_state(model, reader, skip_mismatch=skip_mismatch)
