"""``RandomFlip``: flips images left-right and/or up-down while training."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import random
from kerax.layers.preprocessing._image_layer import (
    BaseImagePreprocessingLayer,
    check_choice,
)
from kerax.registry import register

HORIZONTAL = "horizontal"
VERTICAL = "vertical"
HORIZONTAL_AND_VERTICAL = "horizontal_and_vertical"
_MODES = (HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL)


@register("keras.layers")
class RandomFlip(BaseImagePreprocessingLayer):
    """Flips each image with probability 1/2 while training; identity at
    inference.

    With ``mode="horizontal_and_vertical"`` a chosen image is flipped along
    both axes (as Keras does: one coin per image).

    Args:
        mode: ``"horizontal"``, ``"vertical"`` or ``"horizontal_and_vertical"``.
        seed: int seed of the layer's random stream.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example:
        >>> layer = kerax.layers.RandomFlip("horizontal", seed=1)
        >>> layer(np.ones((2, 4, 4, 3)), training=True).shape
        (2, 4, 4, 3)
    """

    _USE_BASE_FACTOR = False

    def __init__(
        self,
        mode: str = HORIZONTAL_AND_VERTICAL,
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        check_choice(mode, _MODES, "mode", type(self).__name__)
        super().__init__(data_format=data_format, **kwargs)
        self.mode = mode
        self._make_generator(seed)

    def get_random_transformation(
        self, images: jax.Array, training: bool = True, seed: Any = None
    ) -> Any:
        if not training:
            return None
        shape = (images.shape[0], 1, 1, 1)
        draw = random.uniform(shape, seed=seed if seed is not None else self.generator)
        return {"flips": draw <= 0.5}

    def _flip(self, images: jax.Array, transformation: Any) -> jax.Array:
        flips = transformation["flips"]
        if self.mode in (HORIZONTAL, HORIZONTAL_AND_VERTICAL):
            images = jnp.where(flips, images[:, :, ::-1, :], images)
        if self.mode in (VERTICAL, HORIZONTAL_AND_VERTICAL):
            images = jnp.where(flips, images[:, ::-1, :, :], images)
        return images

    def transform_images(
        self, images: jax.Array, transformation: Any, training: bool = True
    ) -> jax.Array:
        if not training or transformation is None:
            return images
        return self._flip(images, transformation)

    def transform_segmentation_masks(
        self, masks: jax.Array, transformation: Any, training: bool = True
    ) -> jax.Array:
        return self.transform_images(masks, transformation, training)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "seed": self.seed, "mode": self.mode}
