"""Binary cross-entropy losses, plain and focal."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import config
from kerax.autodiff.recording import op
from kerax.losses.inputs import check_axis, paired
from kerax.losses.loss import BuiltinLoss
from kerax.registry import register


def elementwise_binary_crossentropy(
    target: jax.Array, output: jax.Array, from_logits: bool
) -> jax.Array:
    """Per-entry binary cross-entropy; probabilities clipped to [eps, 1 - eps]."""
    if from_logits:
        return -target * jax.nn.log_sigmoid(output) - (1.0 - target) * (
            jax.nn.log_sigmoid(-output)
        )
    eps = config.epsilon()
    output = jnp.clip(output, eps, 1.0 - eps)
    return -(target * jnp.log(output) + (1.0 - target) * jnp.log(1.0 - output))


def _smooth(y_true: jax.Array, label_smoothing: float) -> jax.Array:
    if label_smoothing:
        return y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return y_true


@register("keras.losses")
@op
def binary_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> jax.Array:
    """Binary cross-entropy, averaged over ``axis``.

    Args:
        y_true: 0/1 targets, same shape as ``y_pred``.
        y_pred: probabilities, or logits if ``from_logits``.
        from_logits: whether ``y_pred`` holds logits.
        label_smoothing: in [0, 1]; targets move towards 0.5 by this much.
        axis: the axis to average over.

    Example:
        >>> round(float(binary_crossentropy([[1.0, 0.0]], [[0.5, 0.5]])[0]), 5)
        0.69315
    """
    check_axis(axis, "binary_crossentropy")
    y_true, y_pred = paired(y_true, y_pred, "binary_crossentropy", align_ranks=False)
    y_true = _smooth(y_true, label_smoothing)
    return jnp.mean(
        elementwise_binary_crossentropy(y_true, y_pred, from_logits), axis=axis
    )


@register("keras.losses")
@op
def binary_focal_crossentropy(
    y_true: Any,
    y_pred: Any,
    apply_class_balancing: bool = False,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> jax.Array:
    """Binary cross-entropy scaled by ``(1 - p_t) ** gamma``, averaged over ``axis``.

    ``p_t`` is the predicted probability of the true class. With
    ``apply_class_balancing``, positives are weighted by ``alpha`` and
    negatives by ``1 - alpha``.

    Example:
        >>> round(float(binary_focal_crossentropy([[1.0]], [[0.5]])[0]), 5)
        0.17329
    """
    check_axis(axis, "binary_focal_crossentropy")
    y_true, y_pred = paired(
        y_true, y_pred, "binary_focal_crossentropy", align_ranks=False
    )
    y_true = _smooth(y_true, label_smoothing)
    if from_logits:
        y_pred = jax.nn.sigmoid(y_pred)
    bce = elementwise_binary_crossentropy(y_true, y_pred, from_logits=False)
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal = jnp.power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return jnp.mean(focal, axis=axis)


@register("keras.losses")
class BinaryCrossentropy(BuiltinLoss):
    """Cross-entropy between 0/1 labels and predicted probabilities (or logits).

    Args:
        from_logits: whether ``y_pred`` holds logits (default: probabilities).
        label_smoothing: in [0, 1]; targets move towards 0.5 by this much.
        axis: the axis to average over (default -1).
        reduction: see ``Loss``.
        name: name of the instance.
        dtype: dtype to compute in.

    Example:
        >>> loss = BinaryCrossentropy(from_logits=True)
        >>> round(float(loss([[1.0, 0.0]], [[0.0, 0.0]])), 5)
        0.69315
    """

    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str = "binary_crossentropy",
        dtype: Any = None,
    ) -> None:
        check_axis(axis, name)
        super().__init__(
            binary_crossentropy,
            reduction,
            name,
            dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


@register("keras.losses")
class BinaryFocalCrossentropy(BuiltinLoss):
    """Binary cross-entropy focused on hard examples by ``(1 - p_t) ** gamma``.

    Args:
        apply_class_balancing: weight positives by ``alpha``, negatives by
            ``1 - alpha``.
        alpha: the balancing weight (default 0.25).
        gamma: the focusing exponent (default 2.0).
        from_logits, label_smoothing, axis, reduction, name, dtype: see
            ``BinaryCrossentropy``.
    """

    _config_keys = (
        "from_logits",
        "label_smoothing",
        "axis",
        "apply_class_balancing",
        "alpha",
        "gamma",
    )

    def __init__(
        self,
        apply_class_balancing: bool = False,
        alpha: float = 0.25,
        gamma: float = 2.0,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str = "binary_focal_crossentropy",
        dtype: Any = None,
    ) -> None:
        check_axis(axis, name)
        super().__init__(
            binary_focal_crossentropy,
            reduction,
            name,
            dtype,
            apply_class_balancing=apply_class_balancing,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
