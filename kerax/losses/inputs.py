"""Input handling shared by the loss functions: conversion and validation."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerax.backend.tensors import convert_to_tensor
from kerax.losses.reduction import squeeze_or_expand_to_same_rank


def paired(
    y_true: Any, y_pred: Any, name: str, align_ranks: bool = True
) -> tuple[jax.Array, jax.Array]:
    """``y_true`` and ``y_pred`` as arrays of ``y_pred``'s dtype and equal shape.

    With ``align_ranks``, ranks that differ by a trailing size-1 axis are made
    equal first. Any other difference of shape raises a ValueError naming the
    loss ``name``.
    """
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true, y_pred.dtype)
    if align_ranks:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{name}: y_true and y_pred must have the same shape. Received: "
            f"y_true.shape={tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}"
        )
    return y_true, y_pred


def check_axis(axis: Any, name: str) -> None:
    """Reject booleans (``axis=True`` is almost always a misplaced argument)."""
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ValueError(
            f"{name}: `axis` must be an int. Received: axis={axis!r} of type "
            f"{type(axis).__name__}"
        )


def check_labels_in_range(
    labels: jax.Array, num_classes: int, name: str, ignore_class: Any = None
) -> None:
    """Raise a ValueError if concrete integer labels fall outside [0, num_classes).

    Traced labels (under ``jit``) cannot be inspected; the loss functions then
    return NaN for out-of-range labels instead.
    """
    if isinstance(labels, jax.core.Tracer):
        return
    values = np.asarray(labels)
    if ignore_class is not None:
        values = values[values != ignore_class]
    bad = values[(values < 0) | (values >= num_classes)]
    if bad.size:
        raise ValueError(
            f"{name}: labels must be integers in [0, {num_classes - 1}] (y_pred "
            f"has {num_classes} classes). Received out-of-range label(s) "
            f"{sorted(set(bad.tolist()))[:10]}."
        )


def nan_where_out_of_range(
    values: jax.Array, labels: jax.Array, num_classes: int
) -> jax.Array:
    """``values`` with NaN where ``labels`` (same shape) is not a valid class."""
    valid = (labels >= 0) & (labels < num_classes)
    return jnp.where(valid, values, jnp.full_like(values, jnp.nan))
