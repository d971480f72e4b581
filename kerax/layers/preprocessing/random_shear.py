"""``RandomShear``: shears images by random amounts while training."""

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
class RandomShear(AffineAugmentationLayer):
    """Shears each image along x and y by random amounts while training.

    Identity at inference. An output pixel ``(x, y)`` reads the input at
    ``(x + sx * y, y + sy * x)``; ``sx`` is drawn from ``x_factor``'s range,
    ``sy`` from ``y_factor``'s, and both change sign together with
    probability 1/2.

    Args:
        x_factor: a number ``f`` (range ``[-f, f]``) or a pair, in ``[-1, 1]``
            (a pair may be negative so that configs round-trip, which Keras
            3.15 rejects).
        y_factor: as ``x_factor``, for the vertical shear.
        interpolation: ``"bilinear"`` or ``"nearest"``.
        fill_mode: ``"reflect"``, ``"wrap"``, ``"constant"`` or ``"nearest"``.
        fill_value: the value outside the image for ``fill_mode="constant"``.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        seed: int seed of the layer's random stream.
    """

    def __init__(
        self,
        x_factor: Any = 0.0,
        y_factor: Any = 0.0,
        interpolation: str = "bilinear",
        fill_mode: str = "reflect",
        fill_value: float = 0.0,
        data_format: str | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        layer = type(self).__name__
        x_range = factor_range(x_factor, "x_factor", layer, -1.0, 1.0, False)
        y_range = factor_range(y_factor, "y_factor", layer, -1.0, 1.0, False)
        super().__init__(
            fill_mode, interpolation, seed, fill_value, data_format, **kwargs
        )
        self.x_factor = x_range
        self.y_factor = y_range

    def get_random_transformation(
        self, images: jax.Array, training: bool = True, seed: Any = None
    ) -> Any:
        if not training:
            return None
        batch = images.shape[0]
        seed = seed if seed is not None else self.generator
        dtype = self.compute_dtype
        sign = random.uniform((batch,), 0.0, 1.0, dtype, seed=seed)
        sign = jnp.where(sign > 0.5, -1.0, 1.0).astype(dtype)
        shear_y = random.uniform((batch,), *self.y_factor, dtype, seed=seed)
        shear_x = random.uniform((batch,), *self.x_factor, dtype, seed=seed)
        shear_x, shear_y = shear_x * sign, shear_y * sign
        ones, zeros = jnp.ones_like(shear_x), jnp.zeros_like(shear_x)
        transforms = jnp.stack(
            [ones, shear_x, zeros, shear_y, ones, zeros, zeros, zeros], axis=1
        )
        return {
            "shear_factor": jnp.stack([shear_x, shear_y], 1),
            "transforms": transforms,
        }

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "x_factor": self.x_factor,
            "y_factor": self.y_factor,
        }
