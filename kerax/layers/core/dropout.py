"""``Dropout``: zeroes random entries while training."""

from __future__ import annotations

from typing import Any

import jax

from kerax import random
from kerax.layers.core._arguments import is_int, rate_in_unit_interval
from kerax.layers.layer import Layer
from kerax.registry import register


def validate_noise_shape(noise_shape: Any, layer: str) -> tuple | None:
    """``noise_shape`` as a tuple of positive ints or None entries."""
    if noise_shape is None:
        return None
    message = (
        f"{layer}: `noise_shape` must be a tuple of positive integers or None "
        f"entries. Received: noise_shape={noise_shape!r}."
    )
    if isinstance(noise_shape, str):
        raise ValueError(message)
    try:
        noise_shape = tuple(noise_shape)
    except TypeError:
        raise ValueError(message) from None
    for dim in noise_shape:
        if dim is not None and (not is_int(dim) or dim <= 0):
            raise ValueError(message)
    return noise_shape


@register("keras.layers")
class Dropout(Layer):
    """Sets inputs to 0 with probability ``rate`` when ``training=True``.

    Kept entries are scaled by ``1 / (1 - rate)`` so the expected sum is
    unchanged. Outside training the layer is the identity.

    Args:
        rate: float in [0, 1], the fraction of entries to drop.
        noise_shape: shape of the keep/drop mask, broadcast over the input;
            ``None`` entries take the input's size (``(batch, 1, features)``
            drops the same features at every timestep).
        seed: int seed of the layer's random stream.
    """

    def __init__(
        self, rate: float, noise_shape: Any = None, seed: int | None = None, **kwargs
    ) -> None:
        name = type(self).__name__
        rate = rate_in_unit_interval(rate, "rate", name)
        if seed is not None and not is_int(seed):
            raise ValueError(f"{name}: `seed` must be an int, received {seed!r}.")
        super().__init__(**kwargs)
        self.rate = rate
        self.seed = seed
        self.noise_shape = validate_noise_shape(noise_shape, name)
        if rate > 0:
            self.seed_generator = random.SeedGenerator(seed)
        self.supports_masking = True

    def _noise_shape(self, inputs: jax.Array) -> tuple | None:
        return self.noise_shape

    def call(self, inputs: jax.Array, training: bool = False) -> jax.Array:
        if training and self.rate > 0:
            return random.dropout(
                inputs,
                self.rate,
                noise_shape=self._noise_shape(inputs),
                seed=self.seed_generator,
            )
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "rate": self.rate,
            "seed": self.seed,
            "noise_shape": self.noise_shape,
        }
