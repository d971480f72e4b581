"""Per-sample loss formulas that ``keras.metrics`` also exports.

Each function maps ``(y_true, y_pred)`` to one value per sample (the last axis
is reduced). The metric classes average them; ``kerax.losses`` has its own
copies of the same formulas.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import config
from kerax.autodiff.recording import op
from kerax.backend.tensors import convert_to_tensor
from kerax.metrics.metrics_utils import pred_and_true, squeeze_or_expand_to_same_rank
from kerax.registry import register


def _same_rank(y_true: Any, y_pred: Any) -> tuple[jax.Array, jax.Array]:
    y_true, y_pred = pred_and_true(y_true, y_pred)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def _check_same_shape(fn: str, y_true: jax.Array, y_pred: jax.Array) -> None:
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{fn}: `y_true` and `y_pred` must have the same shape, received "
            f"y_true.shape={y_true.shape} and y_pred.shape={y_pred.shape}."
        )


def _to_signed_labels(y_true: jax.Array) -> jax.Array:
    """Map {0, 1} labels to {-1, 1}; other labels are kept as they are."""
    is_binary = jnp.all((y_true == 0) | (y_true == 1))
    return jnp.where(is_binary, 2.0 * y_true - 1.0, y_true)


@register("keras.metrics")
@op
def mean_squared_error(y_true: Any, y_pred: Any) -> jax.Array:
    """Mean of ``(y_true - y_pred) ** 2`` over the last axis."""
    y_true, y_pred = _same_rank(y_true, y_pred)
    return jnp.mean(jnp.square(y_true - y_pred), axis=-1)


@register("keras.metrics")
@op
def mean_absolute_error(y_true: Any, y_pred: Any) -> jax.Array:
    """Mean of ``|y_true - y_pred|`` over the last axis."""
    y_true, y_pred = _same_rank(y_true, y_pred)
    return jnp.mean(jnp.abs(y_true - y_pred), axis=-1)


@register("keras.metrics")
@op
def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> jax.Array:
    """``100 * mean(|y_true - y_pred| / max(|y_true|, epsilon))`` (last axis)."""
    y_true, y_pred = _same_rank(y_true, y_pred)
    epsilon = jnp.asarray(config.epsilon(), y_pred.dtype)
    diff = jnp.abs((y_true - y_pred) / jnp.maximum(jnp.abs(y_true), epsilon))
    return 100.0 * jnp.mean(diff, axis=-1)


@register("keras.metrics")
@op
def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> jax.Array:
    """Mean squared difference of ``log(1 + max(y, epsilon))`` (last axis)."""
    y_true, y_pred = _same_rank(y_true, y_pred)
    epsilon = config.epsilon()
    first = jnp.log(jnp.maximum(y_pred, epsilon) + 1.0)
    second = jnp.log(jnp.maximum(y_true, epsilon) + 1.0)
    return jnp.mean(jnp.square(first - second), axis=-1)


@register("keras.metrics")
@op
def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> jax.Array:
    """Huber loss: quadratic for errors up to ``delta``, linear beyond."""
    y_true, y_pred = _same_rank(y_true, y_pred)
    delta = jnp.asarray(delta, y_pred.dtype)
    error = y_pred - y_true
    abs_error = jnp.abs(error)
    half = jnp.asarray(0.5, abs_error.dtype)
    values = jnp.where(
        abs_error <= delta,
        half * jnp.square(error),
        delta * abs_error - half * jnp.square(delta),
    )
    return jnp.mean(values, axis=-1)


@register("keras.metrics")
@op
def log_cosh(y_true: Any, y_pred: Any) -> jax.Array:
    """Mean of ``log(cosh(y_pred - y_true))`` over the last axis."""
    y_true, y_pred = _same_rank(y_true, y_pred)
    log2 = jnp.asarray(jnp.log(2.0), y_pred.dtype)
    x = y_pred - y_true
    return jnp.mean(x + jax.nn.softplus(x * -2.0) - log2, axis=-1)


@register("keras.metrics")
@op
def kl_divergence(y_true: Any, y_pred: Any) -> jax.Array:
    """``sum(y_true * log(y_true / y_pred))`` with both clipped to [eps, 1]."""
    y_true, y_pred = pred_and_true(y_true, y_pred)
    y_true = jnp.clip(y_true, config.epsilon(), 1)
    y_pred = jnp.clip(y_pred, config.epsilon(), 1)
    return jnp.sum(y_true * jnp.log(y_true / y_pred), axis=-1)


@register("keras.metrics")
@op
def poisson(y_true: Any, y_pred: Any) -> jax.Array:
    """Mean of ``y_pred - y_true * log(y_pred + epsilon)`` (last axis)."""
    y_true, y_pred = pred_and_true(y_true, y_pred)
    epsilon = jnp.asarray(config.epsilon(), y_pred.dtype)
    return jnp.mean(y_pred - y_true * jnp.log(y_pred + epsilon), axis=-1)


@register("keras.metrics")
@op
def hinge(y_true: Any, y_pred: Any) -> jax.Array:
    """Mean of ``max(1 - y_true * y_pred, 0)``; 0/1 labels become -1/1."""
    y_true, y_pred = pred_and_true(y_true, y_pred)
    y_true = _to_signed_labels(y_true)
    return jnp.mean(jnp.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


@register("keras.metrics")
@op
def squared_hinge(y_true: Any, y_pred: Any) -> jax.Array:
    """Mean of ``max(1 - y_true * y_pred, 0) ** 2``; 0/1 labels become -1/1."""
    y_true, y_pred = pred_and_true(y_true, y_pred)
    y_true = _to_signed_labels(y_true)
    return jnp.mean(jnp.square(jnp.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


@register("keras.metrics")
@op
def categorical_hinge(y_true: Any, y_pred: Any) -> jax.Array:
    """``max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)``."""
    y_true, y_pred = pred_and_true(y_true, y_pred)
    positive = jnp.sum(y_true * y_pred, axis=-1)
    negative = jnp.max((1.0 - y_true) * y_pred, axis=-1)
    return jnp.maximum(negative - positive + 1.0, jnp.zeros((), y_pred.dtype))


def _log_probabilities(y_pred: jax.Array, from_logits: bool, axis: int) -> jax.Array:
    if from_logits:
        return jax.nn.log_softmax(y_pred, axis=axis)
    epsilon = config.epsilon()
    y_pred = y_pred / jnp.sum(y_pred, axis, keepdims=True)
    return jnp.log(jnp.clip(y_pred, epsilon, 1.0 - epsilon))


def _elementwise_binary_crossentropy(
    y_true: jax.Array, y_pred: jax.Array, from_logits: bool
) -> jax.Array:
    if from_logits:
        return -y_true * jax.nn.log_sigmoid(y_pred) - (1.0 - y_true) * (
            jax.nn.log_sigmoid(-y_pred)
        )
    epsilon = config.epsilon()
    y_pred = jnp.clip(y_pred, epsilon, 1.0 - epsilon)
    return -(y_true * jnp.log(y_pred) + (1.0 - y_true) * jnp.log(1.0 - y_pred))


def _check_axis(axis: Any) -> None:
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise ValueError(f"`axis` must be an int, received axis={axis!r}.")


@register("keras.metrics")
@op
def binary_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> jax.Array:
    """Binary crossentropy averaged over ``axis``."""
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true).astype(y_pred.dtype)
    _check_same_shape("binary_crossentropy", y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    values = _elementwise_binary_crossentropy(y_true, y_pred, from_logits)
    return jnp.mean(values, axis=axis)


@register("keras.metrics")
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
    """Binary crossentropy scaled by ``(1 - p_t) ** gamma`` (focal loss)."""
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true).astype(y_pred.dtype)
    _check_same_shape("binary_focal_crossentropy", y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = jax.nn.sigmoid(y_pred)
    bce = _elementwise_binary_crossentropy(y_true, y_pred, False)
    p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
    focal = jnp.power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1 - y_true) * (1 - alpha)) * focal
    return jnp.mean(focal, axis=axis)


def _smooth_categorical(y_true: jax.Array, label_smoothing: float) -> jax.Array:
    if not label_smoothing:
        return y_true
    num_classes = jnp.asarray(y_true.shape[-1], y_true.dtype)
    return y_true * (1.0 - label_smoothing) + label_smoothing / num_classes


@register("keras.metrics")
@op
def categorical_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> jax.Array:
    """Crossentropy between one-hot (or soft) labels and class scores."""
    _check_axis(axis)
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true).astype(y_pred.dtype)
    _check_same_shape("categorical_crossentropy", y_true, y_pred)
    y_true = _smooth_categorical(y_true, label_smoothing)
    return -jnp.sum(y_true * _log_probabilities(y_pred, from_logits, axis), axis=axis)


@register("keras.metrics")
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
    """Categorical crossentropy scaled by ``alpha * (1 - p) ** gamma``."""
    _check_axis(axis)
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true).astype(y_pred.dtype)
    y_true = _smooth_categorical(y_true, label_smoothing)
    if from_logits:
        y_pred = jax.nn.softmax(y_pred, axis=axis)
    epsilon = config.epsilon()
    output = y_pred / jnp.sum(y_pred, axis=axis, keepdims=True)
    output = jnp.clip(output, epsilon, 1.0 - epsilon)
    cce = -y_true * jnp.log(output)
    focal = jnp.power(1.0 - output, gamma) * alpha * cce
    return jnp.sum(focal, axis=axis)


def sparse_valid_mask(
    y_true: Any, y_pred: Any, ignore_class: int | None, axis: int = -1
) -> jax.Array | None:
    """Which samples ``sparse_categorical_crossentropy`` does not ignore."""
    if ignore_class is None:
        return None
    y_true, y_pred = _sparse_labels(y_true, y_pred, axis)
    return y_true != jnp.asarray(ignore_class, y_pred.dtype)


def _sparse_labels(y_true: Any, y_pred: Any, axis: int) -> tuple[jax.Array, jax.Array]:
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true)
    if y_true.ndim == y_pred.ndim and y_true.shape[axis] == 1:
        y_true = jnp.squeeze(y_true, axis=axis)
    return y_true, y_pred


@register("keras.metrics")
@op
def sparse_categorical_crossentropy(
    y_true: Any,
    y_pred: Any,
    from_logits: bool = False,
    ignore_class: int | None = None,
    axis: int = -1,
) -> jax.Array:
    """Crossentropy between integer labels and class scores.

    Samples whose label equals ``ignore_class`` get a value of 0.
    """
    y_true, y_pred = _sparse_labels(y_true, y_pred, axis)
    valid = sparse_valid_mask(y_true, y_pred, ignore_class, axis)
    if valid is not None:
        y_true = jnp.where(valid, y_true, 0)
        y_pred = jnp.where(jnp.expand_dims(valid, axis), y_pred, 0)
    if y_true.shape != y_pred.shape[:-1]:
        raise ValueError(
            "sparse_categorical_crossentropy: `y_true` must have the shape of "
            "`y_pred` without its class axis, received "
            f"y_true.shape={y_true.shape} and y_pred.shape={y_pred.shape}."
        )
    one_hot = jax.nn.one_hot(
        y_true.astype("int32"), y_pred.shape[axis], axis=axis, dtype=y_pred.dtype
    )
    values = -jnp.sum(one_hot * _log_probabilities(y_pred, from_logits, axis), axis)
    if valid is not None:
        values = jnp.where(valid, values, jnp.zeros((), values.dtype))
    return values
