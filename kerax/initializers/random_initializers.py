"""Seeded random initializers: normal, truncated normal, uniform, orthogonal."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import random
from kerax.backend.dtypes import standardize_dtype
from kerax.initializers.initializer import Initializer
from kerax.random.seed_generator import SeedGenerator, make_default_seed
from kerax.registry import register


def seed_key(seed: int | SeedGenerator) -> jax.Array | SeedGenerator:
    """What ``kerax.random`` samplers take as ``seed``, keyed as Keras keys an int.

    Keras turns an int seed ``s`` into the raw key ``[s, 0]``; using the same key
    makes a seeded initializer give Keras's values. A ``SeedGenerator`` passes
    through and yields a new key on every call.
    """
    if isinstance(seed, SeedGenerator):
        return seed
    return jnp.array([seed & 0xFFFFFFFF, 0], dtype=jnp.uint32)


class RandomInitializer(Initializer):
    """Base of the random initializers: resolves and serializes ``seed``.

    Args:
        seed: an int (the same values on every call), a ``SeedGenerator`` (new
            values on every call) or None (an int drawn now from Python's RNG,
            so two unseeded initializers differ).
    """

    def __init__(self, seed: int | SeedGenerator | dict[str, Any] | None = None):
        self._init_seed = seed
        if seed is None:
            seed = make_default_seed()
        elif isinstance(seed, dict):
            seed = _deserialize_seed(seed)
        elif not isinstance(seed, (int, SeedGenerator)) or isinstance(seed, bool):
            raise ValueError(
                f"{type(self).__name__}: `seed` must be an int, a "
                f"kerax.random.SeedGenerator or None, received seed={seed!r}."
            )
        self.seed = seed

    def get_config(self) -> dict[str, Any]:
        return {"seed": _serialize_seed(self._init_seed)}


def _serialize_seed(seed: Any) -> Any:
    if isinstance(seed, SeedGenerator):
        return {
            "module": "keras.random",
            "class_name": "SeedGenerator",
            "config": seed.get_config(),
            "registered_name": None,
        }
    return seed


def _deserialize_seed(config: dict[str, Any]) -> SeedGenerator:
    if config.get("class_name") != "SeedGenerator":
        raise ValueError(
            f"A seed config must describe a SeedGenerator, received {config!r}."
        )
    return SeedGenerator.from_config(config.get("config") or {})


@register("keras.initializers")
class RandomNormal(RandomInitializer):
    """Samples from a normal distribution.

    Args:
        mean: the mean.
        stddev: the standard deviation.
        seed: see ``RandomInitializer``.
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: Any = None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape: Any, dtype: Any = None) -> jax.Array:
        return random.normal(
            shape, self.mean, self.stddev, dtype=dtype, seed=seed_key(self.seed)
        )

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


@register("keras.initializers")
class TruncatedNormal(RandomInitializer):
    """Normal samples, redrawn until within two standard deviations of the mean.

    Args:
        mean: the mean.
        stddev: the standard deviation before truncation.
        seed: see ``RandomInitializer``.
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: Any = None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape: Any, dtype: Any = None) -> jax.Array:
        return random.truncated_normal(
            shape, self.mean, self.stddev, dtype=dtype, seed=seed_key(self.seed)
        )

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


@register("keras.initializers")
class RandomUniform(RandomInitializer):
    """Samples uniformly from ``[minval, maxval)``.

    Args:
        minval: the lower bound.
        maxval: the upper bound (excluded).
        seed: see ``RandomInitializer``.
    """

    def __init__(
        self, minval: float = -0.05, maxval: float = 0.05, seed: Any = None
    ) -> None:
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape: Any, dtype: Any = None) -> jax.Array:
        return random.uniform(
            shape, self.minval, self.maxval, dtype=dtype, seed=seed_key(self.seed)
        )

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


@register("keras.initializers")
class Orthogonal(RandomInitializer):
    """A random orthogonal matrix (times ``gain``), from the QR of a normal sample.

    Shapes of rank > 2 are treated as a matrix ``(prod(shape[:-1]), shape[-1])``;
    its rows or its columns, whichever are fewer, are orthonormal.

    Args:
        gain: multiplies the orthogonal matrix.
        seed: see ``RandomInitializer``.
    """

    def __init__(self, gain: float = 1.0, seed: Any = None) -> None:
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape: Any, dtype: Any = None) -> jax.Array:
        shape = tuple(shape)
        if len(shape) < 2:
            raise ValueError(
                "Orthogonal initializer needs a shape of rank >= 2, received "
                f"shape={shape} of rank {len(shape)}."
            )
        rows = 1
        for dim in shape[:-1]:
            rows *= dim
        cols = shape[-1]
        dtype = standardize_dtype(dtype)
        sample = random.normal(
            (max(rows, cols), min(rows, cols)), dtype=dtype, seed=seed_key(self.seed)
        )
        # QR has no half-precision kernels: factor in float32, then cast back.
        q, r = jnp.linalg.qr(sample.astype(jnp.promote_types(dtype, "float32")))
        q = q * jnp.sign(jnp.diagonal(r))[None, :]
        if rows < cols:
            q = q.T
        return (self.gain * q.reshape(shape)).astype(dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "gain": self.gain}
