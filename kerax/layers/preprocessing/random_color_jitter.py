"""``RandomColorJitter``: random brightness, contrast, saturation and hue."""

from __future__ import annotations

from typing import Any

import jax

from kerax.layers.preprocessing._image_layer import BaseImagePreprocessingLayer
from kerax.layers.preprocessing.random_brightness import RandomBrightness
from kerax.layers.preprocessing.random_color import RandomHue, RandomSaturation
from kerax.layers.preprocessing.random_contrast import RandomContrast
from kerax.registry import register


@register("keras.layers")
class RandomColorJitter(BaseImagePreprocessingLayer):
    """Applies, in order, random brightness, contrast, saturation and hue
    changes (each only if its factor is given) while training.

    All draws come from this layer's seed; the factors mean what they mean
    for ``RandomBrightness``, ``RandomContrast``, ``RandomSaturation`` and
    ``RandomHue``.

    Args:
        value_range: ``(low, high)`` of the pixel values.
        brightness_factor: see ``RandomBrightness``.
        contrast_factor: see ``RandomContrast``.
        saturation_factor: see ``RandomSaturation``.
        hue_factor: see ``RandomHue``.
        seed: int seed of the layer's random stream.
        data_format: ``"channels_last"`` or ``"channels_first"``.
    """

    _USE_BASE_FACTOR = False

    def __init__(
        self,
        value_range: Any = (0, 255),
        brightness_factor: Any = None,
        contrast_factor: Any = None,
        saturation_factor: Any = None,
        hue_factor: Any = None,
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range
        self.brightness_factor = brightness_factor
        self.contrast_factor = contrast_factor
        self.saturation_factor = saturation_factor
        self.hue_factor = hue_factor
        self._make_generator(seed)
        steps = [
            (RandomBrightness, brightness_factor),
            (RandomContrast, contrast_factor),
            (RandomSaturation, saturation_factor),
            (RandomHue, hue_factor),
        ]
        self._steps = [
            kind(factor=factor, value_range=value_range, seed=seed)
            for kind, factor in steps
            if factor is not None
        ]

    def transform_images(
        self, images: jax.Array, transformation: Any, training: bool = True
    ) -> jax.Array:
        if not training:
            return images
        for step in self._steps:
            params = step.get_random_transformation(images, seed=self.generator)
            images = step.transform_images(images, params).astype(self.compute_dtype)
        return images

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "value_range": self.value_range,
            "brightness_factor": self.brightness_factor,
            "contrast_factor": self.contrast_factor,
            "saturation_factor": self.saturation_factor,
            "hue_factor": self.hue_factor,
            "seed": self.seed,
        }
