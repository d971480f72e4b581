"""Circle loss for metric learning over L2-normalized embeddings."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax.autodiff.recording import op
from kerax.backend.tensors import convert_to_tensor
from kerax.losses.loss import BuiltinLoss
from kerax.registry import register


def _masked_logsumexp(x: jax.Array, mask: jax.Array) -> jax.Array:
    """Row-wise logsumexp over the entries where ``mask``; -inf for empty rows.

    Written so that empty rows give zero (not NaN) gradients.
    """
    any_valid = jnp.any(mask, axis=1)
    shift = jnp.max(jnp.where(mask, x, -jnp.inf), axis=1)
    shift = jax.lax.stop_gradient(jnp.where(any_valid, shift, 0.0))
    total = jnp.sum(jnp.where(mask, jnp.exp(x - shift[:, None]), 0.0), axis=1)
    total = jnp.where(any_valid, total, 1.0)
    return jnp.where(any_valid, jnp.log(total) + shift, -jnp.inf)


def _pair_masks(
    labels: jax.Array, ref_labels: jax.Array, remove_diagonal: bool
) -> tuple[jax.Array, jax.Array]:
    """Same-label (positive) and different-label (negative) pairs."""
    labels = jnp.reshape(labels, (-1, 1))
    ref_labels = jnp.reshape(ref_labels, (1, -1))
    positive = labels == ref_labels
    negative = ~positive
    if remove_diagonal:
        positive = positive & ~jnp.eye(*positive.shape, dtype=bool)
    return positive, negative


@register("keras.losses")
@op
def circle(
    y_true: Any,
    y_pred: Any,
    ref_labels: Any = None,
    ref_embeddings: Any = None,
    remove_diagonal: bool = True,
    gamma: float = 80,
    margin: float = 0.4,
) -> jax.Array:
    """Circle loss per query embedding.

    Pairs of embeddings with the same label are pulled together and pairs
    with different labels pushed apart, each pair weighted by how far it is
    from its optimum (cosine distance, so embeddings should be L2-normalized).

    Args:
        y_true: integer labels ``(batch,)``.
        y_pred: embeddings ``(batch, dim)``.
        ref_labels: labels of the reference set (default ``y_true``).
        ref_embeddings: reference embeddings (default ``y_pred``).
        remove_diagonal: do not pair the i-th query with the i-th reference.
        gamma: the scale factor.
        margin: the relaxation margin.

    Returns:
        Shape ``(batch,)``; 0 for queries without positive or negative pairs.

    Example:
        >>> import numpy as np
        >>> emb = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]], "float32")
        >>> [round(v, 4) for v in circle([0, 0, 1], emb).tolist()]
        [0.0, 0.0, 0.0]
    """
    y_pred = convert_to_tensor(y_pred)
    labels = convert_to_tensor(y_true).astype("int32")
    if ref_embeddings is None:
        ref_embeddings = y_pred
    else:
        ref_embeddings = convert_to_tensor(ref_embeddings, y_pred.dtype)
    if ref_labels is None:
        ref_labels = labels
    else:
        ref_labels = convert_to_tensor(ref_labels).astype("int32")
    if y_pred.ndim != 2 or ref_embeddings.ndim != 2:
        raise ValueError(
            "circle: embeddings must have shape (batch_size, dim). Received: "
            f"y_pred.shape={tuple(y_pred.shape)}, "
            f"ref_embeddings.shape={tuple(ref_embeddings.shape)}"
        )
    if labels.size != y_pred.shape[0] or ref_labels.size != ref_embeddings.shape[0]:
        raise ValueError(
            "circle: expected one label per embedding. Received: "
            f"y_true.shape={tuple(labels.shape)}, y_pred.shape={tuple(y_pred.shape)}"
            f", ref_labels.shape={tuple(ref_labels.shape)}, "
            f"ref_embeddings.shape={tuple(ref_embeddings.shape)}"
        )
    distances = jnp.maximum(1.0 - y_pred @ ref_embeddings.T, 0.0)
    positive, negative = _pair_masks(labels, ref_labels, remove_diagonal)
    pos_weights = jnp.maximum((margin + distances) * positive, 0.0)
    neg_weights = jnp.maximum((1.0 + margin - distances) * negative, 0.0)
    pos_logits = -gamma * pos_weights * (margin - distances)
    neg_logits = gamma * neg_weights * (1.0 - margin - distances)
    pos_loss = _masked_logsumexp(pos_logits, positive)
    neg_loss = _masked_logsumexp(neg_logits, negative)
    return jax.nn.softplus(pos_loss + neg_loss)


@register("keras.losses")
class Circle(BuiltinLoss):
    """Circle loss for metric learning; the mean is over queries with loss > 0.

    Args:
        gamma: the scale factor (default 80.0).
        margin: the relaxation margin (default 0.4).
        remove_diagonal: do not pair an embedding with itself (default True).
        reduction: see ``Loss``.
        name: name of the instance.
        dtype: dtype to compute in.
    """

    _config_keys = ("gamma", "margin", "remove_diagonal")

    def __init__(
        self,
        gamma: float = 80.0,
        margin: float = 0.4,
        remove_diagonal: bool = True,
        reduction: str | None = "sum_over_batch_size",
        name: str = "circle",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            circle,
            reduction,
            name,
            dtype,
            gamma=gamma,
            margin=margin,
            remove_diagonal=remove_diagonal,
        )

    def _values_and_mask(self, y_true: Any, y_pred: Any) -> tuple[Any, Any]:
        values = self.call(y_true, y_pred)
        return values, values > 0
