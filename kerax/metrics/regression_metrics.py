"""Regression metrics: mean errors, RMSE, cosine similarity, log-cosh, R2."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax.autodiff.recording import op
from kerax.backend.tensors import convert_to_tensor
from kerax.metrics.loss_functions import (
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)
from kerax.metrics.metric import Metric
from kerax.metrics.metrics_utils import (
    l2_normalize,
    pred_and_true,
    squeeze_or_expand_to_same_rank,
)
from kerax.metrics.reduction_metrics import FixedFunctionWrapper, Mean
from kerax.registry import register


@register("keras.metrics")
class MeanSquaredError(FixedFunctionWrapper):
    """Running mean of ``mean_squared_error`` over samples."""

    def __init__(self, name: str = "mean_squared_error", dtype: Any = None) -> None:
        super().__init__(fn=mean_squared_error, name=name, dtype=dtype)
        self._direction = "down"


@register("keras.metrics")
class MeanAbsoluteError(FixedFunctionWrapper):
    """Running mean of ``mean_absolute_error`` over samples."""

    def __init__(self, name: str = "mean_absolute_error", dtype: Any = None) -> None:
        super().__init__(fn=mean_absolute_error, name=name, dtype=dtype)
        self._direction = "down"


@register("keras.metrics")
class MeanAbsolutePercentageError(FixedFunctionWrapper):
    """Running mean of ``mean_absolute_percentage_error`` over samples."""

    def __init__(
        self, name: str = "mean_absolute_percentage_error", dtype: Any = None
    ) -> None:
        super().__init__(fn=mean_absolute_percentage_error, name=name, dtype=dtype)
        self._direction = "down"


@register("keras.metrics")
class MeanSquaredLogarithmicError(FixedFunctionWrapper):
    """Running mean of ``mean_squared_logarithmic_error`` over samples."""

    def __init__(
        self, name: str = "mean_squared_logarithmic_error", dtype: Any = None
    ) -> None:
        super().__init__(fn=mean_squared_logarithmic_error, name=name, dtype=dtype)
        self._direction = "down"


@register("keras.metrics")
class LogCoshError(FixedFunctionWrapper):
    """Running mean of ``log_cosh`` over samples."""

    def __init__(self, name: str = "logcosh", dtype: Any = None) -> None:
        super().__init__(fn=log_cosh, name=name, dtype=dtype)
        self._direction = "down"


@op
def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> jax.Array:
    """Cosine of the angle between ``y_true`` and ``y_pred`` along ``axis``."""
    y_true, y_pred = pred_and_true(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return jnp.sum(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis), axis=axis)


@register("keras.metrics")
class CosineSimilarity(FixedFunctionWrapper):
    """Running mean of the cosine similarity between labels and predictions.

    Args:
        name: name of the metric.
        dtype: dtype of the accumulators.
        axis: the axis holding the vectors.

    Example:
        >>> m = CosineSimilarity()
        >>> m.update_state([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]])
        >>> round(float(m.result()), 4)
        0.5
    """

    def __init__(
        self, name: str = "cosine_similarity", dtype: Any = None, axis: int = -1
    ) -> None:
        super().__init__(fn=cosine_similarity, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


@register("keras.metrics")
class RootMeanSquaredError(Mean):
    """Square root of the running mean of squared errors.

    Example:
        >>> m = RootMeanSquaredError()
        >>> m.update_state([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]])
        >>> float(m.result())
        0.5
    """

    def __init__(
        self, name: str = "root_mean_squared_error", dtype: Any = None
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        self._direction = "down"

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add the squared errors of one batch."""
        y_true = convert_to_tensor(y_true, self.dtype)
        y_pred = convert_to_tensor(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        self._accumulate(jnp.square(y_pred - y_true), sample_weight)

    def result(self) -> jax.Array:
        return jnp.sqrt(super().result())


_CLASS_AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")


@register("keras.metrics")
class R2Score(Metric):
    """Coefficient of determination, per output column, then aggregated.

    Inputs are ``(batch_size, output_dim)``; the state Variables are created
    on the first ``update_state`` (their size is ``output_dim``).

    Args:
        class_aggregation: ``"uniform_average"``, ``"variance_weighted_average"``
            or None (one score per output).
        num_regressors: number of regressors, for the adjusted R2 score (0:
            plain R2; when there are too few samples the plain score is used).
        name: name of the metric.
        dtype: dtype of the computation.
    """

    def __init__(
        self,
        class_aggregation: str | None = "uniform_average",
        num_regressors: int = 0,
        name: str = "r2_score",
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if class_aggregation not in _CLASS_AGGREGATIONS:
            raise ValueError(
                f"R2Score: `class_aggregation` must be one of {_CLASS_AGGREGATIONS}, "
                f"received class_aggregation={class_aggregation!r}."
            )
        if num_regressors < 0:
            raise ValueError(
                "R2Score: `num_regressors` must be >= 0, received "
                f"num_regressors={num_regressors}."
            )
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable((), "zeros", name="num_samples")
        self._built = False

    def _build(self, true_shape: tuple[int, ...], pred_shape: tuple[int, ...]) -> None:
        if len(pred_shape) != 2 or len(true_shape) != 2:
            raise ValueError(
                "R2Score expects 2D inputs of shape (batch_size, output_dim), "
                f"received y_true.shape={true_shape} and y_pred.shape={pred_shape}."
            )
        shape = (pred_shape[-1],)
        self.squared_sum = self.add_variable(shape, "zeros", name="squared_sum")
        self.sum = self.add_variable(shape, "zeros", name="sum")
        self.total_mse = self.add_variable(shape, "zeros", name="residual")
        self.count = self.add_variable(shape, "zeros", name="count")
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add the sums of one batch (rows weighted by ``sample_weight``)."""
        y_true = convert_to_tensor(y_true, self.dtype)
        y_pred = convert_to_tensor(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        weight = convert_to_tensor(
            1 if sample_weight is None else sample_weight, self.dtype
        )
        if weight.ndim == 1:
            weight = jnp.expand_dims(weight, 1)
        weight = jnp.broadcast_to(weight, y_true.shape)
        weighted_true = y_true * weight
        self.sum.assign(self.sum.value + jnp.sum(weighted_true, axis=0))
        self.squared_sum.assign(
            self.squared_sum.value + jnp.sum(y_true * weighted_true, axis=0)
        )
        self.total_mse.assign(
            self.total_mse.value + jnp.sum(jnp.square(y_true - y_pred) * weight, 0)
        )
        self.count.assign(self.count.value + jnp.sum(weight, axis=0))
        self.num_samples.assign(self.num_samples.value + y_true.size)

    def result(self) -> jax.Array:
        if not self._built:
            raise ValueError("R2Score.result() needs at least one update_state().")
        mean = self.sum.value / self.count.value
        total = self.squared_sum.value - self.sum.value * mean
        raw_scores = 1 - self.total_mse.value / total
        raw_scores = jnp.where(jnp.isinf(raw_scores), 0.0, raw_scores)
        if self.class_aggregation == "uniform_average":
            score = jnp.mean(raw_scores)
        elif self.class_aggregation == "variance_weighted_average":
            score = jnp.sum(total * raw_scores) / jnp.sum(total)
        else:
            score = raw_scores
        if self.num_regressors == 0:
            return score
        n = self.num_samples.value.astype("float32")
        p = jnp.asarray(self.num_regressors, "float32")
        adjusted = 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)
        return jnp.where(p < n - 1.0, adjusted, score)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "class_aggregation": self.class_aggregation,
            "num_regressors": self.num_regressors,
        }
