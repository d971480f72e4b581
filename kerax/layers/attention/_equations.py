"""Einsum equations of multi-head attention: projections and attention products.

The letters follow Keras's layout so kernels, biases and attention scores have
Keras's shapes: inputs use ``a, b, ...`` for their axes in order, and the
score tensor is ``(<batch axes and heads>, <query attention axes>,
<key attention axes>)``.
"""

from __future__ import annotations

import string

_LETTERS = string.ascii_lowercase


def projection_equation(
    free_dims: int, bound_dims: int, output_dims: int
) -> tuple[str, str, int]:
    """``(equation, bias_axes, output_rank)`` of a dense map over trailing axes.

    The first ``free_dims`` input axes pass through, the next ``bound_dims`` are
    contracted with the kernel, and the kernel adds ``output_dims`` new axes
    (which also carry the bias).
    """
    free = _LETTERS[:free_dims]
    bound = _LETTERS[free_dims : free_dims + bound_dims]
    new = _LETTERS[free_dims + bound_dims : free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{new}->{free}{new}", new, free_dims + output_dims


def attention_equations(rank: int, attention_axes: tuple[int, ...]) -> tuple[str, str]:
    """``(dot_product, combine)`` equations for projected tensors of ``rank``.

    Projected tensors are ``(batch, <other axes>, num_heads, channels)``. The
    dot product maps ``(key, query)`` to scores ``(<batch axes>, <query
    attention axes>, <key attention axes>)``, where the batch axes are all axes
    except the attention axes and channels (so they include the heads); the
    combine equation maps ``(scores, value)`` back to the query's layout.
    """
    query = _LETTERS[:rank]
    batch_axes = [i for i in range(rank - 1) if i not in attention_axes]
    key = list(query)
    for offset, axis in enumerate(attention_axes):
        key[axis] = _LETTERS[rank + offset]
    key = "".join(key)
    scores = (
        "".join(query[i] for i in batch_axes)
        + "".join(query[i] for i in attention_axes)
        + "".join(key[i] for i in attention_axes)
    )
    return f"{key},{query}->{scores}", f"{scores},{key}->{query}"


def scores_shape(
    query_shape: tuple, key_shape: tuple, attention_axes: tuple[int, ...]
) -> tuple:
    """Shape of the attention scores for projected query and key shapes."""
    rank = len(query_shape)
    batch_axes = [i for i in range(rank - 1) if i not in attention_axes]
    return (
        tuple(query_shape[i] for i in batch_axes)
        + tuple(query_shape[i] for i in attention_axes)
        + tuple(key_shape[i] for i in attention_axes)
    )
