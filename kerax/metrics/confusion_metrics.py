"""Confusion-matrix metrics: counts, precision and recall at thresholds."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax.metrics.confusion_utils import (
    NEG_INF,
    evenly_spaced,
    parse_thresholds,
    update_confusion_matrix,
)
from kerax.metrics.metric import Metric
from kerax.metrics.metrics_utils import check_positive_int, divide_no_nan
from kerax.registry import register


class _ConditionCount(Metric):
    """Weighted count of one confusion-matrix cell, per threshold."""

    _kind = ""

    def __init__(
        self, thresholds: Any = None, name: str | None = None, dtype: Any = None
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = parse_thresholds(type(self).__name__, thresholds)
        self._evenly = evenly_spaced(self.thresholds)
        self.accumulator = self.add_variable(
            (len(self.thresholds),), "zeros", name="accumulator"
        )

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add the batch's count (``y_pred > threshold`` is a positive)."""
        update_confusion_matrix(
            {self._kind: self.accumulator},
            y_true,
            y_pred,
            self.thresholds,
            sample_weight=sample_weight,
            thresholds_distributed_evenly=self._evenly,
        )

    def result(self) -> jax.Array:
        value = self.accumulator.value
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "thresholds": self.init_thresholds}


@register("keras.metrics")
class TruePositives(_ConditionCount):
    """Weighted number of true positives.

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5); the
            result has one count per threshold (a scalar for one).
        name: name of the metric.
        dtype: dtype of the computation.

    Example:
        >>> m = TruePositives()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> float(m.result())
        2.0
    """

    _kind = "tp"


@register("keras.metrics")
class FalsePositives(_ConditionCount):
    """Weighted number of false positives (see ``TruePositives`` for args)."""

    _kind = "fp"


@register("keras.metrics")
class TrueNegatives(_ConditionCount):
    """Weighted number of true negatives (see ``TruePositives`` for args)."""

    _kind = "tn"


@register("keras.metrics")
class FalseNegatives(_ConditionCount):
    """Weighted number of false negatives (see ``TruePositives`` for args)."""

    _kind = "fn"


class _PrecisionRecall(Metric):
    """``tp / (tp + other)`` at thresholds, optionally on top-k or one class."""

    _other = ""
    _other_name = ""

    def __init__(
        self,
        thresholds: Any = None,
        top_k: int | None = None,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if top_k is not None:
            check_positive_int(type(self).__name__, "top_k", top_k)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else NEG_INF
        self.thresholds = parse_thresholds(type(self).__name__, thresholds, default)
        self._evenly = evenly_spaced(self.thresholds)
        shape = (len(self.thresholds),)
        self.true_positives = self.add_variable(shape, "zeros", name="true_positives")
        self._other_variable = self.add_variable(shape, "zeros", name=self._other_name)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add the batch's counts (``y_pred > threshold`` is a positive)."""
        update_confusion_matrix(
            {"tp": self.true_positives, self._other: self._other_variable},
            y_true,
            y_pred,
            self.thresholds,
            top_k=self.top_k,
            class_id=self.class_id,
            sample_weight=sample_weight,
            thresholds_distributed_evenly=self._evenly,
        )

    def result(self) -> jax.Array:
        tp = self.true_positives.value
        value = divide_no_nan(tp, tp + self._other_variable.value)
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }


@register("keras.metrics")
class Precision(_PrecisionRecall):
    """Fraction of predicted positives that are positive: ``tp / (tp + fp)``.

    Args:
        thresholds: a float or list of floats in [0, 1]; scores above count
            as positive (default 0.5, or any score kept by ``top_k``).
        top_k: only the ``k`` largest scores per sample count as positive.
        class_id: compute for this class only (``y_pred`` is
            ``(batch, num_classes)``).
        name: name of the metric.
        dtype: dtype of the computation.

    Example:
        >>> m = Precision()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> round(float(m.result()), 4)
        0.6667
    """

    _other = "fp"
    _other_name = "false_positives"

    @property
    def false_positives(self) -> Any:
        return self._other_variable


@register("keras.metrics")
class Recall(_PrecisionRecall):
    """Fraction of positives predicted positive: ``tp / (tp + fn)``.

    Takes the same arguments as ``Precision``.

    Example:
        >>> m = Recall()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> round(float(m.result()), 4)
        0.6667
    """

    _other = "fn"
    _other_name = "false_negatives"

    @property
    def false_negatives(self) -> Any:
        return self._other_variable


