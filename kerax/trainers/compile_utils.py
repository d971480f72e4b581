"""What ``compile`` turns losses and metrics into: per-output containers.

``CompileLoss`` maps the ``loss``/``loss_weights`` arguments onto the model's
outputs and computes the weighted total. ``CompileMetrics`` does the same for
``metrics``/``weighted_metrics`` and is itself a metric (its state is the
union of its metrics' Variables), reported as ``compile_metrics``.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import losses as losses_module
from kerax import metrics as metrics_module
from kerax import ops
from kerax.losses.loss import reduced_loss
from kerax.trainers import padding


def _flatten(tree: Any) -> list[Any]:
    return jax.tree_util.tree_leaves(tree, is_leaf=lambda x: x is None)


def _per_output(
    arg: Any, output_names: list[str], what: str, allow_single: bool
) -> list[Any]:
    """Spread a compile argument (single, list or dict) over the outputs."""
    count = len(output_names)
    if isinstance(arg, dict):
        unknown = [k for k in arg if k not in output_names]
        if unknown:
            raise ValueError(
                f"compile: {what} has keys {unknown} that are not output names. "
                f"Output names are {output_names}."
            )
        return [arg.get(name) for name in output_names]
    if isinstance(arg, (list, tuple)):
        if len(arg) != count:
            raise ValueError(
                f"compile: {what} is a list of {len(arg)} entries but the model has "
                f"{count} outputs ({output_names})."
            )
        return list(arg)
    if allow_single:
        return [arg] * count
    raise ValueError(f"compile: cannot interpret {what}={arg!r}.")


def _metrics_per_output(arg: Any, output_names: list[str]) -> list[list[Any]]:
    """Spread ``metrics`` over outputs: a dict by name, a list per output, or shared."""
    count = len(output_names)
    if isinstance(arg, dict):
        return [
            list(v) if isinstance(v, (list, tuple)) else ([] if v is None else [v])
            for v in _per_output(arg, output_names, "metrics", allow_single=False)
        ]
    if not isinstance(arg, (list, tuple)):
        arg = [arg]
    nested = any(isinstance(a, (list, tuple, dict)) or a is None for a in arg)
    if count > 1 and nested:
        if len(arg) != count:
            raise ValueError(
                f"compile: metrics has {len(arg)} entries but the model has {count} "
                f"outputs ({output_names})."
            )
        return [
            list(v) if isinstance(v, (list, tuple)) else ([] if v is None else [v])
            for v in arg
        ]
    return [list(arg) for _ in range(count)]


def _as_loss(identifier: Any) -> Any:
    """A Loss object for ``identifier``; plain functions get Keras's wrapper."""
    loss = losses_module.get(identifier)
    if not isinstance(loss, losses_module.Loss):
        name = (
            identifier
            if isinstance(identifier, str)
            else getattr(loss, "__name__", None)
        )
        loss = losses_module.LossFunctionWrapper(loss, name=name)
    return loss


class CompileLoss:
    """Losses of a compiled model, one per output, combined with weights."""

    def __init__(self, loss: Any, loss_weights: Any = None) -> None:
        self._loss_arg = loss
        self._weights_arg = loss_weights
        self.built = False
        self.output_names: list[str] = []
        self.losses: list[Any] = []
        self.weights: list[float] = []

    def build(self, output_names: list[str]) -> None:
        self.output_names = list(output_names)
        specs = _per_output(
            self._loss_arg, self.output_names, "loss", allow_single=True
        )
        self.losses = [None if s is None else _as_loss(s) for s in specs]
        if self._weights_arg is None:
            self.weights = [1.0] * len(self.losses)
        else:
            weights = _per_output(
                self._weights_arg, self.output_names, "loss_weights", allow_single=False
            )
            self.weights = [1.0 if w is None else float(w) for w in weights]
        self.built = True

    def __call__(
        self, y_true: list[Any], y_pred: list[Any], sample_weight: list[Any]
    ) -> tuple[Any, list[Any]]:
        """Total loss and the per-output (unweighted) losses."""
        total = jnp.zeros((), "float32")
        per_output = []
        rows = padding.active_mask()
        for loss, weight, yt, yp, sw in zip(
            self.losses, self.weights, y_true, y_pred, sample_weight
        ):
            if loss is None:
                per_output.append(None)
                continue
            if rows is None:
                value = loss(yt, yp, sample_weight=sw)  # a tape tensor under a tape
            else:  # padded rows leave every reduction as if they were absent
                value = reduced_loss(loss, yt, yp, sw, row_mask=rows)
            per_output.append(value)
            total = total + weight * ops.cast(value, "float32")
        return total, per_output


