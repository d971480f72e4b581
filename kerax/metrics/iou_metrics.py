"""Intersection-over-union metrics, from an accumulated confusion matrix."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp

from kerax import config
from kerax.backend.tensors import convert_to_tensor
from kerax.metrics.metric import Metric
from kerax.metrics.metrics_utils import check_positive_int
from kerax.registry import register


class _IoUBase(Metric):
    """Accumulates a ``(num_classes, num_classes)`` confusion matrix.

    Rows are true classes, columns predicted ones. The metric computes in
    ``int32`` by default, so float sample weights are truncated.
    """

    def __init__(
        self,
        num_classes: int,
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ) -> None:
        check_positive_int(type(self).__name__, "num_classes", num_classes)
        super().__init__(name=name, dtype=dtype or "int")
        self._direction = "up"
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable(
            (num_classes, num_classes),
            "zeros",
            dtype=self.dtype,
            name="total_confusion_matrix",
        )

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add the batch's (weighted) confusion matrix."""
        if not self.sparse_y_true:
            y_true = jnp.argmax(convert_to_tensor(y_true), axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = jnp.argmax(convert_to_tensor(y_pred), axis=self.axis)
        y_true = jnp.reshape(convert_to_tensor(y_true, self.dtype), (-1,))
        y_pred = jnp.reshape(convert_to_tensor(y_pred, self.dtype), (-1,))
        if sample_weight is None:
            sample_weight = 1
        elif (
            "float" in str(getattr(sample_weight, "dtype", "")) and "int" in self.dtype
        ):
            warnings.warn(
                f"{type(self).__name__} computes in {self.dtype}: float sample "
                "weights are truncated to integers. Pass integer weights or a "
                "float `dtype`.",
                stacklevel=2,
            )
        weight = jnp.reshape(convert_to_tensor(sample_weight, self.dtype), (-1,))
        weight = jnp.broadcast_to(weight, y_true.shape)
        valid = (y_true >= 0) & (y_true < self.num_classes)
        valid = valid & (y_pred >= 0) & (y_pred < self.num_classes)
        if self.ignore_class is not None:
            valid = valid & (y_true != self.ignore_class)
        zero = jnp.zeros((), self.dtype)
        y_true = jnp.where(valid, y_true, zero)
        y_pred = jnp.where(valid, y_pred, zero)
        weight = jnp.where(valid, weight, zero)
        matrix = jnp.zeros((self.num_classes, self.num_classes), self.dtype)
        matrix = matrix.at[y_true.astype("int32"), y_pred.astype("int32")].add(weight)
        self.total_cm.assign(self.total_cm.value + matrix)


@register("keras.metrics")
class IoU(_IoUBase):
    """Mean intersection-over-union of the classes ``target_class_ids``.

    ``IoU = TP / (TP + FP + FN)`` per class, from the confusion matrix
    accumulated over batches; classes never seen or predicted are skipped.

    Args:
        num_classes: number of classes.
        target_class_ids: the classes whose IoU is averaged.
        name: name of the metric.
        dtype: dtype of the confusion matrix (default ``int32``).
        ignore_class: a label value whose samples are skipped.
        sparse_y_true: whether labels are class ids (else one-hot/scores).
        sparse_y_pred: whether predictions are class ids (else scores).
        axis: the class axis of non-sparse inputs.

    Example:
        >>> m = IoU(num_classes=2, target_class_ids=[0])
        >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
        >>> round(float(m.result()), 4)
        0.3333
    """

    def __init__(
        self,
        num_classes: int,
        target_class_ids: Sequence[int],
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ) -> None:
        super().__init__(
            num_classes,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )
        target_class_ids = list(target_class_ids)
        if not target_class_ids or max(target_class_ids) >= num_classes:
            raise ValueError(
                f"{type(self).__name__}: `target_class_ids` must be a non-empty "
                f"list of ids in [0, {num_classes}), received {target_class_ids}."
            )
        self.target_class_ids = target_class_ids

    def result(self) -> jax.Array:
        matrix = self.total_cm.value
        predicted = jnp.sum(matrix, axis=0).astype(self.dtype)
        actual = jnp.sum(matrix, axis=1).astype(self.dtype)
        true_positives = jnp.diag(matrix).astype(self.dtype)
        denominator = predicted + actual - true_positives
        ids = jnp.asarray(self.target_class_ids, "int32")
        true_positives = true_positives[ids].astype("float32")
        denominator = denominator[ids].astype("float32")
        valid = denominator > 1e-9
        iou = jnp.where(valid, true_positives / (denominator + config.epsilon()), 0.0)
        num_valid = jnp.sum(valid.astype("float32"))
        return jnp.sum(iou) / (num_valid + config.epsilon())

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "target_class_ids": self.target_class_ids,
            "ignore_class": self.ignore_class,
            "sparse_y_true": self.sparse_y_true,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }


@register("keras.metrics")
class BinaryIoU(IoU):
    """IoU of binary labels against ``y_pred >= threshold``.

    Args:
        target_class_ids: which of the classes 0 and 1 to average over.
        threshold: scores at or above it predict class 1.
        name: name of the metric.
        dtype: dtype of the confusion matrix (default ``int32``).
    """

    def __init__(
        self,
        target_class_ids: Sequence[int] = (0, 1),
        threshold: float = 0.5,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype
        )
        self.threshold = threshold

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Threshold the scores, then add the batch's confusion matrix."""
        y_true = convert_to_tensor(y_true, self.dtype)
        y_pred = convert_to_tensor(y_pred, "float32")
        y_pred = (y_pred >= self.threshold).astype(self.dtype)
        super().update_state(y_true, y_pred, sample_weight)

    def get_config(self) -> dict[str, Any]:
        return {
            "target_class_ids": self.target_class_ids,
            "threshold": self.threshold,
            "name": self.name,
            "dtype": self.dtype,
        }


@register("keras.metrics")
class MeanIoU(IoU):
    """IoU averaged over all ``num_classes`` classes.

    Takes the arguments of ``IoU`` except ``target_class_ids``.
    """

    def __init__(
        self,
        num_classes: int,
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ) -> None:
        check_positive_int(type(self).__name__, "num_classes", num_classes)
        super().__init__(
            num_classes,
            list(range(num_classes)),
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["target_class_ids"]
        return config


@register("keras.metrics")
class OneHotIoU(IoU):
    """``IoU`` for one-hot labels (and scores unless ``sparse_y_pred``)."""

    def __init__(
        self,
        num_classes: int,
        target_class_ids: Sequence[int],
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_pred: bool = False,
        axis: int = -1,
    ) -> None:
        super().__init__(
            num_classes,
            target_class_ids,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["sparse_y_true"]
        return config


@register("keras.metrics")
class OneHotMeanIoU(MeanIoU):
    """``MeanIoU`` for one-hot labels (and scores unless ``sparse_y_pred``)."""

    def __init__(
        self,
        num_classes: int,
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_pred: bool = False,
        axis: int = -1,
    ) -> None:
        super().__init__(
            num_classes,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["sparse_y_true"]
        return config
