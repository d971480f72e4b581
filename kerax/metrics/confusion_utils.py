"""Accumulating confusion-matrix counts (TP, FP, TN, FN) at thresholds.

A prediction counts as positive at a threshold when it is strictly above it.
Evenly spaced thresholds use a bucketing pass (linear in the batch size);
other thresholds compare every prediction with every threshold.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerax import config
from kerax.backend.tensors import convert_to_tensor
from kerax.metrics.metrics_utils import squeeze_or_expand_to_same_rank

NEG_INF = -1e10
KINDS = ("tp", "fp", "tn", "fn")


def parse_thresholds(
    owner: str, thresholds: Any, default_threshold: float = 0.5
) -> list[float]:
    """Return ``thresholds`` as a list, checked to lie in [0, 1]."""
    if thresholds is None:
        return [default_threshold]
    if isinstance(thresholds, (list, tuple, np.ndarray)):
        values = list(np.asarray(thresholds, dtype=object).ravel())
    else:
        values = [thresholds]
    invalid = [t for t in values if not isinstance(t, numbers.Real) or not 0 <= t <= 1]
    if invalid:
        raise ValueError(
            f"{owner}: threshold values must be numbers in [0, 1], received {invalid}."
        )
    return [float(t) for t in values]


def evenly_spaced(thresholds: Sequence[float]) -> bool:
    """True for three or more thresholds ``i / (n - 1)``, ``i = 0 .. n - 1``."""
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=config.epsilon()))


def filter_top_k(x: jax.Array, k: int) -> jax.Array:
    """Keep the ``k`` largest scores of the last axis; push the rest to -1e10."""
    _, indices = jax.lax.top_k(x, k)
    mask = jnp.sum(jax.nn.one_hot(indices, x.shape[-1], dtype=x.dtype), axis=-2)
    return x * mask + NEG_INF * (1 - mask)


def update_confusion_matrix(
    variables: dict[str, Any],
    y_true: Any,
    y_pred: Any,
    thresholds: Sequence[float],
    top_k: int | None = None,
    class_id: int | None = None,
    sample_weight: Any = None,
    multi_label: bool = False,
    label_weights: Any = None,
    thresholds_distributed_evenly: bool = False,
) -> None:
    """Add one batch's weighted counts to ``variables`` (keys: ``KINDS``).

    Counts have one entry per threshold (``(num_thresholds, num_labels)`` with
    ``multi_label``, where each label keeps its own counts).
    """
    kinds = tuple(variables)
    if not kinds or not set(kinds) <= set(KINDS):
        raise ValueError(
            f"update_confusion_matrix: variable keys must be among {KINDS}, "
            f"received {sorted(kinds)}."
        )
    dtype = variables[kinds[0]].dtype
    y_true = convert_to_tensor(y_true)
    y_pred = convert_to_tensor(y_pred)
    if class_id is not None and y_pred.ndim <= 1:
        raise ValueError(
            "With `class_id`, y_pred must have shape (num_samples, "
            f"num_classes), received shape {y_pred.shape}."
        )
    if sample_weight is not None:
        sample_weight = convert_to_tensor(sample_weight, dtype)
    if label_weights is not None:
        label_weights = convert_to_tensor(label_weights, dtype)
    new_values = _accumulate(
        tuple(variables[kind].value for kind in kinds),
        y_true,
        y_pred,
        sample_weight,
        label_weights,
        kinds=kinds,
        thresholds=tuple(float(t) for t in thresholds),
        top_k=top_k,
        class_id=class_id,
        multi_label=multi_label,
        evenly=thresholds_distributed_evenly,
    )
    for kind, value in zip(kinds, new_values):
        variables[kind].assign(value)


def _accumulate(
    current: tuple[jax.Array, ...],
    y_true: jax.Array,
    y_pred: jax.Array,
    sample_weight: jax.Array | None,
    label_weights: jax.Array | None,
    *,
    kinds: tuple[str, ...],
    thresholds: tuple[float, ...],
    top_k: int | None,
    class_id: int | None,
    multi_label: bool,
    evenly: bool,
) -> tuple[jax.Array, ...]:
    """``current`` counts plus this batch's."""
    dtype = current[0].dtype
    y_true = y_true.astype(dtype)
    y_pred = y_pred.astype(dtype)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        _, sample_weight = squeeze_or_expand_to_same_rank(
            y_true, jnp.expand_dims(sample_weight, -1), expand_rank_1=False
        )
    if top_k is not None:
        y_pred = filter_top_k(y_pred, top_k)
    if class_id is not None:
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]
    if sample_weight is not None:
        sample_weight = jnp.broadcast_to(sample_weight, y_pred.shape)
    if label_weights is not None:
        label_weights = jnp.broadcast_to(label_weights[None], y_pred.shape)
    if not multi_label:
        y_true = jnp.reshape(y_true, (-1,))
        y_pred = jnp.reshape(y_pred, (-1,))
        if sample_weight is not None:
            sample_weight = jnp.reshape(sample_weight, (-1,))
        if label_weights is not None:
            label_weights = jnp.reshape(label_weights, (-1,))
    weights = _combine(sample_weight, label_weights)
    if evenly:
        counts = _bucketed_counts(
            set(kinds), y_true, y_pred, weights, thresholds, multi_label
        )
    else:
        counts = _compared_counts(set(kinds), y_true, y_pred, weights, thresholds)
    return tuple(c + counts[k].astype(dtype) for c, k in zip(current, kinds))