def resolve_metric(identifier: Any, loss: Any, y_true: Any, y_pred: Any) -> Any:
    """A metric object for one output; resolves ``"accuracy"`` like Keras.

    A metric given by name is reported under that very name (``"mae"`` logs as
    ``mae``), as Keras does.
    """
    if isinstance(identifier, str) and identifier in ("accuracy", "acc"):
        loss_name = str(getattr(loss, "name", "") or "")
        true_shape = tuple(getattr(y_true, "shape", ()))
        pred_shape = tuple(getattr(y_pred, "shape", ()))
        if "binary" in loss_name or (pred_shape and pred_shape[-1] == 1):
            return metrics_module.BinaryAccuracy(name=identifier)
        sparse = "sparse" in loss_name or len(true_shape) < len(pred_shape)
        sparse = sparse or (
            bool(true_shape) and true_shape[-1] == 1 and pred_shape[-1] > 1
        )
        if sparse:
            return metrics_module.SparseCategoricalAccuracy(name=identifier)
        return metrics_module.CategoricalAccuracy(name=identifier)
    metric = metrics_module.get(identifier)
    if not getattr(metric, "_is_metric", False):
        name = (
            identifier
            if isinstance(identifier, str)
            else getattr(metric, "__name__", None)
        )
        return metrics_module.MeanMetricWrapper(metric, name=name)
    if isinstance(identifier, str):
        metric.name = identifier
    return metric


class CompileMetrics:
    """All compiled metrics, per output, reported as one metric."""

    _is_metric = True

    def __init__(self, metrics: Any, weighted_metrics: Any) -> None:
        self._metrics_arg = metrics
        self._weighted_arg = weighted_metrics
        self.name = "compile_metrics"
        self.built = False
        self.entries: list[
            tuple[int, Any, bool, str]
        ] = []  # (output, metric, weighted, key)

    def build(
        self,
        output_names: list[str],
        losses: list[Any],
        y_true: list[Any],
        y_pred: list[Any],
    ) -> None:
        self.entries = []
        multi = len(output_names) > 1
        for arg, weighted in ((self._metrics_arg, False), (self._weighted_arg, True)):
            if arg is None:
                continue
            for index, specs in enumerate(_metrics_per_output(arg, output_names)):
                for spec in specs:
                    metric = resolve_metric(
                        spec, losses[index], y_true[index], y_pred[index]
                    )
                    key = metric.name
                    if multi:
                        key = f"{output_names[index]}_{key}"
                    if (
                        weighted
                        and self._metrics_arg is not None
                        and any(e[3] == key for e in self.entries)
                    ):
                        key = f"weighted_{key}"
                    self.entries.append((index, metric, weighted, key))
        self.built = True

    @property
    def metrics(self) -> list[Any]:
        return [m for _, m, _, _ in self.entries]

    @property
    def variables(self) -> list[Any]:
        result = []
        for metric in self.metrics:
            result.extend(metric.variables)
        return result

    def update_state(
        self, y_true: list[Any], y_pred: list[Any], sample_weight: list[Any]
    ) -> None:
        rows = padding.active_mask()
        for index, metric, weighted, _ in self.entries:
            sw = sample_weight[index] if weighted else None
            if rows is not None:  # padded rows weigh 0
                sw = padding.row_weights(sw, rows, getattr(metric, "dtype", None))
            metric.update_state(y_true[index], y_pred[index], sample_weight=sw)

    def result(self) -> dict[str, Any]:
        return {key: metric.result() for _, metric, _, key in self.entries}

    def reset_state(self) -> None:
        for metric in self.metrics:
            metric.reset_state()
