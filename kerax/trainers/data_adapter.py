"""Turning what users pass to fit/evaluate/predict into device arrays and batches."""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np


def unpack_x_y_sample_weight(data: Any) -> tuple[Any, Any, Any]:
    """Split a batch ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data[0], data[1], data[2]
    raise ValueError(
        "Data is expected to be (x,), (x, y) or (x, y, sample_weight), found a "
        f"tuple of {len(data)} elements."
    )


def pack_x_y_sample_weight(x: Any, y: Any = None, sample_weight: Any = None) -> tuple:
    """The inverse of ``unpack_x_y_sample_weight``."""
    if y is None:
        return (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def _to_numpy(value: Any, name: str) -> np.ndarray:
    if hasattr(value, "__kerax_value__"):
        value = value.__kerax_value__()
    if hasattr(value, "to_numpy") and not isinstance(value, np.ndarray):
        value = value.to_numpy()  # pandas
    if isinstance(value, jax.Array):
        return value
    array = np.asarray(value)
    if array.dtype == object:
        raise ValueError(
            f"{name} could not be converted to a numeric array (got dtype object). "
            "Pass numbers of one shape per input."
        )
    if array.dtype.kind in "SUV":
        raise ValueError(
            f"{name} holds strings or raw bytes (dtype {array.dtype}); a model "
            "takes numbers. Turn text into numbers before fit/evaluate/predict, "
            "e.g. with a StringLookup or TextVectorization layer in the data "
            "pipeline."
        )
    if array.dtype == np.float64:
        array = array.astype(np.float32)
    elif array.dtype == np.int64:
        array = array.astype(np.int32)
    return array


def _is_leaf(x: Any) -> bool:
    return x is None or hasattr(x, "shape") or hasattr(x, "to_numpy")


def to_arrays(tree: Any, name: str) -> Any:
    """Convert every leaf of ``tree`` to an array (pandas and lists included)."""
    if tree is None:
        return None
    if (
        isinstance(tree, (list, tuple))
        and tree
        and all(isinstance(v, (int, float, np.number)) for v in tree)
    ):
        return _to_numpy(tree, name)
    return jax.tree_util.tree_map(lambda v: _to_numpy(v, name), tree, is_leaf=_is_leaf)


def num_samples(x: Any, y: Any, sample_weight: Any) -> int:
    """The shared number of samples; a clear error when the inputs disagree."""
    sizes: dict[str, list[int]] = {}
    for label, tree in (("x", x), ("y", y), ("sample_weight", sample_weight)):
        if tree is None:
            continue
        leaves = jax.tree_util.tree_leaves(tree)
        for leaf in leaves:
            if np.ndim(leaf) == 0:
                raise ValueError(
                    f"Expected {label} to be arrays with a batch dimension, received a "
                    f"scalar {leaf!r}."
                )
        sizes[label] = [int(leaf.shape[0]) for leaf in leaves]
    flat = {n for values in sizes.values() for n in values}
    if len(flat) > 1:
        from kerax.trainers.data_adapters.batches import cardinality_message

        detail = cardinality_message(x, y, sample_weight)
        raise ValueError(
            "Data cardinality is ambiguous. Make sure all arrays contain the same "
            f"number of samples. {detail}"
        )
    if not flat:
        raise ValueError("No data was provided (x is empty).")
    n = flat.pop()
    if n == 0:
        raise ValueError("The data is empty: x has 0 samples.")
    return n


def split_validation(arrays: Any, validation_split: float) -> tuple[Any, Any]:
    """Take the last ``validation_split`` fraction (before any shuffling), as Keras."""
    if not 0.0 < validation_split < 1.0:
        raise ValueError(
            f"validation_split must be in the open interval (0, 1), received "
            f"{validation_split}."
        )
    leaves = [leaf for leaf in jax.tree_util.tree_leaves(arrays)]
    n = int(leaves[0].shape[0])
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"Training data contains {n} samples, which is not sufficient to split "
            f"it into a validation and training set as specified by "
            f"`validation_split={validation_split}`. Either provide more data, or a "
            "different value for the `validation_split` argument."
        )
    train = jax.tree_util.tree_map(lambda a: a[:split_at], arrays)
    val = jax.tree_util.tree_map(lambda a: a[split_at:], arrays)
    return train, val


def class_weights_to_sample_weights(
    y: Any, class_weight: dict, sample_weight: Any
) -> np.ndarray:
    """Per-sample weights from a ``{class: weight}`` mapping (sparse or one-hot y)."""
    leaves = jax.tree_util.tree_leaves(y)
    if len(leaves) != 1:
        raise ValueError(
            "`class_weight` is only supported for models with a single output."
        )
    labels = np.asarray(leaves[0])
    if labels.ndim > 1 and labels.shape[-1] > 1:
        labels = np.argmax(labels, axis=-1)
    elif labels.ndim > 1:
        labels = labels[..., 0]
    if np.issubdtype(labels.dtype, np.floating):
        labels = np.round(labels)
    labels = labels.astype(np.int64)
    weights = np.ones(labels.shape, np.float32)
    for cls, weight in class_weight.items():
        weights[labels == int(cls)] = float(weight)
    unknown = set(np.unique(labels).tolist()) - {int(c) for c in class_weight}
    if unknown:
        raise ValueError(
            f"class_weight has no entry for classes {sorted(unknown)} present in y; "
            f"received keys {sorted(class_weight)}."
        )
    if sample_weight is not None:
        weights = weights * np.asarray(sample_weight, np.float32).reshape(weights.shape)
    return weights


def to_device(tree: Any) -> Any:
    """Put every array of ``tree`` on the default device."""
    return jax.tree_util.tree_map(jnp.asarray, tree)


def pad_batch(tree: Any, size: int) -> Any:
    """Pad the batch dimension of every array in ``tree`` up to ``size`` (repeat row 0)."""

    def pad(a: Any) -> Any:
        missing = size - a.shape[0]
        if missing <= 0:
            return a
        filler = jnp.repeat(a[:1], missing, axis=0)
        return jnp.concatenate([a, filler], axis=0)

    return jax.tree_util.tree_map(pad, tree)
