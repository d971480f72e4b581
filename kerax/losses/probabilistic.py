"""Divergence and count losses: Kullback-Leibler and Poisson."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import config
from kerax.autodiff.recording import op
from kerax.losses.inputs import paired
from kerax.losses.loss import BuiltinLoss
from kerax.registry import register


@register("keras.losses")
@op
def kl_divergence(y_true: Any, y_pred: Any) -> jax.Array:
    """``sum(y_true * log(y_true / y_pred))`` over the last axis.

    Both distributions are clipped to ``[epsilon, 1]`` first.

    Example:
        >>> round(float(kl_divergence([[0.5, 0.5]], [[0.25, 0.75]])[0]), 5)
        0.14384
    """
    y_true, y_pred = paired(y_true, y_pred, "kl_divergence", align_ranks=False)
    eps = config.epsilon()
    y_true = jnp.clip(y_true, eps, 1.0)
    y_pred = jnp.clip(y_pred, eps, 1.0)
    return jnp.sum(y_true * jnp.log(y_true / y_pred), axis=-1)


@register("keras.losses")
@op
def poisson(y_true: Any, y_pred: Any) -> jax.Array:
    """Mean of ``y_pred - y_true * log(y_pred + epsilon)`` over the last axis.

    Example:
        >>> round(float(poisson([[1.0]], [[1.0]])[0]), 5)
        1.0
    """
    y_true, y_pred = paired(y_true, y_pred, "poisson", align_ranks=False)
    eps = jnp.asarray(config.epsilon(), y_pred.dtype)
    return jnp.mean(y_pred - y_true * jnp.log(y_pred + eps), axis=-1)


@register("keras.losses")
class KLDivergence(BuiltinLoss):
    """Kullback-Leibler divergence from ``y_pred`` to ``y_true``.

    Args:
        reduction: see ``Loss``.
        name: name of the instance.
        dtype: dtype to compute in.
    """

    def __init__(
        self,
        reduction: str | None = "sum_over_batch_size",
        name: str = "kl_divergence",
        dtype: Any = None,
    ) -> None:
        super().__init__(kl_divergence, reduction, name, dtype)


@register("keras.losses")
class Poisson(BuiltinLoss):
    """Poisson loss ``y_pred - y_true * log(y_pred)`` for count data.

    Args: see ``KLDivergence``.
    """

    def __init__(
        self,
        reduction: str | None = "sum_over_batch_size",
        name: str = "poisson",
        dtype: Any = None,
    ) -> None:
        super().__init__(poisson, reduction, name, dtype)
