"""Overlap losses for segmentation masks: Dice and Tversky."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import config
from kerax.autodiff.recording import op
from kerax.losses.inputs import paired
from kerax.losses.loss import BuiltinLoss
from kerax.registry import register

Axis = int | tuple[int, ...] | None


@register("keras.losses")
@op
def dice(y_true: Any, y_pred: Any, axis: Axis = None) -> jax.Array:
    """``1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred))`` over ``axis``.

    ``axis=None`` reduces over everything (one number for the batch).

    Example:
        >>> round(float(dice([[1.0, 0.0]], [[1.0, 1.0]])), 5)
        0.33333
    """
    y_true, y_pred = paired(y_true, y_pred, "dice", align_ranks=False)
    intersection = jnp.sum(y_true * y_pred, axis=axis)
    total = jnp.sum(y_true, axis=axis) + jnp.sum(y_pred, axis=axis)
    return 1.0 - 2.0 * intersection / (total + config.epsilon())


@register("keras.losses")
@op
def tversky(
    y_true: Any, y_pred: Any, alpha: float = 0.5, beta: float = 0.5, axis: Axis = None
) -> jax.Array:
    """``1 - TP / (TP + alpha * FN + beta * FP)`` with soft counts over ``axis``.

    ``FN = sum(y_true * (1 - y_pred))`` and ``FP = sum((1 - y_true) * y_pred)``;
    ``alpha = beta = 0.5`` is the Dice loss.

    Example:
        >>> round(float(tversky([[1.0, 0.0]], [[1.0, 1.0]], alpha=0.0, beta=1.0)), 5)
        0.5
    """
    y_true, y_pred = paired(y_true, y_pred, "tversky", align_ranks=False)
    true_positive = jnp.sum(y_true * y_pred, axis=axis)
    false_negative = jnp.sum((1.0 - y_pred) * y_true, axis=axis)
    false_positive = jnp.sum(y_pred * (1.0 - y_true), axis=axis)
    denominator = (
        true_positive
        + alpha * false_negative
        + beta * false_positive
        + config.epsilon()
    )
    return 1.0 - true_positive / denominator


@register("keras.losses")
class Dice(BuiltinLoss):
    """Dice loss: one minus the soft overlap of ``y_true`` and ``y_pred``.

    Args:
        reduction: see ``Loss``.
        name: name of the instance.
        axis: axes to sum over (default None: all, one value per batch).
        dtype: dtype to compute in.
    """

    _config_keys = ("axis",)

    def __init__(
        self,
        reduction: str | None = "sum_over_batch_size",
        name: str = "dice",
        axis: Axis = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(dice, reduction, name, dtype, axis=axis)


@register("keras.losses")
class Tversky(BuiltinLoss):
    """Tversky loss: Dice with separate weights for false negatives and positives.

    Args:
        alpha: weight of false negatives (default 0.5).
        beta: weight of false positives (default 0.5).
        reduction, name, axis, dtype: see ``Dice``.
    """

    _config_keys = ("alpha", "beta", "axis")

    def __init__(
        self,
        alpha: float = 0.5,
        beta: float = 0.5,
        reduction: str | None = "sum_over_batch_size",
        name: str = "tversky",
        axis: Axis = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            tversky, reduction, name, dtype, alpha=alpha, beta=beta, axis=axis
        )
