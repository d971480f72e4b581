"""Attention layers: dot-product, additive, multi-head and grouped-query."""

from kerax.layers.attention.additive_attention import AdditiveAttention
from kerax.layers.attention.attention import Attention
from kerax.layers.attention.grouped_query_attention import GroupedQueryAttention
from kerax.layers.attention.multi_head_attention import MultiHeadAttention

GroupQueryAttention = GroupedQueryAttention

__all__ = [
    "AdditiveAttention",
    "Attention",
    "GroupQueryAttention",
    "GroupedQueryAttention",
    "MultiHeadAttention",
]
