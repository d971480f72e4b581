"""Random filter layers: ``RandomSharpness`` and ``RandomGaussianBlur``."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import random
from kerax.layers.preprocessing._image_layer import (
    BaseImagePreprocessingLayer,
    check_value_range,
)
from kerax.ops import nn_conv
from kerax.ops.image_filters import gaussian_kernel_1d
from kerax.registry import register


@register("keras.layers")
class RandomSharpness(BaseImagePreprocessingLayer):
    """Sharpens or blurs each image by a random amount while training.

    The image moves away from (``u > 0.5``) or towards (``u < 0.5``) a 3x3
    smoothed copy: ``x + (1 - 2u) * (smooth - x)``, clipped to
    ``value_range``; ``u`` is drawn from ``factor``'s range.

    Args:
        factor: a number in ``[0, 1]`` (range ``[0, f]``) or a pair.
        value_range: ``(low, high)`` of the pixel values.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        seed: int seed of the layer's random stream.
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(
        self,
        factor: Any,
        value_range: Any = (0, 255),
        data_format: str | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(factor=factor, data_format=data_format, **kwargs)
        self.value_range = sorted(check_value_range(value_range, type(self).__name__))
        self._make_generator(seed)

    def get_random_transformation(
        self, images: jax.Array, training: bool = True, seed: Any = None
    ) -> Any:
        if not training:
            return None
        seed = seed if seed is not None else self.generator
        return {"factor": random.uniform((images.shape[0],), *self.factor, seed=seed)}

    def transform_images(
        self, images: jax.Array, transformation: Any, training: bool = True
    ) -> jax.Array:
        if not training or transformation is None:
            return images
        amount = (transformation["factor"] * 2).astype(images.dtype)[
            :, None, None, None
        ]
        edge, centre = 1.0 / 13.0, 5.0 / 13.0
        taps = jnp.full((3, 3), edge, images.dtype).at[1, 1].set(centre)
        smooth = _depthwise_same(images, taps)
        out = images + (1.0 - amount) * (smooth - images)
        return jnp.clip(out, *self.value_range)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "factor": self.factor,
            "value_range": self.value_range,
            "seed": self.seed,
        }


def _depthwise_same(images: jax.Array, taps: jax.Array) -> jax.Array:
    """Filter every channel of an NHWC batch with the 2-D ``taps`` (zero
    padding, same size)."""
    kernel = jnp.tile(taps[:, :, None, None], (1, 1, images.shape[-1], 1))
    return nn_conv.depthwise_conv(
        images, kernel.astype(images.dtype), padding="same", data_format="channels_last"
    )


def gaussian_blur(images: jax.Array, kernel_size: tuple, sigma: jax.Array) -> jax.Array:
    """Gaussian blur of an NHWC batch; ``sigma = (height, width)`` may be
    traced."""
    rows = gaussian_kernel_1d(kernel_size[0], sigma[0], images.dtype)
    cols = gaussian_kernel_1d(kernel_size[1], sigma[1], images.dtype)
    return _depthwise_same(images, jnp.outer(rows, cols))


def _odd_pair(value: Any, layer: str) -> tuple:
    message = f"{layer}: `kernel_size` must be odd numbers. Received: {value!r}"
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or any(not isinstance(v, int) or v % 2 == 0 for v in pair):
        raise ValueError(message)
    return pair


@register("keras.layers")
class RandomGaussianBlur(BaseImagePreprocessingLayer):
    """Blurs each image with a Gaussian, with a random probability, while
    training.

    The probability is drawn from ``factor``'s range per image; one pair of
    standard deviations (height, width) from ``sigma``'s range per batch.

    Args:
        factor: blur probability, a number in ``[0, 1]`` or a pair.
        kernel_size: odd tap count, or a pair ``(height, width)``.
        sigma: standard deviation range, a number in ``[0, 1]`` or a pair.
        value_range: ``(low, high)`` of the pixel values.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        seed: int seed of the layer's random stream.
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(
        self,
        factor: Any = 1.0,
        kernel_size: Any = 3,
        sigma: Any = 1.0,
        value_range: Any = (0, 255),
        data_format: str | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(factor=factor, data_format=data_format, **kwargs)
        self.kernel_size = _odd_pair(kernel_size, type(self).__name__)
        self.sigma = self._parse_factor(sigma)
        self.value_range = check_value_range(value_range, type(self).__name__)
        self._make_generator(seed)

    def get_random_transformation(
        self, images: jax.Array, training: bool = True, seed: Any = None
    ) -> Any:
        if not training:
            return None
        seed = seed if seed is not None else self.generator
        batch = images.shape[0]
        probability = random.uniform((batch,), *self.factor, seed=seed)
        apply = random.uniform((batch,), 0.0, 1.0, seed=seed) < probability
        sigma = random.uniform((2,), *self.sigma, self.compute_dtype, seed=seed)
        return {"should_apply_blur": apply, "blur_factor": sigma + 1e-6}

    def transform_images(
        self, images: jax.Array, transformation: Any, training: bool = True
    ) -> jax.Array:
        if not training or transformation is None:
            return images
        blurred = gaussian_blur(images, self.kernel_size, transformation["blur_factor"])
        apply = transformation["should_apply_blur"][:, None, None, None]
        out = jnp.where(apply, blurred, images)
        return jnp.clip(out, min(self.value_range), max(self.value_range))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "factor": self.factor,
            "kernel_size": self.kernel_size,
            "sigma": self.sigma,
            "value_range": self.value_range,
            "seed": self.seed,
        }
