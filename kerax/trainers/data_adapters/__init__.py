"""Data sources for fit/evaluate/predict beyond in-memory arrays."""

from __future__ import annotations

import inspect
from typing import Any

from kerax.trainers.data_adapters.base import DataAdapter
from kerax.trainers.data_adapters.generator_adapter import GeneratorDataAdapter
from kerax.trainers.data_adapters.prefetch import prefetch_to_device


def is_array_data(x: Any) -> bool:
    """True for the in-memory fast path: arrays, lists/dicts of arrays, DataFrames."""
    import jax
    import numpy as np

    def leaf_ok(value: Any) -> bool:
        return (
            isinstance(value, (np.ndarray, jax.Array, np.generic, int, float))
            or hasattr(value, "__kerax_value__")
            or type(value).__module__.startswith("pandas")
        )

    if (
        isinstance(x, (list, tuple))
        and x
        and all(isinstance(v, (int, float)) for v in x)
    ):
        return True
    if not isinstance(x, (list, tuple, dict)) and not leaf_ok(x):
        return False  # a generator, dataset or loader: never walk it as a pytree
    leaves = jax.tree_util.tree_leaves(x, is_leaf=lambda v: hasattr(v, "to_numpy"))
    return bool(leaves) and all(leaf_ok(v) for v in leaves)


def get_data_adapter(
    x: Any, steps_per_epoch: int | None = None, **kwargs: Any
) -> DataAdapter:
    """The adapter for a non-array source ``x``."""
    if isinstance(x, DataAdapter):
        return x
    if (
        inspect.isgenerator(x)
        or hasattr(x, "__next__")
        or (hasattr(x, "__iter__") and not hasattr(x, "__len__"))
    ):
        return GeneratorDataAdapter(x, steps_per_epoch=steps_per_epoch)
    raise ValueError(
        f"Unrecognized data type: x={type(x).__name__}. Expected numpy/JAX arrays, "
        "lists or dicts of arrays, a pandas DataFrame, a Python generator or iterator "
        "yielding (x, y) or (x, y, sample_weight) batches, or a kerax.utils.PyDataset."
    )


__all__ = [
    "DataAdapter",
    "GeneratorDataAdapter",
    "get_data_adapter",
    "is_array_data",
    "prefetch_to_device",
]