def _combine(sample_weight: Any, label_weights: Any) -> jax.Array | None:
    if sample_weight is None:
        return label_weights
    if label_weights is None:
        return sample_weight
    return sample_weight * label_weights


def _bucketed_counts(
    kinds: set[str],
    y_true: jax.Array,
    y_pred: jax.Array,
    weights: jax.Array | None,
    thresholds: Sequence[float],
    multi_label: bool,
) -> dict[str, jax.Array]:
    """Counts for thresholds ``i / (n - 1)`` through one bucket index per entry."""
    num_thresholds = len(thresholds)
    with_epsilon = thresholds[0] < 0.0 or thresholds[-1] > 1.0
    weights = 1.0 if weights is None else weights.astype(y_true.dtype)
    y_pred = jnp.clip(y_pred, 0.0, 1.0)
    y_true = (y_true != 0).astype(y_true.dtype)
    true_labels = y_true * weights
    false_labels = (1.0 - y_true) * weights
    scale = jnp.asarray(num_thresholds, y_pred.dtype) - 1
    buckets = jnp.ceil(y_pred * scale) - 1
    if with_epsilon:
        buckets = jnp.maximum(buckets, 0)
    buckets = buckets.astype("int32")

    def above(labels: jax.Array, ids: jax.Array) -> jax.Array:
        per_bucket = jax.ops.segment_sum(labels, ids, num_segments=num_thresholds)
        return jnp.flip(jnp.cumsum(jnp.flip(per_bucket, -1), axis=-1), -1)

    counts = {}
    for labels, positive, negative in (
        (true_labels, "tp", "fn"),
        (false_labels, "fp", "tn"),
    ):
        if not kinds & {positive, negative}:
            continue
        if multi_label:
            above_threshold = jax.vmap(above)(labels.T, buckets.T).T
            total = jnp.sum(labels, axis=0, keepdims=True)
        else:
            above_threshold = above(labels, buckets)
            total = jnp.sum(labels)
        counts[positive] = above_threshold
        counts[negative] = total - above_threshold
    return counts


def _compared_counts(
    kinds: set[str],
    y_true: jax.Array,
    y_pred: jax.Array,
    weights: jax.Array | None,
    thresholds: Sequence[float],
) -> dict[str, jax.Array]:
    """Counts by comparing every prediction with every threshold."""
    thresholds = jnp.asarray(np.asarray(thresholds), y_pred.dtype)
    thresholds = jnp.reshape(thresholds, (-1,) + (1,) * y_pred.ndim)
    pred_pos = y_pred[None] > thresholds
    label_pos = jnp.broadcast_to((y_true != 0)[None], pred_pos.shape)
    if weights is not None:
        weights = jnp.broadcast_to(weights.astype(y_pred.dtype)[None], pred_pos.shape)

    def count(condition: jax.Array) -> jax.Array:
        if weights is None:
            return jnp.sum(condition.astype(y_pred.dtype), axis=1)
        return jnp.sum(jnp.where(condition, weights, 0), axis=1)

    conditions = {
        "tp": lambda: label_pos & pred_pos,
        "fp": lambda: ~label_pos & pred_pos,
        "tn": lambda: ~label_pos & ~pred_pos,
        "fn": lambda: label_pos & ~pred_pos,
    }
    return {kind: count(conditions[kind]()) for kind in kinds}
