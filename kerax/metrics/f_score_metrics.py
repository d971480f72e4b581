"""``FBetaScore`` and ``F1Score`` for multi-class and multi-label outputs."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import config
from kerax.backend.tensors import convert_to_tensor
from kerax.metrics.metric import Metric
from kerax.registry import register

_AVERAGES = (None, "micro", "macro", "weighted")


@register("keras.metrics")
class FBetaScore(Metric):
    """F-beta score: ``(1 + beta^2) * p * r / (beta^2 * p + r)``.

    Inputs are ``(batch_size, num_classes)``; the state Variables are created
    on the first ``update_state``.

    Args:
        average: None (one score per class), ``"micro"`` (counts pooled over
            classes), ``"macro"`` (mean of class scores) or ``"weighted"``
            (class scores weighted by the number of true instances).
        beta: a float > 0, the weight of recall.
        threshold: scores above it are positives; None means the top score
            of each sample (when not ~0) is the positive.
        name: name of the metric.
        dtype: dtype of the computation.
    """

    def __init__(
        self,
        average: str | None = None,
        beta: float = 1.0,
        threshold: float | None = None,
        name: str = "fbeta_score",
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        owner = type(self).__name__
        if average not in _AVERAGES:
            raise ValueError(
                f"{owner}: `average` must be one of {_AVERAGES}, received "
                f"average={average!r}."
            )
        if not isinstance(beta, float):
            raise ValueError(
                f"{owner}: `beta` must be a Python float, received beta={beta!r} "
                f"of type {type(beta).__name__}."
            )
        if beta <= 0.0:
            raise ValueError(f"{owner}: `beta` must be > 0, received beta={beta}.")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError(
                    f"{owner}: `threshold` must be a Python float, received "
                    f"threshold={threshold!r} of type {type(threshold).__name__}."
                )
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError(
                    f"{owner}: `threshold` must satisfy 0 < threshold <= 1, "
                    f"received threshold={threshold}."
                )
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, true_shape: tuple[int, ...], pred_shape: tuple[int, ...]) -> None:
        if len(pred_shape) != 2 or len(true_shape) != 2:
            raise ValueError(
                f"{type(self).__name__} expects 2D inputs of shape (batch_size, "
                f"output_dim), received y_true.shape={true_shape} and "
                f"y_pred.shape={pred_shape}."
            )
        shape = () if self.average == "micro" else (pred_shape[-1],)
        for name in (
            "true_positives",
            "false_positives",
            "false_negatives",
            "intermediate_weights",
        ):
            setattr(
                self, name, self.add_variable(shape, "zeros", self.dtype, name=name)
            )
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add the batch's weighted counts (per class, or pooled for micro)."""
        y_true = convert_to_tensor(y_true, self.dtype)
        y_pred = convert_to_tensor(y_pred, self.dtype)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        if self.threshold is None:
            top = jnp.max(y_pred, axis=-1, keepdims=True)
            y_pred = (y_pred >= top) & (jnp.abs(y_pred) > 1e-9)
        else:
            y_pred = y_pred > self.threshold
        y_pred = y_pred.astype(self.dtype)
        weight = None
        if sample_weight is not None:
            weight = jnp.expand_dims(convert_to_tensor(sample_weight, self.dtype), 1)

        def weighted_sum(values: jax.Array) -> jax.Array:
            if weight is not None:
                values = values * jnp.broadcast_to(weight, values.shape)
            return jnp.sum(values, axis=self.axis)

        self.true_positives.assign(
            self.true_positives.value + weighted_sum(y_pred * y_true)
        )
        self.false_positives.assign(
            self.false_positives.value + weighted_sum(y_pred * (1 - y_true))
        )
        self.false_negatives.assign(
            self.false_negatives.value + weighted_sum((1 - y_pred) * y_true)
        )
        self.intermediate_weights.assign(
            self.intermediate_weights.value + weighted_sum(y_true)
        )

    def result(self) -> jax.Array:
        if not self._built:
            raise ValueError(
                f"{type(self).__name__}.result() needs at least one update_state()."
            )
        epsilon = config.epsilon()
        tp = self.true_positives.value
        precision = tp / (tp + self.false_positives.value + epsilon)
        recall = tp / (tp + self.false_negatives.value + epsilon)
        beta_squared = self.beta**2
        score = precision * recall / (beta_squared * precision + recall + epsilon)
        score = score * (1 + beta_squared)
        if self.average == "weighted":
            weights = self.intermediate_weights.value
            weights = weights / (jnp.sum(weights) + epsilon)
            return jnp.sum(score * weights)
        if self.average is not None:
            return jnp.mean(score)
        return score

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "average": self.average,
            "beta": self.beta,
            "threshold": self.threshold,
        }


@register("keras.metrics")
class F1Score(FBetaScore):
    """F1 score: the harmonic mean of precision and recall (``beta = 1``).

    Takes the arguments of ``FBetaScore`` except ``beta``.

    Example:
        >>> m = F1Score(threshold=0.5)
        >>> m.update_state([[1.0, 0.0], [0.0, 1.0]], [[0.9, 0.2], [0.6, 0.4]])
        >>> [round(float(v), 3) for v in m.result()]
        [0.667, 0.0]
    """

    def __init__(
        self,
        average: str | None = None,
        threshold: float | None = None,
        name: str = "f1_score",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["beta"]
        return config
