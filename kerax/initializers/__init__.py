"""Weight initializers (minimal bootstrap; the full set lives in submodules)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerax.random.seed_generator import make_default_seed


class Initializer:
    def __call__(self, shape: Any, dtype: Any = None) -> jax.Array:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Initializer:
        return cls(**config)


class Zeros(Initializer):
    def __call__(self, shape: Any, dtype: Any = None) -> jax.Array:
        return jnp.zeros(shape, dtype)


class Ones(Initializer):
    def __call__(self, shape: Any, dtype: Any = None) -> jax.Array:
        return jnp.ones(shape, dtype)


class GlorotUniform(Initializer):
    def __init__(self, seed: int | None = None) -> None:
        self.seed = make_default_seed() if seed is None else seed

    def __call__(self, shape: Any, dtype: Any = None) -> jax.Array:
        fan_in = shape[-2] if len(shape) >= 2 else shape[0] if shape else 1
        fan_out = shape[-1] if shape else 1
        receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
        limit = np.sqrt(6.0 / ((fan_in + fan_out) * receptive))
        key = jax.random.PRNGKey(self.seed)
        return jax.random.uniform(key, shape, dtype, -limit, limit)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


_ALL = {"zeros": Zeros, "ones": Ones, "glorot_uniform": GlorotUniform}


def get(identifier: Any) -> Any:
    if identifier is None or callable(identifier) and not isinstance(identifier, str):
        return identifier
    if isinstance(identifier, str) and identifier in _ALL:
        return _ALL[identifier]()
    raise ValueError(f"Could not interpret initializer identifier: {identifier!r}")
