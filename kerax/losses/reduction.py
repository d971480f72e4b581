"""How per-sample loss values become one number: weighting, masking, reduction.

These helpers are pure functions of arrays; ``Loss.__call__`` runs them inside
one taped op. They follow Keras 3's rules:

* ``sample_weight`` of shape ``(batch,)`` and ``(batch, 1)`` weight each sample;
  a weight with the full shape of the values weights each entry (e.g. per
  timestep). A weight of lower rank than the values is aligned on the leading
  (batch) axes. Keras 3 aligns it on the trailing axes, which fails, or weights
  the wrong axis when the two sizes happen to be equal; kerax weights samples.
* ``"sum_over_batch_size"`` and ``"mean"`` divide the weighted sum by the number
  of values, ``"mean_with_sample_weight"`` by the sum of the weights, ``"sum"``
  does not divide and ``"none"``/``None`` returns the weighted values.
* A mask (entries that count) rescales the weights so that ``"mean"`` and
  ``"sum_over_batch_size"`` average over the valid entries only.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp

REDUCTIONS = (
    "sum_over_batch_size",
    "sum",
    "mean",
    "mean_with_sample_weight",
    "none",
    None,
)


def standardize_reduction(reduction: Any) -> str | None:
    """Return ``reduction`` if valid, else raise a ValueError listing the choices."""
    if not any(reduction is r or reduction == r for r in REDUCTIONS):
        raise ValueError(
            "Invalid value for argument `reduction`. Expected one of "
            f"{list(REDUCTIONS)}. Received: reduction={reduction!r}"
        )
    return reduction


def squeeze_or_expand_to_same_rank(
    x1: jax.Array, x2: jax.Array, expand_rank_1: bool = True
) -> tuple[jax.Array, jax.Array]:
    """Make ranks equal when they differ by one and the extra axis has size 1.

    A rank-1 partner is expanded to ``(n, 1)`` (when ``expand_rank_1``);
    otherwise the trailing size-1 axis of the higher-rank array is squeezed.
    """
    rank1, rank2 = x1.ndim, x2.ndim
    if rank1 == rank2 + 1 and x1.shape[-1] == 1:
        if rank2 == 1 and expand_rank_1:
            x2 = jnp.expand_dims(x2, -1)
        else:
            x1 = jnp.squeeze(x1, -1)
    elif rank2 == rank1 + 1 and x2.shape[-1] == 1:
        if rank1 == 1 and expand_rank_1:
            x1 = jnp.expand_dims(x1, -1)
        else:
            x2 = jnp.squeeze(x2, -1)
    return x1, x2


def _align_weight(values: jax.Array, weight: jax.Array, what: str) -> jax.Array:
    """``weight`` reshaped (not broadcast) so that it broadcasts against ``values``."""
    values, weight = squeeze_or_expand_to_same_rank(values, weight)
    if 0 < weight.ndim < values.ndim:
        weight = jnp.reshape(weight, weight.shape + (1,) * (values.ndim - weight.ndim))
    if weight.ndim > values.ndim > 0 or not _broadcastable(values, weight):
        raise ValueError(
            f"The {what} does not match the per-sample loss values: expected a "
            f"shape broadcastable to {tuple(values.shape)} (e.g. (batch,) or the "
            f"full shape), received {what} shape {tuple(weight.shape)}."
        )
    return weight


def _broadcastable(x: jax.Array, y: jax.Array) -> bool:
    try:
        jnp.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        return False
    return True


def _multiply(values: jax.Array, weight: jax.Array) -> jax.Array:
    shape = jnp.broadcast_shapes(values.shape, weight.shape)
    return jnp.broadcast_to(values, shape) * jnp.broadcast_to(weight, shape)


def _size(shape: tuple[int, ...], dtype: Any) -> jax.Array:
    return jnp.asarray(math.prod(shape), dtype)


def _divide_no_nan(x: jax.Array, y: jax.Array) -> jax.Array:
    safe = jnp.where(y == 0, jnp.ones_like(y), y)
    return jnp.where(y == 0, jnp.zeros_like(x), x / safe)


def _mask_to_weight(
    mask: jax.Array, sample_weight: jax.Array | None, reduction: Any, dtype: Any
) -> jax.Array:
    """Merge a boolean mask into the sample weights."""
    mask = jnp.asarray(mask)
    if reduction in ("mean", "sum_over_batch_size"):
        valid = jnp.sum(mask.astype(dtype))
        scale = _divide_no_nan(_size(mask.shape, dtype), valid)
        float_mask = jnp.where(mask.astype(bool), scale, jnp.zeros((), dtype))
    else:
        float_mask = mask.astype(dtype)
    if sample_weight is None:
        return float_mask
    weight = _align_weight(float_mask, sample_weight.astype(dtype), "sample_weight")
    float_mask, weight = squeeze_or_expand_to_same_rank(float_mask, weight)
    return _multiply(weight, float_mask)


def reduce_values(
    values: jax.Array,
    sample_weight: jax.Array | None = None,
    reduction: Any = "sum_over_batch_size",
) -> jax.Array:
    """Reduce already weighted values (scalars and empty vectors pass through)."""
    if reduction is None or reduction == "none" or values.shape in ((), (0,)):
        return values
    loss = jnp.sum(values)
    if reduction == "sum":
        return loss
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = jnp.sum(sample_weight).astype(loss.dtype)
    else:
        divisor = _size(values.shape, loss.dtype)
    return _divide_no_nan(loss, divisor)


def reduce_weighted_values(
    values: Any,
    sample_weight: Any = None,
    mask: Any = None,
    reduction: Any = "sum_over_batch_size",
    dtype: Any = None,
) -> jax.Array:
    """Weight ``values`` by ``sample_weight`` and ``mask``, then reduce them.

    Args:
        values: per-sample (or per-entry) loss values.
        sample_weight: optional weights, see the module docstring for shapes.
        mask: optional boolean array, True where a value counts.
        reduction: one of ``"sum_over_batch_size"``, ``"sum"``, ``"mean"``,
            ``"mean_with_sample_weight"``, ``"none"`` or None.
        dtype: the dtype to compute in (default: the values' own).

    Returns:
        A scalar, or the weighted values for ``"none"``/``None``.
    """
    reduction = standardize_reduction(reduction)
    values = jnp.asarray(values, dtype)
    if sample_weight is not None:
        sample_weight = jnp.asarray(sample_weight, values.dtype)
    if mask is not None:
        sample_weight = _mask_to_weight(mask, sample_weight, reduction, values.dtype)
    if sample_weight is not None:
        sample_weight = _align_weight(values, sample_weight, "sample_weight")
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = _multiply(values, sample_weight)
    return reduce_values(values, sample_weight, reduction)
