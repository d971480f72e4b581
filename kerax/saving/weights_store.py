"""The HDF5 weight file of Keras 3: one ``<path>/vars`` group per object.

Every layer or optimizer owns a group ``<path>/vars`` (``layers/dense/vars``,
``optimizer/vars``; the model itself ``vars``) holding its own variables as
datasets ``"0"``, ``"1"``, ... and its name as the group attribute ``name``.

Reading treats the file as hostile: only hard links are followed (no soft or
external links, no external or virtual storage), a dataset's shape and dtype
are checked against the variable before any data is read, and every dataset
that was read is remembered so that weights nobody asked for can be reported.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import h5py
import ml_dtypes
import numpy as np

# Dataset dtype kinds that may hold weights: bool, ints, floats.
_NUMERIC_KINDS = "biuf"


class WeightsWriter:
    """Writes ``<path>/vars/<i>`` datasets into an open, writable HDF5 file."""

    def __init__(self, h5file: h5py.File) -> None:
        self.file = h5file

    def write(
        self, path: str, name: str | None, values: Mapping[str, np.ndarray]
    ) -> None:
        """Create ``<path>/vars`` with the ``name`` attribute and the values."""
        group = create_vars_group(self.file, path, name)
        for key, value in values.items():
            write_dataset(group, key, value)


def create_vars_group(h5file: h5py.File, path: str, name: str | None) -> h5py.Group:
    """Create the ``<path>/vars`` group (``vars`` at the root) of an object."""
    group = h5file.create_group(f"{path}/vars" if path else "vars")
    if name is not None:
        group.attrs["name"] = name
    return group


def write_dataset(group: h5py.Group, key: str, value: Any) -> None:
    """Store ``value`` as dataset ``key``; bfloat16 is tagged as Keras tags it."""
    value = np.asarray(value)
    if value.dtype == ml_dtypes.bfloat16:
        dataset = group.create_dataset(key, data=value)
        dataset.attrs["dtype"] = "bfloat16"
    else:
        group[key] = value


def _hard_child(group: h5py.Group, key: str, where: str) -> Any:
    """``group[key]`` if it is a hard link; soft/external links are refused."""
    link = group.get(key, getlink=True)
    if link is None:
        return None
    if not isinstance(link, h5py.HardLink):
        raise ValueError(
            f"Refusing to read weights file entry {where!r}: it is a "
            f"{type(link).__name__}, and only plain (hard-linked) groups and "
            "datasets are allowed in a weights file."
        )
    return group[key]


class WeightsReader:
    """Reads ``<path>/vars`` groups from an untrusted HDF5 weights file."""

    def __init__(self, h5file: h5py.File, source: str) -> None:
        self.file = h5file
        self.source = source
        self.read_paths: set[str] = set()

    def group(self, path: str) -> h5py.Group | None:
        """The ``vars`` group of the object at ``path``, or None if absent."""
        node: Any = self.file
        parts = [p for p in path.split("/") if p] + ["vars"]
        for depth, part in enumerate(parts):
            node = _hard_child(node, part, "/".join(parts[: depth + 1]))
            if node is None:
                return None
            if not isinstance(node, h5py.Group):
                raise ValueError(
                    f"Weights file {self.source}: expected a group at "
                    f"{'/'.join(parts[: depth + 1])!r}, found a dataset."
                )
        return node

    def keys(self, group: h5py.Group) -> list[str]:
        """The dataset names of a ``vars`` group."""
        names = list(group.keys())
        garbled = [name for name in names if not isinstance(name, str)]
        if garbled:  # h5py gives names that are not UTF-8 as bytes
            raise ValueError(
                f"Weights file {self.source} is corrupt: entry names in "
                f"{group.name!r} are not valid UTF-8 text ({garbled[:3]})."
            )
        return names

    def read(
        self,
        group: h5py.Group,
        key: str,
        shape: tuple | None,
        dtype: Any,
        what: str,
    ) -> np.ndarray:
        """Dataset ``key`` of ``group``, checked against ``shape``/``dtype`` first.

        With ``shape=None`` any numeric array is accepted (the values a layer's
        own ``load_own_variables`` reads and checks).
        """
        where = f"{group.name}/{key}".lstrip("/")
        dataset = _hard_child(group, key, where)
        if not isinstance(dataset, h5py.Dataset):
            raise ValueError(f"Weights file {self.source}: {where!r} is not a dataset.")
        if dataset.external or dataset.is_virtual:
            raise ValueError(
                f"Refusing to read {where!r} from {self.source}: its data is stored "
                "outside the file (external or virtual dataset)."
            )
        stored = _stored_dtype(dataset, where)
        if shape is None:
            return self._value(dataset, stored, where)
        expected = np.dtype(dtype)
        if tuple(dataset.shape) != tuple(shape):
            raise ValueError(
                f"Shape mismatch for {what}: the model expects shape {tuple(shape)}, "
                f"the file {self.source} holds shape {tuple(dataset.shape)} at {where!r}."
            )
        if _kind(stored) != _kind(expected):
            raise ValueError(
                f"Dtype mismatch for {what}: the model expects {expected}, the file "
                f"{self.source} holds {stored} at {where!r}."
            )
        return self._value(dataset, stored, where)

    def _value(self, dataset: h5py.Dataset, stored: np.dtype, where: str) -> np.ndarray:
        try:
            value = dataset[()]
        except OSError as error:
            raise ValueError(
                f"Weights file {self.source}: cannot read {where!r} (the file is "
                f"corrupt or truncated): {error}"
            ) from error
        if stored == ml_dtypes.bfloat16:
            value = np.asarray(value).view(ml_dtypes.bfloat16)
        self.read_paths.add(where)
        return np.asarray(value)

    def datasets(self, prefix: str = "") -> Iterator[str]:
        """Paths of all datasets under ``prefix`` (links other than hard refused)."""
        start = self.file if not prefix else self.file.get(prefix)
        if start is None:
            return
        stack = [(start, prefix)]
        while stack:
            group, path = stack.pop()
            for key in group:
                where = f"{path}/{key}".lstrip("/")
                child = _hard_child(group, key, where)
                if isinstance(child, h5py.Group):
                    stack.append((child, where))
                else:
                    yield where


def _kind(dtype: np.dtype) -> str:
    if dtype == ml_dtypes.bfloat16:
        return "f"
    return "b" if dtype.kind == "b" else ("i" if dtype.kind in "iu" else dtype.kind)


def _stored_dtype(dataset: h5py.Dataset, where: str) -> np.dtype:
    dtype = dataset.dtype
    if (
        dtype.kind == "V"
        and dtype.itemsize == 2
        and dataset.attrs.get("dtype") == "bfloat16"
    ):
        return np.dtype(ml_dtypes.bfloat16)
    if dtype.kind not in _NUMERIC_KINDS:
        raise ValueError(
            f"Refusing weights dataset {where!r} of dtype {dtype}: weights must be "
            "numeric (bool, int or float) arrays."
        )
    return dtype