def _rates(metric: _SensitivitySpecificityBase) -> dict[str, jax.Array]:
    tp = metric.true_positives.value
    fp = metric.false_positives.value
    tn = metric.true_negatives.value
    fn = metric.false_negatives.value
    return {
        "recall": divide_no_nan(tp, tp + fn),
        "specificity": divide_no_nan(tn, tn + fp),
        "precision": divide_no_nan(tp, tp + fp),
    }


class _SensitivitySpecificityBase(Metric):
    """Best ``dependent`` rate among thresholds where ``constrained >= value``.

    Subclasses name the two rates (``recall``, ``specificity``, ``precision``)
    and the constructor argument holding ``value``.
    """

    _constrained = ""
    _dependent = ""
    _value_arg = ""

    def __init__(
        self,
        value: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        owner = type(self).__name__
        if not 0 <= value <= 1:
            raise ValueError(
                f"{owner}: `{self._value_arg}` must be in [0, 1], received "
                f"{self._value_arg}={value}."
            )
        check_positive_int(owner, "num_thresholds", num_thresholds)
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        self.value = value
        setattr(self, self._value_arg, value)
        self.num_thresholds = num_thresholds
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
            self._evenly = False
        else:
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = [0.0, *inner, 1.0]
            self._evenly = True
        shape = (len(self.thresholds),)
        self.true_positives = self.add_variable(shape, "zeros", name="true_positives")
        self.false_positives = self.add_variable(shape, "zeros", name="false_positives")
        self.true_negatives = self.add_variable(shape, "zeros", name="true_negatives")
        self.false_negatives = self.add_variable(shape, "zeros", name="false_negatives")

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add the batch's four counts at every threshold."""
        update_confusion_matrix(
            {
                "tp": self.true_positives,
                "tn": self.true_negatives,
                "fp": self.false_positives,
                "fn": self.false_negatives,
            },
            y_true,
            y_pred,
            self.thresholds,
            class_id=self.class_id,
            sample_weight=sample_weight,
            thresholds_distributed_evenly=self._evenly,
        )

    def result(self) -> jax.Array:
        rates = _rates(self)
        feasible = rates[self._constrained] >= self.value
        return jnp.max(jnp.where(feasible, rates[self._dependent], 0), initial=0)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "class_id": self.class_id,
            "num_thresholds": self.num_thresholds,
            self._value_arg: self.value,
        }


@register("keras.metrics")
class SensitivityAtSpecificity(_SensitivitySpecificityBase):
    """Best sensitivity (recall) at a specificity of at least ``specificity``.

    Args:
        specificity: the minimum specificity, in [0, 1].
        num_thresholds: number of evenly spaced thresholds tried.
        class_id: compute for this class only.
        name: name of the metric.
        dtype: dtype of the computation.
    """

    _constrained, _dependent, _value_arg = "specificity", "recall", "specificity"

    def __init__(
        self,
        specificity: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(specificity, num_thresholds, class_id, name, dtype)


@register("keras.metrics")
class SpecificityAtSensitivity(_SensitivitySpecificityBase):
    """Best specificity at a sensitivity (recall) of at least ``sensitivity``.

    Takes ``sensitivity`` and otherwise the arguments of
    ``SensitivityAtSpecificity``.
    """

    _constrained, _dependent, _value_arg = "recall", "specificity", "sensitivity"

    def __init__(
        self,
        sensitivity: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)


@register("keras.metrics")
class PrecisionAtRecall(_SensitivitySpecificityBase):
    """Best precision at a recall of at least ``recall``.

    Takes ``recall`` and otherwise the arguments of
    ``SensitivityAtSpecificity``.
    """

    _constrained, _dependent, _value_arg = "recall", "precision", "recall"

    def __init__(
        self,
        recall: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(recall, num_thresholds, class_id, name, dtype)


@register("keras.metrics")
class RecallAtPrecision(_SensitivitySpecificityBase):
    """Best recall at a precision of at least ``precision``.

    Takes ``precision`` and otherwise the arguments of
    ``SensitivityAtSpecificity``.
    """

    _constrained, _dependent, _value_arg = "precision", "recall", "precision"

    def __init__(
        self,
        precision: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(precision, num_thresholds, class_id, name, dtype)
