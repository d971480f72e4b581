"""Eager random draws without one XLA compilation per shape.

Drawing initial weights eagerly with ``jax.random`` compiles a program for
every new weight shape, about half a second each on a CPU, which dominates the
time to build a model. JAX's threefry generator is partitionable (the default
since JAX 0.5): element ``i`` of a draw depends only on the key and ``i``, so
the first ``n`` numbers of a flat draw of any larger size are exactly the
numbers a draw of ``n`` elements gives. Eager draws therefore run a program
compiled once per power-of-two size and keep the first ``n`` numbers; the
values are bit for bit those of the direct ``jax.random`` call (tested).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import jax
import numpy as np

_MIN_BUCKET = 1 << 10
_MAX_BUCKET = 1 << 24  # larger draws compile once for their own shape


def _sampler(kind: str) -> Callable[..., jax.Array]:
    if kind == "uniform":
        return lambda key, n, dtype, a, b: jax.random.uniform(key, (n,), dtype, a, b)
    if kind == "normal":
        return lambda key, n, dtype, a, b: jax.random.normal(key, (n,), dtype)
    if kind == "truncated_normal":
        return lambda key, n, dtype, a, b: jax.random.truncated_normal(
            key, a, b, (n,), dtype
        )
    raise ValueError(f"Unknown distribution {kind!r}.")


@functools.cache
def _compiled(kind: str, size: int, dtype: str) -> Callable[..., jax.Array]:
    sample = _sampler(kind)
    return jax.jit(lambda key, a, b: sample(key, size, dtype, a, b))


def usable(key: Any, shape: tuple) -> bool:
    """Whether a draw of ``shape`` with ``key`` can take the bucketed path."""
    if isinstance(key, jax.core.Tracer) or not jax.config.jax_threefry_partitionable:
        return False
    if not all(isinstance(d, (int, np.integer)) for d in shape):
        return False
    return 0 < math.prod(shape) <= _MAX_BUCKET


def draw(kind: str, key: Any, shape: tuple, dtype: str, a: Any, b: Any) -> np.ndarray:
    """``jax.random.<kind>(key, shape, dtype, ...)`` as a host array.

    ``a``/``b`` are the distribution's bounds (``minval``/``maxval`` for
    ``uniform``, ``lower``/``upper`` for ``truncated_normal``).
    """
    count = math.prod(shape)
    size = max(_MIN_BUCKET, 1 << (count - 1).bit_length())
    flat = _compiled(kind, size, dtype)(key, a, b)
    return np.asarray(flat)[:count].reshape(shape)
