"""Categorical cross-entropy losses for one-hot labels, plain and focal."""

from __future__ import annotations

import warnings
from typing import Any

import jax
import jax.numpy as jnp

from kerax import config
from kerax.autodiff.recording import op
from kerax.losses.inputs import check_axis, paired
from kerax.losses.loss import BuiltinLoss
from kerax.registry import register


def log_probabilities(y_pred: jax.Array, from_logits: bool, axis: int) -> jax.Array:
    """Log of class probabilities along ``axis``.

    Logits go through ``log_softmax``; probabilities are renormalized to sum
    to 1 and clipped to ``[epsilon, 1 - epsilon]`` before the log.
    """
    if from_logits:
        return jax.nn.log_softmax(y_pred, axis=axis)
    return jnp.log(_clipped_probabilities(y_pred, axis))


def _clipped_probabilities(y_pred: jax.Array, axis: int) -> jax.Array:
    eps = config.epsilon()
    output = y_pred / jnp.sum(y_pred, axis=axis, keepdims=True)
    return jnp.clip(output, eps, 1.0 - eps)


def _prepare(
    y_true: Any, y_pred: Any, label_smoothing: float, axis: int, name: str
) -> tuple[jax.Array, jax.Array]:
    check_axis(axis, name)
    y_true, y_pred = paired(y_true, y_pred, name, align_ranks=False)
    if y_pred.ndim < 1:
        raise ValueError(f"{name}: y_pred must be at least rank 1, received a scalar.")
    if y_pred.shape[axis] == 1:
        warnings.warn(
            f"In loss {name}, expected y_pred.shape to be (batch_size, "
            f"num_classes) with num_classes > 1. Received: y_pred.shape="
            f"{tuple(y_pred.shape)}. Consider using 'binary_crossentropy' if you "
            "only have 2 classes.",
            SyntaxWarning,
            stacklevel=2,
        )
    if label_smoothing:
        num_classes = y_pred.shape[axis]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    return y_true, y_pred


@register("keras.losses")
@op
def categorical_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> jax.Array:
    """Cross-entropy between one-hot (or soft) labels and class probabilities.

    Args:
        y_true: one-hot labels, same shape as ``y_pred``.
        y_pred: probabilities, or logits if ``from_logits``.
        from_logits: whether ``y_pred`` holds logits.
        label_smoothing: in [0, 1]; mixes the labels with the uniform
            distribution by this much.
        axis: the class axis.

    Example:
        >>> round(float(categorical_crossentropy([[0.0, 1.0]], [[0.5, 0.5]])[0]), 5)
        0.69315
    """
    name = "categorical_crossentropy"
    y_true, y_pred = _prepare(y_true, y_pred, label_smoothing, axis, name)
    return -jnp.sum(y_true * log_probabilities(y_pred, from_logits, axis), axis=axis)


@register("keras.losses")
@op
def categorical_focal_crossentropy(
    y_true: Any,
    y_pred: Any,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> jax.Array:
    """Categorical cross-entropy scaled by ``alpha * (1 - p) ** gamma`` per class.

    Example:
        >>> loss = categorical_focal_crossentropy([[0.0, 1.0]], [[0.5, 0.5]])
        >>> round(float(loss[0]), 5)
        0.04332
    """
    name = "categorical_focal_crossentropy"
    y_true, y_pred = _prepare(y_true, y_pred, label_smoothing, axis, name)
    if from_logits:
        y_pred = jax.nn.softmax(y_pred, axis=axis)
    output = _clipped_probabilities(y_pred, axis)
    focal = alpha * jnp.power(1.0 - output, gamma) * (-y_true * jnp.log(output))
    return jnp.sum(focal, axis=axis)


@register("keras.losses")
class CategoricalCrossentropy(BuiltinLoss):
    """Cross-entropy between one-hot labels and predicted class probabilities.

    Args:
        from_logits: whether ``y_pred`` holds logits (default: probabilities).
        label_smoothing: in [0, 1]; mixes the labels with the uniform
            distribution by this much.
        axis: the class axis (default -1).
        reduction: see ``Loss``.
        name: name of the instance.
        dtype: dtype to compute in.

    Example:
        >>> loss = CategoricalCrossentropy()
        >>> round(float(loss([[0.0, 1.0]], [[0.2, 0.8]])), 5)
        0.22314
    """

    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str = "categorical_crossentropy",
        dtype: Any = None,
    ) -> None:
        check_axis(axis, name)
        super().__init__(
            categorical_crossentropy,
            reduction,
            name,
            dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


@register("keras.losses")
class CategoricalFocalCrossentropy(BuiltinLoss):
    """Categorical cross-entropy focused on hard examples.

    Args:
        alpha: weight of every class (default 0.25).
        gamma: the focusing exponent (default 2.0).
        from_logits, label_smoothing, axis, reduction, name, dtype: see
            ``CategoricalCrossentropy``.
    """

    _config_keys = ("from_logits", "label_smoothing", "axis", "alpha", "gamma")

    def __init__(
        self,
        alpha: float = 0.25,
        gamma: float = 2.0,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str = "categorical_focal_crossentropy",
        dtype: Any = None,
    ) -> None:
        check_axis(axis, name)
        super().__init__(
            categorical_focal_crossentropy,
            reduction,
            name,
            dtype,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
