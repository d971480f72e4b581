"""``RandomCrop``: crops a random window while training, the centre at
inference."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import random
from kerax.layers.core._arguments import positive_int
from kerax.layers.preprocessing._image_layer import BaseImagePreprocessingLayer
from kerax.ops import image as image_ops
from kerax.random.seed_generator import make_default_seed
from kerax.registry import register


def smart_resize(images: jax.Array, height: int, width: int) -> jax.Array:
    """Resize an NHWC batch to ``(height, width)`` after cropping its centre to
    the target aspect ratio (the largest such window)."""
    if images.shape[1:3] == (height, width):
        return images
    return image_ops.resize(
        images,
        (height, width),
        crop_to_aspect_ratio=True,
        data_format="channels_last",
    )


@register("keras.layers")
class RandomCrop(BaseImagePreprocessingLayer):
    """Crops every image of a batch to ``(height, width)``.

    While training, one random window (the same for the whole batch) is cut
    out. At inference, and while training on images smaller than the target,
    the largest centred window of the target aspect ratio is resized to
    ``(height, width)``, as Keras documents it (Keras 3.15 itself returns
    the input unchanged at inference; see ``docs/differences.md``).

    Args:
        height: output height.
        width: output width.
        seed: int seed; drawn at random when None (and kept in the config).
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example:
        >>> layer = kerax.layers.RandomCrop(4, 4, seed=1)
        >>> layer(np.ones((2, 8, 6, 3)), training=True).shape
        (2, 4, 4, 3)
    """

    _USE_BASE_FACTOR = False
    _IDENTITY_AT_INFERENCE = False

    def __init__(
        self,
        height: int,
        width: int,
        seed: int | None = None,
        data_format: str | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        layer = type(self).__name__
        height = positive_int(height, "height", layer)
        width = positive_int(width, "width", layer)
        super().__init__(data_format=data_format, name=name, **kwargs)
        self.height = height
        self.width = width
        self._make_generator(seed if seed is not None else make_default_seed())

    def get_random_transformation(
        self, images: jax.Array, training: bool = True, seed: Any = None
    ) -> Any:
        in_height, in_width = images.shape[1:3]
        if not (training and in_height >= self.height and in_width >= self.width):
            return None
        seed = seed if seed is not None else self.generator
        top = random.uniform((), 0.0, float(in_height - self.height + 1), seed=seed)
        left = random.uniform((), 0.0, float(in_width - self.width + 1), seed=seed)
        return {"top": top.astype("int32"), "left": left.astype("int32")}

    def transform_images(
        self, images: jax.Array, transformation: Any, training: bool = True
    ) -> jax.Array:
        if transformation is None:
            return smart_resize(images, self.height, self.width)
        zero = jnp.zeros((), "int32")
        start = (zero, transformation["top"], transformation["left"], zero)
        size = (images.shape[0], self.height, self.width, images.shape[3])
        return jax.lax.dynamic_slice(images, start, size)

    def transform_segmentation_masks(
        self, masks: jax.Array, transformation: Any, training: bool = True
    ) -> jax.Array:
        return self.transform_images(masks, transformation, training)

    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = list(input_shape)
        offset = 0 if self.data_format == "channels_last" else 1
        shape[len(shape) - 3 + offset] = self.height
        shape[len(shape) - 2 + offset] = self.width
        return tuple(shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "height": self.height,
            "width": self.width,
            "seed": self.seed,
        }
