"""Hinge losses for maximum-margin classification."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax.autodiff.recording import op
from kerax.losses.inputs import paired
from kerax.losses.loss import BuiltinLoss
from kerax.registry import register


def _signed_labels(y_true: jax.Array) -> jax.Array:
    """Map labels to -1/1 when every label is 0 or 1; leave -1/1 labels alone."""
    is_binary = jnp.all((y_true == 0) | (y_true == 1))
    return jnp.where(is_binary, 2.0 * y_true - 1.0, y_true)


@register("keras.losses")
@op
def hinge(y_true: Any, y_pred: Any) -> jax.Array:
    """Mean of ``max(1 - y_true * y_pred, 0)`` over the last axis.

    ``y_true`` holds -1/1 labels; 0/1 labels are converted (when all of them
    are 0 or 1).

    Example:
        >>> hinge([[1.0, 0.0]], [[0.5, -2.0]]).tolist()
        [0.25]
    """
    y_true, y_pred = paired(y_true, y_pred, "hinge", align_ranks=False)
    y_true = _signed_labels(y_true)
    return jnp.mean(jnp.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


@register("keras.losses")
@op
def squared_hinge(y_true: Any, y_pred: Any) -> jax.Array:
    """Mean of ``max(1 - y_true * y_pred, 0) ** 2`` over the last axis.

    Labels are treated as in ``hinge``.

    Example:
        >>> squared_hinge([[1.0, 0.0]], [[0.5, -2.0]]).tolist()
        [0.125]
    """
    y_true, y_pred = paired(y_true, y_pred, "squared_hinge", align_ranks=False)
    y_true = _signed_labels(y_true)
    return jnp.mean(jnp.square(jnp.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


@register("keras.losses")
@op
def categorical_hinge(y_true: Any, y_pred: Any) -> jax.Array:
    """``max(max_wrong - correct + 1, 0)`` for one-hot ``y_true``.

    ``correct`` is ``sum(y_true * y_pred)`` and ``max_wrong`` the largest
    ``(1 - y_true) * y_pred``.

    Example:
        >>> round(float(categorical_hinge([[0.0, 1.0]], [[0.3, 0.9]])[0]), 5)
        0.4
    """
    y_true, y_pred = paired(y_true, y_pred, "categorical_hinge", align_ranks=False)
    positive = jnp.sum(y_true * y_pred, axis=-1)
    negative = jnp.max((1.0 - y_true) * y_pred, axis=-1)
    return jnp.maximum(negative - positive + 1.0, jnp.zeros((), y_pred.dtype))


@register("keras.losses")
class Hinge(BuiltinLoss):
    """Hinge loss ``max(1 - y_true * y_pred, 0)`` with -1/1 (or 0/1) labels.

    Args:
        reduction: see ``Loss``.
        name: name of the instance.
        dtype: dtype to compute in.
    """

    def __init__(
        self,
        reduction: str | None = "sum_over_batch_size",
        name: str = "hinge",
        dtype: Any = None,
    ) -> None:
        super().__init__(hinge, reduction, name, dtype)


@register("keras.losses")
class SquaredHinge(BuiltinLoss):
    """Squared hinge loss ``max(1 - y_true * y_pred, 0) ** 2``.

    Args: see ``Hinge``.
    """

    def __init__(
        self,
        reduction: str | None = "sum_over_batch_size",
        name: str = "squared_hinge",
        dtype: Any = None,
    ) -> None:
        super().__init__(squared_hinge, reduction, name, dtype)


@register("keras.losses")
class CategoricalHinge(BuiltinLoss):
    """Categorical hinge loss for one-hot labels.

    Args: see ``Hinge``.
    """

    def __init__(
        self,
        reduction: str | None = "sum_over_batch_size",
        name: str = "categorical_hinge",
        dtype: Any = None,
    ) -> None:
        super().__init__(categorical_hinge, reduction, name, dtype)
