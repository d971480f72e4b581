"""Probabilistic metrics: crossentropies, KL divergence and Poisson."""

from __future__ import annotations

from typing import Any

import jax

from kerax.metrics.loss_functions import (
    binary_crossentropy,
    categorical_crossentropy,
    kl_divergence,
    poisson,
    sparse_categorical_crossentropy,
    sparse_valid_mask,
)
from kerax.metrics.reduction_metrics import FixedFunctionWrapper
from kerax.registry import register


@register("keras.metrics")
class KLDivergence(FixedFunctionWrapper):
    """Running mean of the Kullback-Leibler divergence ``kl_divergence``."""

    def __init__(self, name: str = "kl_divergence", dtype: Any = None) -> None:
        super().__init__(fn=kl_divergence, name=name, dtype=dtype)


@register("keras.metrics")
class Poisson(FixedFunctionWrapper):
    """Running mean of the Poisson loss ``y_pred - y_true * log(y_pred)``."""

    def __init__(self, name: str = "poisson", dtype: Any = None) -> None:
        super().__init__(fn=poisson, name=name, dtype=dtype)


@register("keras.metrics")
class BinaryCrossentropy(FixedFunctionWrapper):
    """Running mean of the binary crossentropy.

    Args:
        name: name of the metric.
        dtype: dtype of the accumulators.
        from_logits: whether ``y_pred`` holds logits instead of probabilities.
        label_smoothing: in [0, 1]; labels move towards 0.5 by this amount.

    Example:
        >>> m = BinaryCrossentropy()
        >>> m.update_state([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])
        >>> round(float(m.result()), 4)
        0.8149
    """

    def __init__(
        self,
        name: str = "binary_crossentropy",
        dtype: Any = None,
        from_logits: bool = False,
        label_smoothing: float = 0,
    ) -> None:
        super().__init__(
            binary_crossentropy,
            name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self._direction = "down"

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
        }


@register("keras.metrics")
class CategoricalCrossentropy(FixedFunctionWrapper):
    """Running mean of the categorical crossentropy (one-hot labels).

    Args:
        name: name of the metric.
        dtype: dtype of the accumulators.
        from_logits: whether ``y_pred`` holds logits instead of probabilities.
        label_smoothing: in [0, 1]; labels move towards uniform by this amount.
        axis: the class axis.
    """

    def __init__(
        self,
        name: str = "categorical_crossentropy",
        dtype: Any = None,
        from_logits: bool = False,
        label_smoothing: float = 0,
        axis: int = -1,
    ) -> None:
        super().__init__(
            categorical_crossentropy,
            name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self._direction = "down"

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
        }


@register("keras.metrics")
class SparseCategoricalCrossentropy(FixedFunctionWrapper):
    """Running mean of the crossentropy between integer labels and scores.

    Args:
        name: name of the metric.
        dtype: dtype of the accumulators.
        from_logits: whether ``y_pred`` holds logits instead of probabilities.
        ignore_class: a label value whose samples contribute 0. With
            ``sample_weight`` they also carry no weight; without, they still
            count in the mean (as in Keras).
        axis: the class axis.
    """

    def __init__(
        self,
        name: str = "sparse_categorical_crossentropy",
        dtype: Any = None,
        from_logits: bool = False,
        ignore_class: int | None = None,
        axis: int = -1,
    ) -> None:
        super().__init__(
            sparse_categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis
        self._direction = "down"

    def _mask(self, y_true: Any, y_pred: Any) -> jax.Array | None:
        return sparse_valid_mask(y_true, y_pred, self.ignore_class, self.axis)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "from_logits": self.from_logits,
            "ignore_class": self.ignore_class,
            "axis": self.axis,
        }
