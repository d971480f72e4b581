"""Noise layers: ``GaussianNoise``, ``GaussianDropout`` and ``AlphaDropout``."""

from __future__ import annotations

import math
from typing import Any

import jax

from kerax import random
from kerax.layers.core._arguments import is_int, rate_in_unit_interval
from kerax.layers.core.dropout import validate_noise_shape
from kerax.layers.layer import Layer
from kerax.registry import register

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class _RandomLayer(Layer):
    """A layer that is the identity unless ``training=True`` and ``amount > 0``."""

    def __init__(
        self, amount: float, argument: str, seed: int | None, **kwargs: Any
    ) -> None:
        layer = type(self).__name__
        amount = rate_in_unit_interval(amount, argument, layer)
        if seed is not None and not is_int(seed):
            raise ValueError(f"{layer}: `seed` must be an int, received {seed!r}.")
        super().__init__(**kwargs)
        self.seed = seed
        if amount > 0:
            self.seed_generator = random.SeedGenerator(seed)
        self.supports_masking = True

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape


@register("keras.layers")
class GaussianNoise(_RandomLayer):
    """Adds zero-mean Gaussian noise while training (a regularizer).

    Args:
        stddev: standard deviation of the noise, in [0, 1].
        seed: int seed of the layer's random stream.
    """

    def __init__(self, stddev: float, seed: int | None = None, **kwargs: Any):
        super().__init__(stddev, "stddev", seed, **kwargs)
        self.stddev = stddev

    def call(self, inputs: jax.Array, training: bool = False) -> jax.Array:
        if training and self.stddev > 0:
            noise = random.normal(
                inputs.shape,
                stddev=self.stddev,
                dtype=self.compute_dtype,
                seed=self.seed_generator,
            )
            return inputs + noise
        return inputs

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


@register("keras.layers")
class GaussianDropout(_RandomLayer):
    """Multiplies by Gaussian noise of mean 1 while training.

    The noise has standard deviation ``sqrt(rate / (1 - rate))``.

    Args:
        rate: drop probability of the equivalent dropout, in [0, 1].
        seed: int seed of the layer's random stream.
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any):
        super().__init__(rate, "rate", seed, **kwargs)
        self.rate = rate

    def call(self, inputs: jax.Array, training: bool = False) -> jax.Array:
        if training and self.rate > 0:
            noise = random.normal(
                inputs.shape,
                mean=1.0,
                stddev=math.sqrt(self.rate / (1.0 - self.rate)),
                dtype=self.compute_dtype,
                seed=self.seed_generator,
            )
            return inputs * noise
        return inputs

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


@register("keras.layers")
class AlphaDropout(_RandomLayer):
    """Dropout that keeps the mean and variance of SELU activations.

    Dropped entries are set to SELU's negative saturation value, then an
    affine map restores zero mean and unit variance.

    Args:
        rate: drop probability, in [0, 1].
        noise_shape: shape of the keep/drop mask (``None`` entries follow the
            input).
        seed: int seed of the layer's random stream.
    """

    def __init__(
        self,
        rate: float,
        noise_shape: Any = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(rate, "rate", seed, **kwargs)
        self.rate = rate
        self.noise_shape = validate_noise_shape(noise_shape, "AlphaDropout")

    def call(self, inputs: jax.Array, training: bool = False) -> jax.Array:
        if not (training and self.rate > 0):
            return inputs
        shape = inputs.shape
        if self.noise_shape is not None:
            shape = tuple(
                size if d is None else d
                for size, d in zip(inputs.shape, self.noise_shape)
            )
        draw = random.uniform(shape, dtype=inputs.dtype, seed=self.seed_generator)
        kept = (draw >= self.rate).astype(inputs.dtype)
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        a = ((1 - self.rate) * (1 + self.rate * alpha_p**2)) ** -0.5
        b = -a * alpha_p * self.rate
        return a * (inputs * kept + alpha_p * (1 - kept)) + b

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "rate": self.rate,
            "seed": self.seed,
            "noise_shape": self.noise_shape,
        }
