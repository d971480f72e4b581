"""``SeedGenerator``: random keys whose state is a Variable (safe under jit).

Seeding follows Keras exactly: an int seed ``s`` is the raw threefry key
``[s, 0]``; a generator's state is ``[seed, counter]`` and each draw uses the
state as the key, then bumps the counter. The same seeds give Keras's numbers
(initial weights, dropout masks, noise).
"""

from __future__ import annotations

import random as python_random
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerax.autodiff.variable import Variable

_global_generator: SeedGenerator | None = None


def make_default_seed() -> int:
    """A seed drawn from Python's RNG (deterministic after ``set_random_seed``)."""
    return python_random.randint(1, int(1e9))


class SeedGenerator:
    """Produces a fresh JAX key on each ``next()``; its state is a Variable.

    Args:
        seed: an int; by default one is drawn from Python's RNG.
        name: a name for the generator.
    """

    def __init__(self, seed: int | None = None, name: str | None = None, **kwargs: Any):
        if seed is None:
            seed = make_default_seed()
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise ValueError(f"SeedGenerator seed must be an int, received {seed!r}.")
        self._initial_seed = int(seed)
        self.name = name or "seed_generator"
        state = np.array([int(seed) & 0xFFFFFFFF, 0], np.uint32)
        self.state = Variable(
            state, dtype="uint32", trainable=False, name="seed_generator_state"
        )

    def next(self, ordered: bool = True) -> jax.Array:
        """Return the current raw key (uint32[2]) and advance the counter."""
        key = self.state.value
        self.state.assign(key + jnp.array([0, 1], jnp.uint32))
        return key

    def get_config(self) -> dict[str, Any]:
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> SeedGenerator:
        return cls(**config)


def global_seed_generator() -> SeedGenerator:
    """The process-wide generator used when no seed is given."""
    global _global_generator
    if _global_generator is None:
        _global_generator = SeedGenerator(name="global_seed_generator")
    return _global_generator


def reset_global_seed_generator(seed: int | None = None) -> None:
    """Start the global generator afresh (``set_random_seed``)."""
    global _global_generator
    _global_generator = SeedGenerator(seed, name="global_seed_generator")


def draw_seed(seed: Any) -> jax.Array:
    """Turn ``seed`` (None, int, SeedGenerator, or a raw key) into a raw key."""
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if seed is None:
        return global_seed_generator().next()
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return jnp.array([int(seed) & 0xFFFFFFFF, 0], jnp.uint32)
    seed = jnp.asarray(getattr(seed, "value", seed))
    if seed.shape == (2,) and seed.dtype == jnp.uint32:
        return seed
    raise ValueError(
        "seed must be None, an int, a SeedGenerator or a uint32[2] key, "
        f"received {seed!r}."
    )
