"""Accuracy metrics and their per-sample functions."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import config
from kerax.autodiff.recording import op
from kerax.backend.tensors import convert_to_tensor
from kerax.metrics.metrics_utils import (
    check_positive_int,
    in_top_k,
    pred_and_true,
    squeeze_or_expand_to_same_rank,
)
from kerax.metrics.reduction_metrics import MeanMetricWrapper
from kerax.registry import register


def _as_float(matches: jax.Array) -> jax.Array:
    return matches.astype(config.floatx())


@op
def accuracy(y_true: Any, y_pred: Any) -> jax.Array:
    """1.0 where ``y_true == y_pred`` exactly, else 0.0."""
    y_true, y_pred = pred_and_true(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return _as_float(y_true == y_pred)


@register("keras.metrics")
@op
def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> jax.Array:
    """1.0 where ``y_pred > threshold`` agrees with the 0/1 label."""
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    y_pred = (y_pred > threshold).astype(y_true.dtype)
    return _as_float(y_true == y_pred)


@register("keras.metrics")
@op
def categorical_accuracy(y_true: Any, y_pred: Any) -> jax.Array:
    """1.0 where the arg-max of ``y_pred`` is the one-hot label's class."""
    y_pred = convert_to_tensor(y_pred)
    y_true = jnp.argmax(convert_to_tensor(y_true), axis=-1).astype(y_pred.dtype)
    return _sparse_matches(y_true, y_pred, squeeze_any=True)


@register("keras.metrics")
@op
def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> jax.Array:
    """1.0 where the arg-max of ``y_pred`` equals the integer label."""
    y_true, y_pred = pred_and_true(y_true, y_pred)
    matches = _sparse_matches(y_true, y_pred, squeeze_any=False)
    if matches.ndim > 1 and matches.shape[-1] == 1:
        matches = jnp.squeeze(matches, -1)
    return matches


def _sparse_matches(
    y_true: jax.Array, y_pred: jax.Array, squeeze_any: bool
) -> jax.Array:
    """Compare integer labels with ``argmax(y_pred)``, keeping ``y_true``'s shape."""
    true_shape = y_true.shape
    reshape = y_true.ndim == y_pred.ndim and (squeeze_any or y_true.shape[-1] == 1)
    if reshape:
        y_true = jnp.squeeze(y_true, -1)
    predicted = jnp.argmax(y_pred, axis=-1).astype(y_true.dtype)
    matches = _as_float(y_true == predicted)
    return jnp.reshape(matches, true_shape) if reshape else matches


@register("keras.metrics")
@op
def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> jax.Array:
    """1.0 where the one-hot label's class is among the ``k`` top scores."""
    y_true, y_pred = pred_and_true(y_true, y_pred)
    y_true = jnp.argmax(y_true, axis=-1)
    return _top_k_matches(y_true.astype("int32"), y_pred, k)


@register("keras.metrics")
@op
def sparse_top_k_categorical_accuracy(
    y_true: Any, y_pred: Any, k: int = 5, from_sorted_ids: bool = False
) -> jax.Array:
    """1.0 where the integer label is among the ``k`` top scores.

    With ``from_sorted_ids=True``, ``y_pred`` holds class ids sorted by score
    (best first) instead of scores.
    """
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true, y_pred.dtype if from_sorted_ids else "int32")
    if from_sorted_ids:
        true_shape = y_true.shape
        flat_pred = jnp.reshape(y_pred, (-1, y_pred.shape[-1]))
        flat_true = jnp.reshape(y_true, (-1,))
        matches = jnp.any(flat_true[:, None] == flat_pred[:, :k], axis=1)
        return jnp.reshape(_as_float(matches), true_shape)
    return _top_k_matches(y_true, y_pred, k)


def _top_k_matches(y_true: jax.Array, y_pred: jax.Array, k: int) -> jax.Array:
    true_shape = y_true.shape
    if y_pred.ndim > 2:
        y_pred = jnp.reshape(y_pred, (-1, y_pred.shape[-1]))
    if y_true.ndim > 1:
        y_true = jnp.reshape(y_true, (-1,))
    matches = _as_float(in_top_k(y_true, y_pred, k))
    return jnp.reshape(matches, true_shape) if len(true_shape) > 1 else matches


@register("keras.metrics")
class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly.

    Example:
        >>> m = Accuracy()
        >>> m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
        >>> float(m.result())
        0.75
    """

    def __init__(self, name: str = "accuracy", dtype: Any = None) -> None:
        super().__init__(fn=accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


@register("keras.metrics")
class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` matches binary labels.

    Args:
        name: name of the metric.
        dtype: dtype of the accumulators.
        threshold: scores above it count as predicting 1.

    Example:
        >>> m = BinaryAccuracy()
        >>> m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
        >>> float(m.result())
        0.75
    """

    def __init__(
        self, name: str = "binary_accuracy", dtype: Any = None, threshold: float = 0.5
    ) -> None:
        super().__init__(
            fn=binary_accuracy, name=name, dtype=dtype, threshold=threshold
        )
        self.threshold = threshold
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


@register("keras.metrics")
class CategoricalAccuracy(MeanMetricWrapper):
    """How often the top score is the one-hot label's class.

    Example:
        >>> m = CategoricalAccuracy()
        >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        >>> float(m.result())
        0.5
    """

    def __init__(self, name: str = "categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(fn=categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


@register("keras.metrics")
class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the top score is the integer label's class.

    Example:
        >>> m = SparseCategoricalAccuracy()
        >>> m.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
        >>> float(m.result())
        0.5
    """

    def __init__(
        self, name: str = "sparse_categorical_accuracy", dtype: Any = None
    ) -> None:
        super().__init__(fn=sparse_categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


@register("keras.metrics")
class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class is among the ``k`` top scores.

    Args:
        k: how many top scores count.
        name: name of the metric.
        dtype: dtype of the accumulators.
    """

    def __init__(
        self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype: Any = None
    ) -> None:
        check_positive_int(type(self).__name__, "k", k)
        super().__init__(fn=top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


@register("keras.metrics")
class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the ``k`` top scores.

    Args:
        k: how many top scores count.
        name: name of the metric.
        dtype: dtype of the accumulators.
        from_sorted_ids: whether ``y_pred`` holds class ids sorted by score
            instead of scores.
    """

    def __init__(
        self,
        k: int = 5,
        name: str = "sparse_top_k_categorical_accuracy",
        dtype: Any = None,
        from_sorted_ids: bool = False,
    ) -> None:
        check_positive_int(type(self).__name__, "k", k)
        super().__init__(
            fn=sparse_top_k_categorical_accuracy,
            name=name,
            dtype=dtype,
            k=k,
            from_sorted_ids=from_sorted_ids,
        )
        self.k = k
        self.from_sorted_ids = from_sorted_ids
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config
