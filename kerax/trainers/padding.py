"""One compiled step for every batch: the last partial batch is padded and masked.

When the number of samples is not a multiple of ``batch_size``, the last batch
would have a new shape and compile the step a second time. Instead, in-memory
arrays pad the epoch's index rows to full batches (``-1`` marks a padded row,
which reads sample 0), adapters (``PyDataset``, generators) pad a smaller batch
on the host to the largest size seen (``PaddedBatch``), and the step runs
under a *row mask*, True for the real rows:

* the compiled losses combine it with their own mask, so every reduction
  (``"sum_over_batch_size"`` divides by the real count) equals the unpadded
  value; regularization and ``add_loss`` terms are added unscaled;
* the compiled metrics weight padded rows by 0 (``sample_weight * mask``);
* the loss trackers count the real rows (``batch_count``).

``predict`` needs no mask: its padded outputs are cut off.

Padding is exact only for the default ``train_step``/``test_step``, so
``padding_blockers`` lists what makes the trainer fall back to an unpadded
last batch (a second compile): an overridden step, ``compute_loss`` or
``compute_metrics``; in training, a ``BatchNormalization`` or any layer or
model class defined outside kerax (batch statistics would see the padded rows;
evaluation pads); losses added by layers
during the call (activity regularizers, ``add_loss``); a compiled loss that
does not give one value per sample, overrides ``__call__`` or reduces with
``"none"``; metrics held by layers; and compiled metrics that reject the row
weights or whose result would change with a weight (an ``ignore_class`` mask
that Keras applies only to weighted updates, adjusted ``R2Score``). A custom
metric that ignores ``sample_weight`` is not detected.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import jax
import jax.numpy as jnp

_MASKS: list[jax.Array] = []
_EXACT_REDUCTIONS = ("sum_over_batch_size", "mean", "sum", "mean_with_sample_weight")


@contextlib.contextmanager
def masked(mask: jax.Array | None) -> Iterator[None]:
    """Run a step (while it is traced) with ``mask`` marking its real rows."""
    if mask is None:
        yield
        return
    _MASKS.append(mask)
    try:
        yield
    finally:
        _MASKS.pop()


def active_mask() -> jax.Array | None:
    """The row mask of the step being traced, or None (no padded rows)."""
    return _MASKS[-1] if _MASKS else None


def batch_count(x: Any) -> Any:
    """The number of real samples in a batch ``x`` (traced when padded)."""
    mask = active_mask()
    if mask is None:
        return jax.tree_util.tree_leaves(x)[0].shape[0]
    return jnp.sum(mask.astype("int32"))


def row_weights(sample_weight: Any, mask: jax.Array, dtype: Any = None) -> jax.Array:
    """``sample_weight`` with padded rows set to 0 (the mask, as ``dtype``, when
    None: integer metrics get integer weights)."""
    if sample_weight is None:
        return mask.astype(dtype or "float32")
    weight = jnp.asarray(sample_weight)
    rows = jnp.reshape(mask, mask.shape + (1,) * (weight.ndim - 1))
    return jnp.where(rows, weight, jnp.zeros((), weight.dtype))


def pad_rows(order: Any, steps: int, batch_size: int) -> Any:
    """``order`` as ``steps`` rows of ``batch_size`` indices, ``-1`` filling the end."""
    import numpy as np

    rows = np.full(steps * batch_size, -1, np.int32)
    used = min(len(order), rows.size)
    rows[:used] = order[:used]
    return rows.reshape(steps, batch_size)


class PaddedBatch:
    """A batch of which only the first ``valid`` rows are real (the rest pad it)."""

    __slots__ = ("data", "valid")

    def __init__(self, data: Any, valid: int) -> None:
        self.data = data
        self.valid = valid


def leading_size(batch: Any) -> int:
    """The number of rows of a batch (its first array's leading dimension)."""
    return int(jax.tree_util.tree_leaves(batch)[0].shape[0])


def pad_host_batch(batch: Any, size: int) -> Any:
    """A host (numpy) batch padded to ``size`` rows by repeating its first row."""
    import numpy as np

    def pad(a: Any) -> Any:
        a = np.asarray(a)
        return np.concatenate([a, np.repeat(a[:1], size - a.shape[0], axis=0)])

    return jax.tree_util.tree_map(pad, batch)


def gather_rows(tree: Any, row: jax.Array) -> tuple[Any, jax.Array]:
    """The batch at ``row`` (padded entries read sample 0) and its row mask."""
    mask = row >= 0
    index = jnp.maximum(row, 0)
    return jax.tree_util.tree_map(lambda a: a[index], tree), mask


def padding_blockers(model: Any, kind: str, sample: Any) -> list[str]:
    """Why the last batch of ``kind`` ("train"/"test") cannot be padded exactly."""
    from kerax.trainers.trainer import Trainer

    reasons = [
        f"{name} is overridden"
        for name in (f"{kind}_step", "compute_loss", "compute_metrics")
        if getattr(type(model), name) is not getattr(Trainer, name)
    ]
    if reasons:
        return reasons
    if kind == "train":
        reasons += [
            f"{layer.name} may use batch statistics in training"
            for layer in model._flatten_layers()
            if _uses_batch_statistics(layer)
        ]
    reasons += _loss_blockers(model)
    reasons += _metric_blockers(model)
    if not reasons:
        reasons += _probe(model, kind, sample)
    return reasons


def _uses_batch_statistics(layer: Any) -> bool:
    """BatchNormalization, or a user's layer or model (its call is unknown)."""
    from kerax.layers.normalization.batch_normalization import BatchNormalization

    if isinstance(layer, BatchNormalization):
        return True
    return not type(layer).__module__.startswith("kerax.")


def _loss_blockers(model: Any) -> list[str]:
    from kerax.losses.loss import Loss

    compile_loss = model._compile_loss
    if compile_loss is None:
        return []
    reasons = []
    for loss in compile_loss.losses:
        if loss is None:
            continue
        if type(loss).__call__ is not Loss.__call__:
            reasons.append(f"loss {loss.name} overrides __call__")
        elif loss.reduction not in _EXACT_REDUCTIONS:
            reasons.append(f"loss {loss.name} has reduction {loss.reduction!r}")
    return reasons


def _metric_blockers(model: Any) -> list[str]:
    compiled = model._compile_metrics
    known = [model._loss_tracker, compiled, *model._output_loss_trackers]
    reasons = [
        f"metric {metric.name} is updated by a layer"
        for metric in model.metrics
        if not any(metric is k for k in known)
    ]
    if compiled is None:
        return reasons
    for _, metric, _, _ in compiled.entries:
        if type(metric).__name__ == "R2Score" and getattr(metric, "num_regressors", 0):
            reasons.append(f"metric {metric.name} counts samples for its adjustment")
    return reasons


def _probe(model: Any, kind: str, sample: Any) -> list[str]:
    """Trace the forward pass once (nothing runs) to see what the batch reaches."""
    from kerax.autodiff.state_scope import StateScope
    from kerax.trainers import data_adapter

    reasons: list[str] = []

    def forward(data: Any) -> None:
        x, y, sample_weight = data_adapter.unpack_x_y_sample_weight(data)
        with StateScope(track_unknown=True) as scope:
            y_pred = model(x, training=kind == "train")
            if any(scope.losses.values()):
                reasons.append("layers add losses that depend on the batch")
            batch = jax.tree_util.tree_leaves(x)[0].shape[0]
            reasons.extend(_probe_outputs(model, y, y_pred, sample_weight, batch))

    try:
        jax.eval_shape(forward, sample)
    except Exception as error:  # whatever fails here fails unpadded too, or never
        return [f"the forward pass could not be probed ({type(error).__name__})"]
    return reasons


def _probe_outputs(
    model: Any, y: Any, y_pred: Any, sample_weight: Any, batch: int
) -> list[str]:
    """Losses must give one value per row; metrics must take the row weights."""
    from kerax.backend.tensors import convert_to_tensor

    reasons = []
    flat_pred = jax.tree_util.tree_leaves(y_pred)
    flat_true = model._flat_targets(y, y_pred)
    compile_loss = model._compile_loss
    if compile_loss is not None and compile_loss.built:
        for loss, yt, yp in zip(compile_loss.losses, flat_true, flat_pred):
            if loss is None or yt is None:
                continue
            values, _ = loss._values_and_mask(
                convert_to_tensor(yt, loss.dtype), convert_to_tensor(yp, loss.dtype)
            )
            if jnp.ndim(values) == 0 or jnp.shape(values)[0] != batch:
                reasons.append(f"loss {loss.name} does not give a value per sample")
    compiled = model._compile_metrics
    if compiled is None or not compiled.built:
        return reasons
    flat_sw = model._flat_sample_weight(sample_weight, len(flat_pred))
    rows = jnp.ones((batch,), bool)
    for index, metric, weighted, _ in compiled.entries:
        yt, yp = flat_true[index], flat_pred[index]
        hook = getattr(metric, "_mask", None)
        if not weighted and hook is not None and hook(yt, yp) is not None:
            reasons.append(f"metric {metric.name} masks weighted updates only")
            continue
        sw = flat_sw[index] if weighted else None
        weight = row_weights(sw, rows, getattr(metric, "dtype", None))
        try:  # writes go to the probe's scope and are dropped
            metric.update_state(yt, yp, sample_weight=weight)
        except (TypeError, ValueError) as error:
            reasons.append(f"metric {metric.name} rejects row weights ({error})")
    return reasons


def should_pad(model: Any, kind: str, step: Any, source: Any) -> bool:
    """Whether ``source``'s partial last batch runs padded in ``step`` (decided once
    per compiled step)."""
    if not source.has_partial_batch or not step.jit:
        return False
    if step.padding_ok is None:
        step.padding_ok = not padding_blockers(model, kind, source.first_batch())
    return step.padding_ok
