"""``RandomTranslation``: shifts images by a random offset while training."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import random
from kerax.layers.preprocessing._geometric import (
    AffineAugmentationLayer,
    factor_range,
)
from kerax.registry import register


@register("keras.layers")
class RandomTranslation(AffineAugmentationLayer):
    """Shifts each image by a random fraction of its size while training.

    Identity at inference. The vertical shift is ``u * height`` pixels with
    ``u`` drawn from ``[lower, upper]`` of ``height_factor`` (positive moves
    the content down); likewise horizontally with ``width_factor``.

    Args:
        height_factor: a number ``f`` (range ``[-f, f]``) or a pair
            ``(lower, upper)``, each in ``[-1, 1]``.
        width_factor: as ``height_factor``, for the horizontal shift.
        fill_mode: ``"reflect"``, ``"wrap"``, ``"constant"`` or ``"nearest"``.
        interpolation: ``"bilinear"`` or ``"nearest"``.
        seed: int seed of the layer's random stream.
        fill_value: the value outside the image for ``fill_mode="constant"``.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example:
        >>> layer = kerax.layers.RandomTranslation(0.1, 0.1, seed=1)
        >>> layer(np.ones((2, 8, 8, 3)), training=True).shape
        (2, 8, 8, 3)
    """

    def __init__(
        self,
        height_factor: Any,
        width_factor: Any,
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        seed: int | None = None,
        fill_value: float = 0.0,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        layer = type(self).__name__
        self.height_lower, self.height_upper = factor_range(
            height_factor, "height_factor", layer, -1.0, 1.0, open_low=False
        )
        self.width_lower, self.width_upper = factor_range(
            width_factor, "width_factor", layer, -1.0, 1.0, open_low=False
        )
        super().__init__(
            fill_mode, interpolation, seed, fill_value, data_format, **kwargs
        )
        self.height_factor = height_factor
        self.width_factor = width_factor

    def get_random_transformation(
        self, images: jax.Array, training: bool = True, seed: Any = None
    ) -> Any:
        if not training:
            return None
        batch, height, width = images.shape[:3]
        seed = seed if seed is not None else self.generator
        dy = random.uniform((batch,), self.height_lower, self.height_upper, seed=seed)
        dx = random.uniform((batch,), self.width_lower, self.width_upper, seed=seed)
        dy, dx = dy * height, dx * width
        ones, zeros = jnp.ones_like(dx), jnp.zeros_like(dx)
        transforms = jnp.stack([ones, zeros, -dx, zeros, ones, -dy, zeros, zeros], 1)
        return {"translations": jnp.stack([dx, dy], 1), "transforms": transforms}

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "height_factor": self.height_factor,
            "width_factor": self.width_factor,
        }
