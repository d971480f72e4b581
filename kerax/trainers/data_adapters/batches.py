"""Checking and converting the batches that data sources yield.

Every adapter passes its raw batches through ``BatchChecker``: each becomes a
tuple ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)`` of numpy (or JAX)
arrays, with the same structure as the first batch and one batch size across
all of its arrays. Errors name the source, the batch and the offending input.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

_PARTS = ("x", "y", "sample_weight")


def to_numpy(value: Any) -> Any:
    """One leaf of a batch as a numpy array (JAX arrays stay on their device).

    Accepts numpy, JAX, PyTorch and TensorFlow tensors, pandas objects and
    anything with ``__array__``, without importing those libraries.
    """
    if isinstance(value, (np.ndarray, jax.Array)):
        return value
    if hasattr(value, "__kerax_value__"):
        return value.__kerax_value__()
    module = type(value).__module__
    if module.startswith("torch") and hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    if module.startswith("pandas") and hasattr(value, "to_numpy"):
        return value.to_numpy()
    if module.startswith("tensorflow") and hasattr(value, "numpy"):
        return np.asarray(value.numpy())
    return np.asarray(value)


def _is_leaf(value: Any) -> bool:
    return value is None or hasattr(value, "shape") or hasattr(value, "to_numpy")


def standardize(batch: Any, source: str, index: int) -> tuple:
    """``batch`` as ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``."""
    if isinstance(batch, list):
        batch = tuple(batch)
    if not isinstance(batch, tuple):
        return (batch,)
    if len(batch) in (1, 2, 3):
        return batch
    raise ValueError(
        f"The {source} yielded a tuple of {len(batch)} elements at batch {index}; "
        "expected (x,), (x, y) or (x, y, sample_weight) (put several inputs in a "
        "list or dict inside x)."
    )


def _path_name(part: str, path: tuple) -> str:
    keys = "".join(f"[{getattr(k, 'key', getattr(k, 'idx', k))!r}]" for k in path)
    return part + keys


def describe(batch: tuple) -> str:
    """A short human description of a batch's structure, e.g. ``(x, y)`` parts."""
    parts = []
    for part, tree in zip(_PARTS, batch):
        if tree is None:
            parts.append(f"{part}=None")
            continue
        flat, _ = jax.tree_util.tree_flatten_with_path(tree, is_leaf=_is_leaf)
        if len(flat) == 1 and not flat[0][0]:
            parts.append(f"{part}={type(flat[0][1]).__name__}")
        else:
            names = ", ".join(_path_name(part, path) for path, _ in flat)
            parts.append(f"{part}: {names}")
    return "(" + "; ".join(parts) + ")"


class BatchChecker:
    """Standardizes, converts and validates the batches of one source."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._structure: Any = None
        self._first: str = ""

    def __call__(self, raw: Any, index: int) -> tuple:
        batch = standardize(raw, self.source, index)
        batch = tuple(
            None if tree is None else jax.tree_util.tree_map(to_numpy, tree)
            for tree in batch
        )
        structure = jax.tree_util.tree_structure(batch)
        if self._structure is None:
            self._structure, self._first = structure, describe(batch)
        elif structure != self._structure:
            raise ValueError(
                f"The {self.source} yielded a batch with a different structure at "
                f"batch {index}: expected {self._first} like the first batch, "
                f"received {describe(batch)}."
            )
        self._check_sizes(batch, index)
        return batch

    def _check_sizes(self, batch: tuple, index: int) -> None:
        sizes: dict[str, int] = {}
        for part, tree in zip(_PARTS, batch):
            for path, leaf in jax.tree_util.tree_flatten_with_path(tree)[0]:
                name = _path_name(part, path)
                if (
                    getattr(leaf, "dtype", None) is not None
                    and leaf.dtype.kind in "OUS"
                ):
                    raise ValueError(
                        f"The {self.source} yielded {leaf.dtype} values for {name} at "
                        f"batch {index}; models take numbers: turn strings into numbers "
                        "first (e.g. `dataset.map` with a TextVectorization layer)."
                    )
                if np.ndim(leaf) == 0:
                    raise ValueError(
                        f"The {self.source} yielded a scalar for {name} at batch "
                        f"{index}; every array in a batch needs a leading batch "
                        "dimension."
                    )
                sizes[name] = int(leaf.shape[0])
        if len(set(sizes.values())) > 1:
            detail = ", ".join(f"{name}: {n}" for name, n in sizes.items())
            raise ValueError(
                f"The {self.source} yielded a batch whose arrays have different "
                f"numbers of samples at batch {index} ({detail}). All arrays in a "
                "batch must share the batch size."
            )


def cardinality_message(x: Any, y: Any = None, sample_weight: Any = None) -> str:
    """Per-input sample counts, naming each array (``x['a']: 10, y: 12``)."""
    entries = []
    for part, tree in zip(_PARTS, (x, y, sample_weight)):
        if tree is None:
            continue
        flat = jax.tree_util.tree_flatten_with_path(tree, is_leaf=_is_leaf)[0]
        for path, leaf in flat:
            count = len(leaf) if not hasattr(leaf, "shape") else leaf.shape[0]
            entries.append(f"{_path_name(part, path)}: {int(count)}")
    return ", ".join(entries)
