"""``to_categorical`` and ``normalize``: NumPy in, NumPy out (JAX in, JAX out)."""

from __future__ import annotations

from typing import Any

import jax
import numpy as np


def to_categorical(x: Any, num_classes: int | None = None) -> Any:
    """Integer class labels as one-hot rows, the class axis last.

    A trailing axis of size 1 is dropped first (labels shaped ``(n, 1)`` give
    ``(n, num_classes)``). ``num_classes`` defaults to ``max(x) + 1``. NumPy
    input gives a float64 NumPy array as in Keras; a JAX array gives a JAX
    array of the float type.

    >>> to_categorical([0, 2, 1], num_classes=3).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    is_jax = isinstance(x, jax.Array)
    labels = np.asarray(x)
    if labels.size and not np.all(np.equal(np.mod(labels, 1), 0)):
        raise ValueError(
            f"to_categorical expects integer class labels, received values such "
            f"as {labels.ravel()[:3].tolist()}."
        )
    labels = labels.astype("int64")
    shape = labels.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    flat = labels.reshape(-1)
    if num_classes is None:
        if not flat.size:
            raise ValueError("to_categorical: x is empty; pass num_classes.")
        num_classes = int(flat.max()) + 1
    if flat.size and (flat.min() < 0 or flat.max() >= num_classes):
        raise ValueError(
            f"to_categorical: labels must be in [0, {num_classes}) for "
            f"num_classes={num_classes}, received values from {flat.min()} to "
            f"{flat.max()}."
        )
    if is_jax:
        from kerax import ops

        return ops.one_hot(flat.reshape(shape), num_classes)
    categorical = np.zeros((flat.size, num_classes))
    categorical[np.arange(flat.size), flat] = 1
    return categorical.reshape(shape + (num_classes,))


def normalize(x: Any, axis: int = -1, order: Any = 2) -> Any:
    """``x`` divided by its ``order``-norm along ``axis`` (zero norms leave zeros).

    NumPy input gives NumPy output; anything else goes through
    ``kerax.ops.normalize``.

    >>> normalize(np.array([[3.0, 4.0], [0.0, 0.0]])).tolist()
    [[0.6, 0.8], [0.0, 0.0]]
    """
    if not isinstance(x, np.ndarray):
        from kerax import ops

        return ops.normalize(x, axis=axis, order=order)
    norm = np.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    norm = np.where(norm == 0, 1, norm)
    return x / norm
