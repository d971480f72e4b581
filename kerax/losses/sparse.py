"""Losses over integer class labels: sparse and generalized cross-entropy.

Labels outside ``[0, num_classes)`` are an error: with concrete values a
ValueError names the valid range; under ``jit`` (traced labels) the loss of
such a sample is NaN, so a bad label is never silently scored as a number.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax.autodiff.recording import op
from kerax.backend.tensors import convert_to_tensor
from kerax.losses.categorical import log_probabilities
from kerax.losses.inputs import (
    check_axis,
    check_labels_in_range,
    nan_where_out_of_range,
)
from kerax.losses.loss import BuiltinLoss
from kerax.losses.reduction import squeeze_or_expand_to_same_rank
from kerax.registry import register


def sparse_labels(
    y_true: Any, y_pred: jax.Array, axis: int, name: str
) -> tuple[jax.Array, int]:
    """Integer labels with ``y_pred``'s shape minus ``axis``, and that axis."""
    if y_pred.ndim < 1:
        raise ValueError(f"{name}: y_pred must be at least rank 1, received a scalar.")
    axis = axis % y_pred.ndim
    labels = convert_to_tensor(y_true)
    if labels.ndim == y_pred.ndim and labels.shape[axis] == 1:
        labels = jnp.squeeze(labels, axis)
    expected = y_pred.shape[:axis] + y_pred.shape[axis + 1 :]
    if labels.shape != expected:
        raise ValueError(
            f"{name}: y_true must hold one integer label per sample, of shape "
            f"{tuple(expected)} for y_pred of shape {tuple(y_pred.shape)} (class "
            f"axis {axis}). Received: y_true.shape={tuple(labels.shape)}"
        )
    return labels.astype("int32"), axis


def _pick(values: jax.Array, labels: jax.Array, axis: int) -> jax.Array:
    """``values`` at the class ``labels`` along ``axis`` (labels clipped to range)."""
    index = jnp.clip(labels, 0, values.shape[axis] - 1)
    picked = jnp.take_along_axis(values, jnp.expand_dims(index, axis), axis=axis)
    return jnp.squeeze(picked, axis)


def crossentropy_and_mask(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    ignore_class: int | None = None,
    axis: int = -1,
) -> tuple[jax.Array, jax.Array | None]:
    """Sparse cross-entropy per sample, and the mask of non-ignored samples."""
    name = "sparse_categorical_crossentropy"
    check_axis(axis, name)
    y_pred = convert_to_tensor(y_pred)
    labels, axis = sparse_labels(y_true, y_pred, axis, name)
    num_classes = y_pred.shape[axis]
    check_labels_in_range(labels, num_classes, name, ignore_class)
    valid = None
    if ignore_class is not None:
        valid = labels != ignore_class
        labels = jnp.where(valid, labels, 0)
        keep = jnp.broadcast_to(jnp.expand_dims(valid, axis), y_pred.shape)
        y_pred = jnp.where(keep, y_pred, jnp.ones_like(y_pred))
    values = -_pick(log_probabilities(y_pred, from_logits, axis), labels, axis)
    values = nan_where_out_of_range(values, labels, num_classes)
    if valid is not None:
        values = jnp.where(valid, values, jnp.zeros_like(values))
    return values, valid


@register("keras.losses")
@op
def sparse_categorical_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    ignore_class: int | None = None,
    axis: int = -1,
) -> jax.Array:
    """Cross-entropy between integer labels and class probabilities (or logits).

    Args:
        y_true: integer labels, shape of ``y_pred`` without the class axis
            (a trailing axis of size 1 is accepted).
        y_pred: probabilities, or logits if ``from_logits``.
        from_logits: whether ``y_pred`` holds logits.
        ignore_class: a label value whose samples get loss 0 (and, in the
            ``SparseCategoricalCrossentropy`` class, do not count in the mean).
        axis: the class axis of ``y_pred``.

    Example:
        >>> loss = sparse_categorical_crossentropy([1], [[0.2, 0.8]])
        >>> round(float(loss[0]), 5)
        0.22314
    """
    return crossentropy_and_mask(y_true, y_pred, from_logits, ignore_class, axis)[0]


@register("keras.losses")
@op
def categorical_generalized_cross_entropy(
    y_true: Any, y_pred: Any, q: float
) -> jax.Array:
    """Generalized cross-entropy ``(1 - p ** q) / q`` of the true class.

    ``p`` is ``y_pred`` (probabilities) at the integer label ``y_true``. As
    ``q`` tends to 0 this is the cross-entropy; ``q = 1`` gives ``1 - p``, a
    loss robust to noisy labels.

    Example:
        >>> round(float(categorical_generalized_cross_entropy([1], [[0.36, 0.64]], 0.5)[0]), 5)
        0.4
    """
    name = "categorical_generalized_cross_entropy"
    y_pred = convert_to_tensor(y_pred)
    labels, axis = sparse_labels(y_true, y_pred, -1, name)
    num_classes = y_pred.shape[axis]
    check_labels_in_range(labels, num_classes, name)
    p = _pick(y_pred, labels, axis)
    return nan_where_out_of_range((1.0 - jnp.power(p, q)) / q, labels, num_classes)


@register("keras.losses")
class SparseCategoricalCrossentropy(BuiltinLoss):
    """Cross-entropy between integer labels and predicted class probabilities.

    Args:
        from_logits: whether ``y_pred`` holds logits (default: probabilities).
        ignore_class: a label value (e.g. a padding class) whose samples are
            left out: their loss is 0 and they are not counted in the mean.
        reduction: see ``Loss``.
        axis: the class axis of ``y_pred`` (default -1). Kept in the config
            (Keras drops it).
        name: name of the instance.
        dtype: dtype to compute in.

    Example:
        >>> loss = SparseCategoricalCrossentropy(from_logits=True)
        >>> round(float(loss([0, 1], [[0.0, 0.0], [0.0, 0.0]])), 5)
        0.69315
    """

    _config_keys = ("from_logits", "ignore_class", "axis")

    def __init__(
        self,
        from_logits: bool = False,
        ignore_class: int | None = None,
        reduction: str | None = "sum_over_batch_size",
        axis: int = -1,
        name: str = "sparse_categorical_crossentropy",
        dtype: Any = None,
    ) -> None:
        check_axis(axis, name)
        super().__init__(
            sparse_categorical_crossentropy,
            reduction,
            name,
            dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )

    def _values_and_mask(self, y_true: Any, y_pred: Any) -> tuple[Any, Any]:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return crossentropy_and_mask(y_true, y_pred, **self._fn_kwargs)


@register("keras.losses")
class CategoricalGeneralizedCrossEntropy(BuiltinLoss):
    """Generalized cross-entropy over integer labels, robust to label noise.

    Args:
        q: in (0, 1); towards 0 it behaves like cross-entropy, towards 1 like
            mean absolute error (default 0.5).
        reduction: see ``Loss``.
        name: name of the instance.
        dtype: dtype to compute in.
    """

    _config_keys = ("q",)

    def __init__(
        self,
        q: float = 0.5,
        reduction: str | None = "sum_over_batch_size",
        name: str = "categorical_generalized_cross_entropy",
        dtype: Any = None,
    ) -> None:
        if not 0 < q < 1:
            raise ValueError(
                f"CategoricalGeneralizedCrossEntropy: q must be in the open "
                f"interval (0, 1). Received: q={q!r}"
            )
        super().__init__(
            categorical_generalized_cross_entropy, reduction, name, dtype, q=q
        )
