"""``RandomContrast``: scales each image's contrast by a random factor while
training."""

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
class RandomContrast(BaseImagePreprocessingLayer):
    """Adjusts contrast by a random factor per image while training.

    Each channel becomes ``(x - mean) * c + mean`` (``mean`` over the pixels
    of that channel), clipped to ``value_range``; ``c`` is drawn from
    ``[1 - lower, 1 + upper]``. Identity at inference.

    A single number ``f`` means ``lower = upper = f``, as Keras documents
    (Keras 3.15's code reads it as ``(0, f)``; a pair means the same in both).

    Args:
        factor: a number in ``[0, 1]`` or a pair ``(lower, upper)``.
        value_range: ``(low, high)`` of the pixel values.
        seed: int seed of the layer's random stream.

    Example:
        >>> layer = kerax.layers.RandomContrast(0.2, seed=1)
        >>> layer(np.ones((2, 4, 4, 3)), training=True).shape
        (2, 4, 4, 3)
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(
        self,
        factor: Any,
        value_range: Any = (0, 255),
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if isinstance(factor, (int, float)) and not isinstance(factor, bool):
            self._parse_factor(factor)  # validates the range
            factor = (factor, factor)
        self.factor = self._parse_factor(factor)
        self.value_range = check_value_range(value_range, type(self).__name__)
        self._make_generator(seed)

    def get_random_transformation(
        self, images: jax.Array, training: bool = True, seed: Any = None
    ) -> Any:
        if not training:
            return None
        factor = random.uniform(
            (images.shape[0], 1, 1, 1),
            minval=1.0 - self.factor[0],
            maxval=1.0 + self.factor[1],
            dtype=self.compute_dtype,
            seed=seed if seed is not None else self.generator,
        )
        return {"contrast_factor": factor}

    def transform_images(
        self, images: jax.Array, transformation: Any, training: bool = True
    ) -> jax.Array:
        if not training or transformation is None:
            return images
        mean = jnp.mean(images, axis=(1, 2), keepdims=True)
        out = (images - mean) * transformation["contrast_factor"] + mean
        return jnp.clip(out, min(self.value_range), max(self.value_range))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "factor": self.factor,
            "value_range": self.value_range,
            "seed": self.seed,
        }
