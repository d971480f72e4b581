"""``AUC``: area under the ROC or precision-recall curve, from threshold counts."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerax import config
from kerax.backend.tensors import convert_to_tensor
from kerax.metrics.confusion_utils import evenly_spaced, update_confusion_matrix
from kerax.metrics.metric import Metric
from kerax.metrics.metrics_utils import divide_no_nan
from kerax.registry import register

_CURVES = {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"}
_SUMMATIONS = ("interpolation", "majoring", "minoring")


def _curve_name(curve: Any) -> str:
    key = str(getattr(curve, "value", curve))
    if key not in ("ROC", "PR", "PRGAIN", "roc", "pr", "prgain"):
        raise ValueError(
            f"AUC: `curve` must be one of ['ROC', 'PR', 'PRGAIN'], received "
            f"curve={curve!r}."
        )
    return _CURVES[key.lower()]


def _summation_name(method: Any) -> str:
    key = str(getattr(method, "value", method))
    if key.lower() not in _SUMMATIONS or key not in (key.lower(), key.capitalize()):
        raise ValueError(
            f"AUC: `summation_method` must be one of {list(_SUMMATIONS)}, "
            f"received summation_method={method!r}."
        )
    return key.lower()


@register("keras.metrics")
class AUC(Metric):
    """Approximate area under the ROC or PR curve, from counts at thresholds.

    The counts of true/false positives/negatives are accumulated at
    ``num_thresholds`` thresholds spanning [0, 1] (or the given
    ``thresholds``); the curve through them is integrated by a Riemann sum.

    Args:
        num_thresholds: number of thresholds (> 1) when ``thresholds`` is None.
        curve: ``"ROC"``, ``"PR"`` or ``"PRGAIN"``.
        summation_method: ``"interpolation"`` (trapezoids; for PR, the
            interpolation of Davis & Goadrich), ``"minoring"`` or
            ``"majoring"`` (lower or upper rectangles).
        name: name of the metric.
        dtype: dtype of the computation.
        thresholds: explicit thresholds in [0, 1]; -eps and 1+eps are added.
        multi_label: whether each label (column) gets its own curve; the
            result is their (``label_weights``-weighted) mean.
        num_labels: number of labels, to create the state before any data
            when ``multi_label`` is True.
        label_weights: one weight per label.
        from_logits: whether ``y_pred`` holds logits (a sigmoid is applied).

    Example:
        >>> m = AUC(num_thresholds=3)
        >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
        >>> float(m.result())
        0.75
    """

    def __init__(
        self,
        num_thresholds: int = 200,
        curve: str = "ROC",
        summation_method: str = "interpolation",
        name: str | None = None,
        dtype: Any = None,
        thresholds: Any = None,
        multi_label: bool = False,
        num_labels: int | None = None,
        label_weights: Any = None,
        from_logits: bool = False,
    ) -> None:
        self._direction = "up"
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            inner = sorted(float(t) for t in thresholds)
            self._evenly = evenly_spaced(np.array([0.0, *inner, 1.0]))
        else:
            if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, int):
                raise ValueError(
                    f"AUC: `num_thresholds` must be an integer > 1, received "
                    f"num_thresholds={num_thresholds!r}."
                )
            if num_thresholds <= 1:
                raise ValueError(
                    "AUC: `num_thresholds` must be an integer > 1, received "
                    f"num_thresholds={num_thresholds}."
                )
            self.num_thresholds = num_thresholds
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._evenly = True
        epsilon = config.epsilon()
        self._thresholds = [0.0 - epsilon, *inner, 1.0 + epsilon]
        self.curve = _curve_name(curve)
        self.summation_method = _summation_name(summation_method)
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = (
            None
            if label_weights is None
            else convert_to_tensor(label_weights, self.dtype)
        )
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build((None, num_labels))
        else:
            if num_labels:
                raise ValueError(
                    "AUC: `num_labels` is needed only when `multi_label` is True."
                )
            self._build(None)

    @property
    def thresholds(self) -> list[float]:
        """The thresholds, including the -eps and 1+eps ends."""
        return list(self._thresholds)

    def _build(self, shape: Any) -> None:
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError(
                    "AUC: with `multi_label=True`, y_pred must have rank 2, "
                    f"received shape {tuple(shape)}."
                )
            self._num_labels = shape[1]
            variable_shape: tuple[int, ...] = (self.num_thresholds, shape[1])
        else:
            variable_shape = (self.num_thresholds,)
        self._build_input_shape = shape
        for kind in ("true_positives", "false_positives", "true_negatives"):
            setattr(self, kind, self.add_variable(variable_shape, "zeros", name=kind))
        self.false_negatives = self.add_variable(
            variable_shape, "zeros", name="false_negatives"
        )
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add the batch's counts at every threshold."""
        y_pred = convert_to_tensor(y_pred)
        if not self._built:
            self._build(y_pred.shape)
        if self._from_logits:
            y_pred = jax.nn.sigmoid(y_pred)
        update_confusion_matrix(
            {
                "tp": self.true_positives,
                "tn": self.true_negatives,
                "fp": self.false_positives,
                "fn": self.false_negatives,
            },
            y_true,
            y_pred,
            self._thresholds,
            sample_weight=sample_weight,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights,
            thresholds_distributed_evenly=self._evenly,
        )

    def _by_label(self, terms: jax.Array) -> jax.Array:
        if not self.multi_label:
            return jnp.sum(terms)
        by_label = jnp.sum(terms, axis=0)
        if self.label_weights is None:
            return jnp.mean(by_label)
        weights = self.label_weights
        return divide_no_nan(jnp.sum(by_label * weights), jnp.sum(weights))

    def _interpolate_pr_auc(self) -> jax.Array:
        """PR AUC with precision interpolated between thresholds (Davis, Goadrich)."""
        tp = self.true_positives.value
        fn = self.false_negatives.value
        p = tp + self.false_positives.value
        dtp = tp[:-1] - tp[1:]
        dp = p[:-1] - p[1:]
        slope = divide_no_nan(dtp, jnp.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        p_ratio = jnp.where(
            (p[:-1] > 0) & (p[1:] > 0),
            divide_no_nan(p[:-1], jnp.maximum(p[1:], 0)),
            jnp.ones_like(p[1:]),
        )
        increments = divide_no_nan(
            slope * (dtp + intercept * jnp.log(p_ratio)),
            jnp.maximum(tp[1:] + fn[1:], 0),
        )
        return self._by_label(increments)

    def result(self) -> jax.Array:
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc()
        tp = self.true_positives.value
        fp = self.false_positives.value
        tn = self.true_negatives.value
        fn = self.false_negatives.value
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, divide_no_nan(tp, tp + fp)
        else:
            scale = divide_no_nan(tp + fn, tn + fp)
            recall_gain = 1.0 - scale * divide_no_nan(fn, tp)
            precision_gain = 1.0 - scale * divide_no_nan(fp, tp)
            x = jnp.maximum(jnp.where(tp == 0.0, 0.0, recall_gain), 0.0)
            y = jnp.where(tp == 0.0, 1.0, precision_gain)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = jnp.minimum(y[:-1], y[1:])
        else:
            heights = jnp.maximum(y[:-1], y[1:])
        return self._by_label((x[:-1] - x[1:]) * heights)

    def get_config(self) -> dict[str, Any]:
        label_weights = self.label_weights
        config = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": None if label_weights is None else label_weights.tolist(),
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config
