"""``RandomZoom``: zooms images in or out by a random amount while training."""

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
class RandomZoom(AffineAugmentationLayer):
    """Zooms each image about its centre by a random factor while training.

    Identity at inference. The zoom of each axis is ``1 + u`` with ``u``
    drawn from ``[lower, upper]``: negative values zoom in (the image looks
    larger), positive values zoom out.

    Args:
        height_factor: a number ``f`` (range ``[-f, f]``) or a pair
            ``(lower, upper)``, each in ``(-1, 1]``.
        width_factor: as ``height_factor``; ``None`` (the default) zooms
            both axes by the same amount, keeping the aspect ratio.
        fill_mode: ``"reflect"``, ``"wrap"``, ``"constant"`` or ``"nearest"``.
        interpolation: ``"bilinear"`` or ``"nearest"``.
        seed: int seed of the layer's random stream.
        fill_value: the value outside the image for ``fill_mode="constant"``.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example:
        >>> layer = kerax.layers.RandomZoom(0.2, seed=1)
        >>> layer(np.ones((2, 8, 8, 3)), training=True).shape
        (2, 8, 8, 3)
    """

    def __init__(
        self,
        height_factor: Any,
        width_factor: Any = None,
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        seed: int | None = None,
        fill_value: float = 0.0,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        layer = type(self).__name__
        self.height_lower, self.height_upper = factor_range(
            height_factor, "height_factor", layer, -1.0, 1.0, open_low=True
        )
        if width_factor is not None:
            self.width_lower, self.width_upper = factor_range(
                width_factor, "width_factor", layer, -1.0, 1.0, open_low=True
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
        height_zoom = random.uniform(
            (batch, 1), 1.0 + self.height_lower, 1.0 + self.height_upper, seed=seed
        )
        width_zoom = height_zoom
        if self.width_factor is not None:
            width_zoom = random.uniform(
                (batch, 1), 1.0 + self.width_lower, 1.0 + self.width_upper, seed=seed
            )
        zx, zy = width_zoom[:, 0], height_zoom[:, 0]
        zeros = jnp.zeros_like(zx)
        x_offset = 0.5 * (width - 1) * (1.0 - zx)
        y_offset = 0.5 * (height - 1) * (1.0 - zy)
        transforms = jnp.stack(
            [zx, zeros, x_offset, zeros, zy, y_offset, zeros, zeros], axis=1
        )
        return {
            "height_zoom": height_zoom,
            "width_zoom": width_zoom,
            "transforms": transforms,
        }

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "height_factor": self.height_factor,
            "width_factor": self.width_factor,
        }
