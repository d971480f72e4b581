"""Data sources for fit/evaluate/predict beyond in-memory arrays."""

from __future__ import annotations

import inspect
import warnings
from typing import Any

from kerax.trainers.data_adapters.base import DataAdapter
from kerax.trainers.data_adapters.batches import cardinality_message
from kerax.trainers.data_adapters.framework_adapters import (
    GrainDatasetAdapter,
    TFDatasetAdapter,
    TorchDataLoaderAdapter,
    is_grain_dataset,
    is_tf_dataset,
    is_torch_dataloader,
)
from kerax.trainers.data_adapters.generator_adapter import GeneratorDataAdapter
from kerax.trainers.data_adapters.prefetch import prefetch_to_device
from kerax.trainers.data_adapters.py_dataset_adapter import PyDatasetAdapter
from kerax.utils.py_dataset import PyDataset


def _is_array_leaf(value: Any) -> bool:
    import jax
    import numpy as np

    return (
        isinstance(value, (np.ndarray, jax.Array, np.generic, int, float))
        or hasattr(value, "__kerax_value__")
        or type(value).__module__.startswith("pandas")
        or (hasattr(value, "__array__") and hasattr(value, "shape"))
    )


def is_array_data(x: Any) -> bool:
    """True for the in-memory fast path: arrays, lists/dicts of arrays, DataFrames."""
    import jax

    if (
        isinstance(x, (list, tuple))
        and x
        and all(isinstance(v, (int, float)) for v in x)
    ):
        return True
    if not isinstance(x, (list, tuple, dict)) and not _is_array_leaf(x):
        return False  # a generator, dataset or loader: never walk it as a pytree
    leaves = jax.tree_util.tree_leaves(x, is_leaf=lambda v: hasattr(v, "to_numpy"))
    return bool(leaves) and all(_is_array_leaf(v) for v in leaves)


def _warn_shuffle_ignored(kind: str) -> None:
    warnings.warn(
        f"`shuffle=True` was passed, but will be ignored since the data `x` was "
        f"provided as a {kind}: it is expected to yield already-shuffled batches.",
        stacklevel=3,
    )


def get_data_adapter(
    x: Any, steps_per_epoch: int | None = None, shuffle: bool = False
) -> DataAdapter:
    """The adapter for a non-array source ``x``.

    ``shuffle`` (fit's argument) reorders the batches of a finite PyDataset;
    other sources are read in their own order (a warning says so).
    """
    if isinstance(x, DataAdapter):
        return x
    if isinstance(x, PyDataset):
        if shuffle and x.num_batches is None:
            _warn_shuffle_ignored("infinite PyDataset")
        return PyDatasetAdapter(x, steps_per_epoch=steps_per_epoch, shuffle=shuffle)
    for matches, adapter, kind in (
        (is_torch_dataloader, TorchDataLoaderAdapter, "torch DataLoader"),
        (is_tf_dataset, TFDatasetAdapter, "tf.data.Dataset"),
        (is_grain_dataset, GrainDatasetAdapter, "Grain dataset"),
    ):
        if matches(x):
            if shuffle:
                _warn_shuffle_ignored(kind)
            return adapter(x, steps_per_epoch=steps_per_epoch)
    if (
        inspect.isgenerator(x)
        or hasattr(x, "__next__")
        or (hasattr(x, "__iter__") and not hasattr(x, "__len__"))
    ):
        if shuffle:
            _warn_shuffle_ignored("generator")
        return GeneratorDataAdapter(x, steps_per_epoch=steps_per_epoch)
    raise ValueError(
        f"Unrecognized data type: x={type(x).__name__}. Expected numpy/JAX arrays, "
        "lists or dicts of arrays, a pandas DataFrame, a Python generator or iterator "
        "yielding (x, y) or (x, y, sample_weight) batches, a kerax.utils.PyDataset, "
        "a torch DataLoader, a tf.data.Dataset or a Grain dataset."
    )


__all__ = [
    "DataAdapter",
    "GeneratorDataAdapter",
    "GrainDatasetAdapter",
    "PyDatasetAdapter",
    "TFDatasetAdapter",
    "TorchDataLoaderAdapter",
    "cardinality_message",
    "get_data_adapter",
    "is_array_data",
    "prefetch_to_device",
]
