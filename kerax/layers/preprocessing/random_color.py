"""Random colour layers: ``RandomGrayscale``, ``RandomHue``,
``RandomSaturation`` and ``RandomInvert`` (identity at inference)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import config, random
from kerax.layers.preprocessing._image_layer import (
    BaseImagePreprocessingLayer,
    check_value_range,
)
from kerax.ops import image as image_ops
from kerax.registry import register


class _ColorLayer(BaseImagePreprocessingLayer):
    """A colour augmentation with ``value_range`` and a seed."""

    _FACTOR_BOUNDS = (0, 1)

    def __init__(
        self,
        factor: Any,
        value_range: Any,
        data_format: str | None,
        seed: int | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(factor=factor, data_format=data_format, **kwargs)
        self.value_range = check_value_range(value_range, type(self).__name__)
        self._make_generator(seed)

    def _draw(self, shape: tuple, low: float, high: float, seed: Any) -> jax.Array:
        return random.uniform(
            shape, low, high, seed=seed if seed is not None else self.generator
        )

    def _to_unit(self, images: jax.Array) -> jax.Array:
        low, high = self.value_range
        return (images - low) / (high - low)

    def _from_unit(self, images: jax.Array) -> jax.Array:
        low, high = self.value_range
        return images * (high - low) + low

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "factor": self.factor,
            "value_range": self.value_range,
            "seed": self.seed,
        }


@register("keras.layers")
class RandomGrayscale(BaseImagePreprocessingLayer):
    """Turns each image to grayscale (kept as 3 channels) with probability
    ``factor`` while training.

    Args:
        factor: the probability, in ``[0, 1]``.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        seed: int seed of the layer's random stream.
    """

    _USE_BASE_FACTOR = False

    def __init__(
        self,
        factor: float = 0.5,
        data_format: str | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        if not 0 <= factor <= 1:
            raise ValueError(
                f"RandomGrayscale: `factor` should be between 0 and 1. "
                f"Received: factor={factor}"
            )
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor
        self._make_generator(seed)

    def get_random_transformation(
        self, images: jax.Array, training: bool = True, seed: Any = None
    ) -> Any:
        if not training:
            return None
        draw = random.uniform(
            (images.shape[0],), seed=seed if seed is not None else self.generator
        )
        return (draw < self.factor)[:, None, None, None]

    def transform_images(
        self, images: jax.Array, transformation: Any, training: bool = True
    ) -> jax.Array:
        if not training or transformation is None:
            return images
        gray = image_ops.rgb_to_grayscale(images, data_format="channels_last")
        return jnp.where(transformation, gray, images)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor}


@register("keras.layers")
class RandomHue(_ColorLayer):
    """Rotates the hue of each image by a random amount while training.

    The hue shift is ``±u / 2`` of a full turn with ``u`` drawn from
    ``[lower, upper]`` of ``factor`` (sign at random).

    Args:
        factor: a number in ``[0, 1]`` (range ``[0, f]``) or a pair.
        value_range: ``(low, high)`` of the pixel values.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        seed: int seed of the layer's random stream.
    """

    def __init__(
        self,
        factor: Any,
        value_range: Any = (0, 255),
        data_format: str | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(factor, value_range, data_format, seed, **kwargs)

    def get_random_transformation(
        self, images: jax.Array, training: bool = True, seed: Any = None
    ) -> Any:
        if not training:
            return None
        batch = images.shape[0]
        seed = seed if seed is not None else self.generator
        sign = jnp.where(self._draw((batch,), 0.0, 1.0, seed) > 0.5, -1.0, 1.0)
        amount = self._draw((batch,), *self.factor, seed)
        return {"factor": sign * amount * 0.5}

    def transform_images(
        self, images: jax.Array, transformation: Any, training: bool = True
    ) -> jax.Array:
        if not training or transformation is None:
            return images
        hsv = image_ops.rgb_to_hsv(self._to_unit(images), data_format="channels_last")
        shift = transformation["factor"].astype(images.dtype)[:, None, None]
        hue = hsv[..., 0] + shift
        hue = jnp.where(hue > 1.0, hue - 1.0, hue)
        hue = jnp.where(hue < 0.0, hue + 1.0, hue)
        hsv = jnp.stack([hue, hsv[..., 1], hsv[..., 2]], axis=-1)
        rgb = jnp.clip(image_ops.hsv_to_rgb(hsv, data_format="channels_last"), 0, 1)
        return self._from_unit(rgb).astype(self.compute_dtype)


@register("keras.layers")
class RandomSaturation(_ColorLayer):
    """Scales the saturation of each image by a random factor while training.

    ``u`` drawn from ``[lower, upper]`` gives the multiplier
    ``u / (1 - u)``: 0 is grayscale, 0.5 no change, 1 full saturation. A
    single number ``f`` means ``[0, f]`` as Keras documents (Keras 3.15's
    code reads it as ``[-f, f]``).

    Args:
        factor: a number in ``[0, 1]`` or a pair.
        value_range: ``(low, high)`` of the pixel values.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        seed: int seed of the layer's random stream.
    """

    def __init__(
        self,
        factor: Any,
        value_range: Any = (0, 255),
        data_format: str | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(factor, value_range, data_format, seed, **kwargs)
        self.value_range = sorted(self.value_range)

    def get_random_transformation(
        self, images: jax.Array, training: bool = True, seed: Any = None
    ) -> Any:
        if not training:
            return None
        amount = self._draw((images.shape[0],), *self.factor, seed)
        return {"factor": amount / (1 - amount + config.epsilon())}

    def transform_images(
        self, images: jax.Array, transformation: Any, training: bool = True
    ) -> jax.Array:
        if not training or transformation is None:
            return images
        hsv = image_ops.rgb_to_hsv(images, data_format="channels_last")
        scale = transformation["factor"].astype(images.dtype)[:, None, None]
        saturation = jnp.clip(hsv[..., 1] * scale, *self.value_range)
        hsv = jnp.stack([hsv[..., 0], saturation, hsv[..., 2]], axis=-1)
        return image_ops.hsv_to_rgb(hsv, data_format="channels_last")


@register("keras.layers")
class RandomInvert(_ColorLayer):
    """Inverts each image (``high - x``) with a random probability drawn from
    ``factor``'s range, while training.

    Args:
        factor: a probability in ``[0, 1]`` (range ``[0, f]``) or a pair.
        value_range: ``(low, high)`` of the pixel values.
        seed: int seed of the layer's random stream.
        data_format: ``"channels_last"`` or ``"channels_first"``.
    """

    def __init__(
        self,
        factor: Any = 1.0,
        value_range: Any = (0, 255),
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(factor, value_range, data_format, seed, **kwargs)

    def get_random_transformation(
        self, images: jax.Array, training: bool = True, seed: Any = None
    ) -> Any:
        if not training:
            return None
        seed = seed if seed is not None else self.generator
        batch = images.shape[0]
        probability = self._draw((batch,), *self.factor, seed)
        return {"apply_inversion": self._draw((batch,), 0.0, 1.0, seed) < probability}

    def transform_images(
        self, images: jax.Array, transformation: Any, training: bool = True
    ) -> jax.Array:
        if not training or transformation is None:
            return images
        flip = transformation["apply_inversion"][:, None, None, None]
        return jnp.where(flip, self.value_range[1] - images, images)
