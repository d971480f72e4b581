"""Correlation metrics: Pearson and concordance correlation, per sample."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import config
from kerax.autodiff.recording import op
from kerax.metrics.metrics_utils import pred_and_true, squeeze_or_expand_to_same_rank
from kerax.metrics.reduction_metrics import FixedFunctionWrapper
from kerax.registry import register


@register("keras.metrics")
@op
def pearson_correlation(y_true: Any, y_pred: Any, axis: int = -1) -> jax.Array:
    """Pearson correlation between ``y_true`` and ``y_pred`` along ``axis``."""
    y_true, y_pred = pred_and_true(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    true_centered = y_true - jnp.mean(y_true, axis=axis, keepdims=True)
    pred_centered = y_pred - jnp.mean(y_pred, axis=axis, keepdims=True)
    true_centered = true_centered / jnp.std(true_centered, axis=axis, keepdims=True)
    pred_centered = pred_centered / jnp.std(pred_centered, axis=axis, keepdims=True)
    return jnp.mean(true_centered * pred_centered, axis=axis)


@register("keras.metrics")
@op
def concordance_correlation(y_true: Any, y_pred: Any, axis: int = -1) -> jax.Array:
    """Concordance correlation between ``y_true`` and ``y_pred`` along ``axis``.

    As in Keras 3, the covariance term centres ``y_true`` on the mean of
    ``y_pred``.
    """
    y_true, y_pred = pred_and_true(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    true_mean = jnp.mean(y_true, axis=axis, keepdims=True)
    pred_mean = jnp.mean(y_pred, axis=axis, keepdims=True)
    true_var = jnp.var(y_true - true_mean, axis=axis, keepdims=True)
    pred_var = jnp.var(y_pred - pred_mean, axis=axis, keepdims=True)
    covariance = (y_true - pred_mean) * (y_pred - pred_mean)
    norm = true_var + pred_var + jnp.square(true_mean - pred_mean)
    return jnp.mean(2 * covariance / (norm + config.epsilon()), axis=axis)


class _CorrelationMetric(FixedFunctionWrapper):
    def __init__(self, fn: Any, name: str, dtype: Any, axis: int) -> None:
        super().__init__(fn=fn, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


@register("keras.metrics")
class PearsonCorrelation(_CorrelationMetric):
    """Running mean of the per-sample Pearson correlation.

    Args:
        name: name of the metric.
        dtype: dtype of the accumulators.
        axis: the axis along which each correlation is computed.
    """

    def __init__(
        self, name: str = "pearson_correlation", dtype: Any = None, axis: int = -1
    ) -> None:
        super().__init__(pearson_correlation, name, dtype, axis)


@register("keras.metrics")
class ConcordanceCorrelation(_CorrelationMetric):
    """Running mean of the per-sample concordance correlation.

    Args:
        name: name of the metric.
        dtype: dtype of the accumulators.
        axis: the axis along which each correlation is computed.
    """

    def __init__(
        self, name: str = "concordance_correlation", dtype: Any = None, axis: int = -1
    ) -> None:
        super().__init__(concordance_correlation, name, dtype, axis)
