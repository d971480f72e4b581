"""Connectionist temporal classification (CTC) for unaligned sequence labels."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import optax

from kerax.autodiff.recording import op
from kerax.backend.tensors import convert_to_tensor
from kerax.losses.loss import BuiltinLoss
from kerax.registry import register


@register("keras.losses")
@op
def ctc(y_true: Any, y_pred: Any) -> jax.Array:
    """CTC loss per sequence (negative log-likelihood of the label sequence).

    Args:
        y_true: integer labels ``(batch, max_label_length)``; class 0 is the
            blank and also pads: a sequence's length is its count of nonzero
            labels, which come first.
        y_pred: logits ``(batch, time, num_classes)``; every time step counts.

    Returns:
        Shape ``(batch,)``.

    Example:
        >>> import numpy as np
        >>> loss = ctc([[1, 0]], np.zeros((1, 2, 2), "float32"))
        >>> round(float(loss[0]), 5)  # 3 of 4 equally likely paths emit "1"
        0.28768
    """
    y_pred = convert_to_tensor(y_pred)
    labels = convert_to_tensor(y_true)
    if labels.ndim != 2:
        raise ValueError(
            "ctc: targets `y_true` must have shape (batch_size, max_length) with "
            f"integer labels. Received: y_true.shape={tuple(labels.shape)}"
        )
    if y_pred.ndim != 3:
        raise ValueError(
            "ctc: logits `y_pred` must have shape (batch_size, max_length, "
            f"num_classes). Received: y_pred.shape={tuple(y_pred.shape)}"
        )
    if labels.shape[0] != y_pred.shape[0]:
        raise ValueError(
            "ctc: y_true and y_pred must have the same batch size. Received: "
            f"y_true.shape={tuple(labels.shape)}, y_pred.shape={tuple(y_pred.shape)}"
        )
    labels = labels.astype("int32")
    logits = y_pred.astype(jnp.promote_types(y_pred.dtype, "float32"))
    lengths = jnp.sum(labels != 0, axis=-1, keepdims=True)
    positions = jnp.arange(labels.shape[1])[None, :]
    label_paddings = (positions >= lengths).astype(logits.dtype)
    logit_paddings = jnp.zeros(logits.shape[:2], logits.dtype)
    return optax.ctc_loss(logits, logit_paddings, labels, label_paddings, blank_id=0)


@register("keras.losses")
class CTC(BuiltinLoss):
    """CTC loss between label sequences and per-step class logits.

    Args:
        reduction: see ``Loss``.
        name: name of the instance.
        dtype: dtype to compute in.
    """

    def __init__(
        self,
        reduction: str | None = "sum_over_batch_size",
        name: str = "ctc",
        dtype: Any = None,
    ) -> None:
        super().__init__(ctc, reduction, name, dtype)
