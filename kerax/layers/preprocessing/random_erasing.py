"""``RandomErasing``: blanks a random rectangle of each image while training."""

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
class RandomErasing(BaseImagePreprocessingLayer):
    """Fills a random rectangle of each image, with a random probability,
    while training.

    The rectangle's sides are ``sqrt(s)`` times the image's, with ``s``
    drawn per side from ``scale``; it is filled with ``fill_value`` (a
    number or one per channel) or, by default, Gaussian noise times the top
    of ``value_range``, clipped to ``value_range``.

    Args:
        factor: the erasing probability, a number in ``[0, 1]`` or a pair.
        scale: range of the area fraction per side, in ``[0, 1]``.
        fill_value: None (noise), a number, or three numbers.
        value_range: ``(low, high)`` of the pixel values.
        seed: int seed of the layer's random stream.
        data_format: ``"channels_last"`` or ``"channels_first"``.
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(
        self,
        factor: Any = 1.0,
        scale: Any = (0.02, 0.33),
        fill_value: Any = None,
        value_range: Any = (0, 255),
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(factor=factor, data_format=data_format, **kwargs)
        self.scale = self._parse_factor(scale)
        if fill_value is not None and not (
            isinstance(fill_value, (int, float))
            or isinstance(fill_value, (tuple, list))
            and len(fill_value) == 3
        ):
            raise ValueError(
                "RandomErasing: `fill_value` should be a number or a list of three "
                f"numbers. Received: fill_value={fill_value!r}"
            )
        self.fill_value = fill_value
        self.value_range = check_value_range(value_range, type(self).__name__)
        self._make_generator(seed)

    def _span(self, batch: int, length: int, ratio: jax.Array, seed: Any) -> tuple:
        size = ratio * length
        start = random.uniform((batch,), 0.0, 1.0, self.compute_dtype, seed) * (
            length - size
        )
        return start, start + size

    def _noise(self, shape: tuple, seed: Any) -> jax.Array:
        """Gaussian noise drawn in the input's layout (as Keras), as NHWC."""
        if self.data_format == "channels_last":
            return random.normal(shape, dtype=self.compute_dtype, seed=seed)
        batch, height, width, channels = shape
        noise = random.normal(
            (batch, channels, height, width), dtype=self.compute_dtype, seed=seed
        )
        return jnp.transpose(noise, (0, 2, 3, 1))

    def get_random_transformation(
        self, images: jax.Array, training: bool = True, seed: Any = None
    ) -> Any:
        if not training:
            return None
        seed = seed if seed is not None else self.generator
        batch, height, width = images.shape[:3]
        dtype = self.compute_dtype
        ratio = jnp.sqrt(random.uniform((batch, 2), *self.scale, dtype, seed))
        x0, x1 = self._span(batch, width, ratio[:, 0], seed)
        y0, y1 = self._span(batch, height, ratio[:, 1], seed)
        rows = jnp.arange(height, dtype=dtype)[None, :, None, None]
        cols = jnp.arange(width, dtype=dtype)[None, None, :, None]
        inside = (
            (cols >= x0[:, None, None, None])
            & (cols < x1[:, None, None, None])
            & (rows >= y0[:, None, None, None])
            & (rows < y1[:, None, None, None])
        )
        masks = jnp.broadcast_to(inside, images.shape)
        probability = random.uniform((batch,), *self.factor, seed=seed)
        apply = random.uniform((batch,), 0.0, 1.0, seed=seed) < probability
        if self.fill_value is None:
            fill = self._noise(images.shape, seed) * self.value_range[1]
        else:
            fill = jnp.broadcast_to(jnp.asarray(self.fill_value, dtype), images.shape)
        fill = jnp.clip(fill, self.value_range[0], self.value_range[1])
        return {"apply_erasing": apply, "batch_masks": masks, "fill_value": fill}

    def transform_images(
        self, images: jax.Array, transformation: Any, training: bool = True
    ) -> jax.Array:
        if not training or transformation is None:
            return images
        erased = jnp.where(
            transformation["batch_masks"], transformation["fill_value"], images
        )
        apply = transformation["apply_erasing"][:, None, None, None]
        return jnp.where(apply, erased, images)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "factor": self.factor,
            "scale": self.scale,
            "fill_value": self.fill_value,
            "value_range": self.value_range,
            "seed": self.seed,
        }
