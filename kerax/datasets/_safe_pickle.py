"""Reading the upstream pickled datasets without running arbitrary code.

IMDB and Reuters store ragged sequences as object arrays inside ``.npz`` files
and CIFAR stores its batches as Python pickles. Rebuilding them needs only
numpy's array reconstruction; this unpickler allows exactly that and refuses
every other global, so a tampered file cannot execute code.
"""

from __future__ import annotations

import io
import pickle
import zipfile
from typing import Any, BinaryIO

import numpy as np

_ALLOWED = {
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
}


class ArrayUnpickler(pickle.Unpickler):
    """An unpickler for plain containers and numpy arrays only."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(
                f"Refusing to load {module}.{name} from a dataset file: only numpy "
                "arrays are expected. The file may be corrupt or tampered with."
            )
        return super().find_class(module, name)


def load_pickle(file: BinaryIO) -> Any:
    """Load a Python 2 or 3 pickle of containers and arrays (bytes keys kept)."""
    return ArrayUnpickler(file, encoding="bytes").load()


def _read_member(raw: BinaryIO) -> np.ndarray:
    try:
        return np.lib.format.read_array(raw, allow_pickle=False)
    except ValueError:  # an object array: a pickle stream after the header
        raw.seek(0)
        major, _ = np.lib.format.read_magic(raw)
        if major == 1:
            np.lib.format.read_array_header_1_0(raw)
        else:
            np.lib.format.read_array_header_2_0(raw)
        return ArrayUnpickler(raw).load()


def load_npz(path: str) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` file, object arrays included, read safely."""
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.endswith(".npy"):
                buffer = io.BytesIO(archive.read(member))
                arrays[member[: -len(".npy")]] = _read_member(buffer)
    return arrays
