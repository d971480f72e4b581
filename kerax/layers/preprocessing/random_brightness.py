"""``RandomBrightness``: shifts each image's brightness while training."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import random
from kerax.layers.preprocessing._image_layer import (
    BaseImagePreprocessingLayer,
    check_value_range,
)
from kerax.registry import register


@register("keras.layers")
class RandomBrightness(BaseImagePreprocessingLayer):
    """Adds a random offset to every pixel of an image while training.

    The offset is ``u * (high - low)`` with ``u`` drawn from
    ``[lower, upper]`` of ``factor`` and ``(low, high) = value_range``; the
    result is clipped to ``value_range``. Identity at inference.

    Args:
        factor: a number ``f`` in ``[-1, 1]`` (range ``[-f, f]``) or a pair.
        value_range: ``(low, high)`` of the pixel values.
        seed: int seed of the layer's random stream.

    Example:
        >>> layer = kerax.layers.RandomBrightness(0.2, seed=1)
        >>> layer(np.ones((2, 4, 4, 3)), training=True).shape
        (2, 4, 4, 3)
    """

    def __init__(
        self,
        factor: Any,
        value_range: Any = (0, 255),
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(factor=factor, **kwargs)
        self.value_range = sorted(check_value_range(value_range, type(self).__name__))
        self._make_generator(seed)

    def get_random_transformation(
        self, images: jax.Array, training: bool = True, seed: Any = None
    ) -> Any:
        if not training:
            return None
        delta = random.uniform(
            (images.shape[0], 1, 1, 1),
            minval=self.factor[0],
            maxval=self.factor[1],
            seed=seed if seed is not None else self.generator,
        )
        low, high = self.value_range
        return {"rgb_delta": delta * (high - low)}

    def transform_images(
        self, images: jax.Array, transformation: Any, training: bool = True
    ) -> jax.Array:
        if not training or transformation is None:
            return images
        out = images + transformation["rgb_delta"].astype(images.dtype)
        return jnp.clip(out, *self.value_range)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "factor": self.factor,
            "value_range": self.value_range,
            "seed": self.seed,
        }
