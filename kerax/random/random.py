"""Random sampling functions (``kerax.random``), seeded like Keras's."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerax.autodiff.recording import op
from kerax.backend.dtypes import standardize_dtype
from kerax.random import bucketed
from kerax.random.seed_generator import draw_seed


def _key(seed: Any) -> jax.Array:
    return jax.random.wrap_key_data(draw_seed(seed))


def _scalar(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _scale(sample: np.ndarray, stddev: float, mean: float) -> np.ndarray:
    """``sample * stddev + mean`` rounded per operation in the sample's dtype."""
    dtype = sample.dtype
    return sample * np.asarray(stddev, dtype) + np.asarray(mean, dtype)


def normal(
    shape: Any,
    mean: float = 0.0,
    stddev: float = 1.0,
    dtype: Any = None,
    seed: Any = None,
) -> jax.Array:
    """Samples from a normal distribution."""
    dtype, shape, key = standardize_dtype(dtype), tuple(shape), _key(seed)
    if bucketed.usable(key, shape) and _scalar(mean) and _scalar(stddev):
        sample = bucketed.draw("normal", key, shape, dtype, 0.0, 0.0)
        return jax.device_put(_scale(sample, stddev, mean))
    return jax.random.normal(key, shape, dtype) * stddev + mean


def uniform(
    shape: Any,
    minval: float = 0.0,
    maxval: float = 1.0,
    dtype: Any = None,
    seed: Any = None,
) -> jax.Array:
    """Samples from a uniform distribution on [minval, maxval)."""
    dtype, shape, key = standardize_dtype(dtype), tuple(shape), _key(seed)
    if bucketed.usable(key, shape) and _scalar(minval) and _scalar(maxval):
        return jax.device_put(
            bucketed.draw("uniform", key, shape, dtype, minval, maxval)
        )
    return jax.random.uniform(key, shape, dtype, minval, maxval)


def truncated_normal(
    shape: Any,
    mean: float = 0.0,
    stddev: float = 1.0,
    dtype: Any = None,
    seed: Any = None,
) -> jax.Array:
    """Normal samples truncated to two standard deviations."""
    dtype, shape, key = standardize_dtype(dtype), tuple(shape), _key(seed)
    if bucketed.usable(key, shape) and _scalar(mean) and _scalar(stddev):
        sample = bucketed.draw("truncated_normal", key, shape, dtype, -2.0, 2.0)
        return jax.device_put(_scale(sample, stddev, mean))
    sample = jax.random.truncated_normal(key, -2.0, 2.0, shape, dtype)
    return sample * stddev + mean


def randint(
    shape: Any, minval: int, maxval: int, dtype: Any = "int32", seed: Any = None
) -> jax.Array:
    """Integer samples in [minval, maxval)."""
    return jax.random.randint(
        _key(seed), tuple(shape), minval, maxval, standardize_dtype(dtype)
    )


def categorical(
    logits: Any, num_samples: int, dtype: Any = "int32", seed: Any = None
) -> jax.Array:
    """Draws class indices from unnormalized log-probabilities [batch, classes]."""
    logits = jnp.asarray(logits)
    out = jax.random.categorical(
        _key(seed), logits[:, None, :], axis=-1, shape=(logits.shape[0], num_samples)
    )
    return out.astype(standardize_dtype(dtype))


def shuffle(x: Any, axis: int = 0, seed: Any = None) -> jax.Array:
    """Randomly permutes ``x`` along ``axis``."""
    return jax.random.permutation(
        _key(seed), jnp.asarray(x), axis=axis, independent=False
    )


def binomial(
    shape: Any, counts: Any, probabilities: Any, dtype: Any = None, seed: Any = None
) -> jax.Array:
    """Binomial samples."""
    dtype = standardize_dtype(dtype)
    return jax.random.binomial(_key(seed), counts, probabilities, tuple(shape)).astype(
        dtype
    )


def beta(
    shape: Any, alpha: Any, beta: Any, dtype: Any = None, seed: Any = None
) -> jax.Array:
    """Beta samples."""
    dtype = standardize_dtype(dtype)
    return jax.random.beta(_key(seed), alpha, beta, tuple(shape), dtype)


def gamma(shape: Any, alpha: Any, dtype: Any = None, seed: Any = None) -> jax.Array:
    """Gamma samples."""
    dtype = standardize_dtype(dtype)
    return jax.random.gamma(_key(seed), alpha, tuple(shape), dtype)


@op
def _dropout(
    inputs: jax.Array, key: jax.Array, rate: float, noise_shape: Any
) -> jax.Array:
    keep = 1.0 - rate
    shape = (
        inputs.shape
        if noise_shape is None
        else tuple(
            inputs.shape[i] if d is None else d for i, d in enumerate(noise_shape)
        )
    )
    mask = jax.random.bernoulli(jax.random.wrap_key_data(key), keep, shape)
    mask = jnp.broadcast_to(mask, inputs.shape)
    return jnp.where(mask, inputs / keep, jnp.zeros_like(inputs))


def dropout(
    inputs: Any, rate: float, noise_shape: Any = None, seed: Any = None
) -> jax.Array:
    """Zeroes entries with probability ``rate`` and scales the rest by 1/(1-rate)."""
    return _dropout(inputs, draw_seed(seed), float(rate), noise_shape)
