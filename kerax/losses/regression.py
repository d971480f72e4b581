"""Regression losses: squared, absolute, percentage, logarithmic, cosine, Huber."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import config
from kerax.autodiff.recording import op
from kerax.losses.inputs import check_axis, paired
from kerax.losses.loss import BuiltinLoss
from kerax.registry import register


@register("keras.losses")
@op
def mean_squared_error(y_true: Any, y_pred: Any) -> jax.Array:
    """Mean of ``(y_true - y_pred) ** 2`` over the last axis.

    Example:
        >>> mean_squared_error([[0.0, 1.0]], [[1.0, 1.0]]).tolist()
        [0.5]
    """
    y_true, y_pred = paired(y_true, y_pred, "mean_squared_error")
    return jnp.mean(jnp.square(y_true - y_pred), axis=-1)


@register("keras.losses")
@op
def mean_absolute_error(y_true: Any, y_pred: Any) -> jax.Array:
    """Mean of ``abs(y_true - y_pred)`` over the last axis.

    Example:
        >>> mean_absolute_error([[0.0, 1.0]], [[2.0, 1.0]]).tolist()
        [1.0]
    """
    y_true, y_pred = paired(y_true, y_pred, "mean_absolute_error")
    return jnp.mean(jnp.abs(y_true - y_pred), axis=-1)


@register("keras.losses")
@op
def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> jax.Array:
    """``100 * mean(abs((y_true - y_pred) / y_true))``; ``|y_true|`` is at least epsilon.

    Example:
        >>> mean_absolute_percentage_error([[2.0, 4.0]], [[1.0, 4.0]]).tolist()
        [25.0]
    """
    y_true, y_pred = paired(y_true, y_pred, "mean_absolute_percentage_error")
    floor = jnp.asarray(config.epsilon(), y_pred.dtype)
    ratio = jnp.abs((y_true - y_pred) / jnp.maximum(jnp.abs(y_true), floor))
    return 100.0 * jnp.mean(ratio, axis=-1)


@register("keras.losses")
@op
def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> jax.Array:
    """Mean of ``(log(1 + y_pred) - log(1 + y_true)) ** 2`` (values floored at epsilon).

    Example:
        >>> round(float(mean_squared_logarithmic_error([[0.0]], [[1.718281828]])[0]), 4)
        1.0
    """
    y_true, y_pred = paired(y_true, y_pred, "mean_squared_logarithmic_error")
    floor = jnp.asarray(config.epsilon(), y_pred.dtype)
    first = jnp.log(jnp.maximum(y_pred, floor) + 1.0)
    second = jnp.log(jnp.maximum(y_true, floor) + 1.0)
    return jnp.mean(jnp.square(first - second), axis=-1)


def _l2_normalize(x: jax.Array, axis: int) -> jax.Array:
    squares = jnp.sum(jnp.square(x), axis=axis, keepdims=True)
    return x * jnp.minimum(jax.lax.rsqrt(squares), 1.0 / config.epsilon())


@register("keras.losses")
@op
def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> jax.Array:
    """Negative cosine similarity along ``axis`` (-1: same direction, 0: orthogonal).

    A zero vector has similarity 0 with everything.

    Example:
        >>> cosine_similarity([[1.0, 0.0]], [[2.0, 0.0]]).tolist()
        [-1.0]
    """
    check_axis(axis, "cosine_similarity")
    y_true, y_pred = paired(y_true, y_pred, "cosine_similarity")
    y_true = _l2_normalize(y_true, axis)
    y_pred = _l2_normalize(y_pred, axis)
    return -jnp.sum(y_true * y_pred, axis=axis)


@register("keras.losses")
@op
def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> jax.Array:
    """Huber loss: quadratic for errors up to ``delta``, linear beyond; mean over -1.

    Example:
        >>> huber([[0.0, 0.0]], [[0.5, 3.0]]).tolist()
        [1.3125]
    """
    y_true, y_pred = paired(y_true, y_pred, "huber")
    delta = jnp.asarray(delta, y_pred.dtype)
    error = y_pred - y_true
    abs_error = jnp.abs(error)
    quadratic = 0.5 * jnp.square(error)
    linear = delta * abs_error - 0.5 * jnp.square(delta)
    return jnp.mean(jnp.where(abs_error <= delta, quadratic, linear), axis=-1)


@register("keras.losses")
@op
def log_cosh(y_true: Any, y_pred: Any) -> jax.Array:
    """Mean of ``log(cosh(y_pred - y_true))`` over the last axis, computed stably.

    Example:
        >>> round(float(log_cosh([[0.0]], [[1.0]])[0]), 5)
        0.43378
    """
    y_true, y_pred = paired(y_true, y_pred, "log_cosh")
    x = y_pred - y_true
    log2 = jnp.asarray(jnp.log(2.0), x.dtype)
    return jnp.mean(x + jax.nn.softplus(-2.0 * x) - log2, axis=-1)


@register("keras.losses")
class MeanSquaredError(BuiltinLoss):
    """Mean of squared errors: ``mean((y_true - y_pred) ** 2)``.

    Args:
        reduction: see ``Loss``.
        name: name of the instance.
        dtype: dtype to compute in.

    Example:
        >>> float(MeanSquaredError()([[0.0, 1.0]], [[1.0, 1.0]]))
        0.5
    """

    def __init__(
        self,
        reduction: str | None = "sum_over_batch_size",
        name: str = "mean_squared_error",
        dtype: Any = None,
    ) -> None:
        super().__init__(mean_squared_error, reduction, name, dtype)


@register("keras.losses")
class MeanAbsoluteError(BuiltinLoss):
    """Mean of absolute errors: ``mean(abs(y_true - y_pred))``.

    Args: see ``MeanSquaredError``.
    """

    def __init__(
        self,
        reduction: str | None = "sum_over_batch_size",
        name: str = "mean_absolute_error",
        dtype: Any = None,
    ) -> None:
        super().__init__(mean_absolute_error, reduction, name, dtype)


@register("keras.losses")
class MeanAbsolutePercentageError(BuiltinLoss):
    """``100 * mean(abs((y_true - y_pred) / y_true))``.

    Args: see ``MeanSquaredError``.
    """

    def __init__(
        self,
        reduction: str | None = "sum_over_batch_size",
        name: str = "mean_absolute_percentage_error",
        dtype: Any = None,
    ) -> None:
        super().__init__(mean_absolute_percentage_error, reduction, name, dtype)


@register("keras.losses")
class MeanSquaredLogarithmicError(BuiltinLoss):
    """``mean((log(1 + y_pred) - log(1 + y_true)) ** 2)``.

    Args: see ``MeanSquaredError``.
    """

    def __init__(
        self,
        reduction: str | None = "sum_over_batch_size",
        name: str = "mean_squared_logarithmic_error",
        dtype: Any = None,
    ) -> None:
        super().__init__(mean_squared_logarithmic_error, reduction, name, dtype)


@register("keras.losses")
class CosineSimilarity(BuiltinLoss):
    """Negative cosine similarity between ``y_true`` and ``y_pred``.

    Args:
        axis: the feature axis (default -1). Kept in the config (Keras drops it).
        reduction, name, dtype: see ``MeanSquaredError``.
    """

    _config_keys = ("axis",)

    def __init__(
        self,
        axis: int = -1,
        reduction: str | None = "sum_over_batch_size",
        name: str = "cosine_similarity",
        dtype: Any = None,
    ) -> None:
        check_axis(axis, name)
        super().__init__(cosine_similarity, reduction, name, dtype, axis=axis)


@register("keras.losses")
class Huber(BuiltinLoss):
    """Huber loss, quadratic up to ``delta`` and linear beyond.

    Args:
        delta: where the loss turns linear (default 1.0). Kept in the config
            (Keras drops it).
        reduction, name, dtype: see ``MeanSquaredError``.
    """

    _config_keys = ("delta",)

    def __init__(
        self,
        delta: float = 1.0,
        reduction: str | None = "sum_over_batch_size",
        name: str = "huber_loss",
        dtype: Any = None,
    ) -> None:
        super().__init__(huber, reduction, name, dtype, delta=delta)


@register("keras.losses")
class LogCosh(BuiltinLoss):
    """Logarithm of the hyperbolic cosine of the prediction error.

    Args: see ``MeanSquaredError``.
    """

    def __init__(
        self,
        reduction: str | None = "sum_over_batch_size",
        name: str = "log_cosh",
        dtype: Any = None,
    ) -> None:
        super().__init__(log_cosh, reduction, name, dtype)
