"""Scaled dot-product attention (``keras.ops.nn.dot_product_attention``)."""

from __future__ import annotations

import functools
import math
from typing import Any

import jax
import jax.numpy as jnp

from kerax.autodiff.recording import op
from kerax.ops._utils import tensor, to_float


def _grouped(x: jax.Array, num_kv_heads: int) -> jax.Array:
    """``(B, N, T, S)`` broadcastable values as ``(B, K, G, T, S)``."""
    batch, heads, t, s = x.shape
    return x.reshape(batch, num_kv_heads, heads // num_kv_heads, t, s)


def _full(x: Any, shape: tuple[int, ...], name: str) -> jax.Array:
    x = tensor(x)
    if x.ndim > len(shape):
        raise ValueError(
            f"dot_product_attention: `{name}` must broadcast to {shape}, received "
            f"shape {x.shape}."
        )
    x = x.reshape((1,) * (len(shape) - x.ndim) + x.shape)
    return jnp.broadcast_to(x, shape)


@op
def dot_product_attention(
    query: Any,
    key: Any,
    value: Any,
    bias: Any = None,
    mask: Any = None,
    scale: float | None = None,
    is_causal: bool = False,
    flash_attention: bool | None = None,
    attn_logits_soft_cap: float | None = None,
) -> jax.Array:
    """``softmax(query @ key^T * scale + bias) @ value`` over heads.

    Shapes: query ``(B, T, N, H)``, key and value ``(B, S, K, H)`` with ``N`` a
    multiple of ``K`` (grouped-query attention when ``K < N``). ``mask`` is
    boolean (True attends) and, like ``bias``, broadcasts to ``(B, N, T, S)``.
    """
    if flash_attention:
        raise ValueError(
            "dot_product_attention: flash_attention=True is not available in kerax; "
            "XLA fuses the attention computation. Pass flash_attention=None."
        )
    query, key, value = tensor(query), tensor(key), tensor(value)
    if query.ndim != 4 or key.ndim != 4 or value.shape != key.shape:
        raise ValueError(
            "dot_product_attention expects 4-D query (B, T, N, H) and key/value "
            f"(B, S, K, H), received {query.shape}, {key.shape} and {value.shape}."
        )
    batch, t, heads, depth = query.shape
    s, kv_heads = key.shape[1], key.shape[2]
    if heads % kv_heads:
        raise ValueError(
            f"dot_product_attention: query heads ({heads}) must be a multiple of "
            f"key/value heads ({kv_heads})."
        )
    scale = 1.0 / math.sqrt(depth) if scale is None else float(scale)
    bias = None if bias is None else _full(bias, (batch, heads, t, s), "bias")
    mask = None if mask is None else _full(mask, (batch, heads, t, s), "mask")
    return _attention(
        query, key, value, bias, mask, scale, is_causal, attn_logits_soft_cap
    )


@functools.partial(jax.jit, static_argnames=("scale", "is_causal", "soft_cap"))
def _attention(
    query: jax.Array,
    key: jax.Array,
    value: jax.Array,
    bias: jax.Array | None,
    mask: jax.Array | None,
    scale: float,
    is_causal: bool,
    soft_cap: float | None,
) -> jax.Array:
    batch, t, heads, depth = query.shape
    s, kv_heads = key.shape[1], key.shape[2]
    grouped_query = query.reshape(batch, t, kv_heads, heads // kv_heads, depth)
    logits = jnp.einsum("btkgh,bskh->bkgts", grouped_query, key)
    logits = to_float(logits).astype(jnp.promote_types(logits.dtype, "float32"))
    logits = logits * scale
    if soft_cap is not None:
        logits = soft_cap * jnp.tanh(logits / soft_cap)
    if bias is not None:
        logits = logits + _grouped(bias, kv_heads).astype(logits.dtype)
    keep = None
    if mask is not None:
        keep = _grouped(mask.astype(bool), kv_heads)
    if is_causal:
        causal = jnp.tril(jnp.ones((t, s), bool))[None, None, None]
        keep = causal if keep is None else keep & causal
    if keep is not None:
        logits = jnp.where(keep, logits, jnp.finfo(logits.dtype).min * 0.7)
    weights = jax.nn.softmax(logits, axis=-1).astype(value.dtype)
    out = jnp.einsum("bkgts,bskh->btkgh", weights, value)
    return out.reshape(batch, t, heads, depth)
