"""``Resizing`` and ``CenterCrop``: images to a fixed height and width."""

from __future__ import annotations

from typing import Any

import jax

from kerax.layers.core._arguments import positive_int
from kerax.layers.preprocessing._image_layer import (
    BaseImagePreprocessingLayer,
    check_choice,
)
from kerax.layers.preprocessing.random_crop import smart_resize
from kerax.ops import image as image_ops
from kerax.registry import register

_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5")


class _FixedSize(BaseImagePreprocessingLayer):
    """An image layer whose output is ``(height, width)``."""

    _USE_BASE_FACTOR = False
    _IDENTITY_AT_INFERENCE = False

    def __init__(
        self, height: int, width: int, data_format: str | None, **kwargs: Any
    ) -> None:
        layer = type(self).__name__
        height = positive_int(height, "height", layer)
        width = positive_int(width, "width", layer)
        super().__init__(data_format=data_format, **kwargs)
        self.height = height
        self.width = width

    def transform_segmentation_masks(
        self, masks: jax.Array, transformation: Any, training: bool = True
    ) -> jax.Array:
        return self.transform_images(masks, transformation, training)

    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = list(input_shape)
        if len(shape) not in (3, 4):
            raise ValueError(
                f"{type(self).__name__}: expected an input shape of rank 3 or 4, "
                f"received {tuple(input_shape)}."
            )
        offset = 0 if self.data_format == "channels_last" else 1
        shape[len(shape) - 3 + offset] = self.height
        shape[len(shape) - 2 + offset] = self.width
        return tuple(shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height": self.height, "width": self.width}


@register("keras.layers")
class Resizing(_FixedSize):
    """Resizes images to ``(height, width)``.

    Integer images stay integers (rounded and clipped); floats are resized in
    the compute dtype.

    Args:
        height: output height.
        width: output width.
        interpolation: ``"bilinear"``, ``"nearest"``, ``"bicubic"``,
            ``"lanczos3"`` or ``"lanczos5"``.
        crop_to_aspect_ratio: first crop the largest centred window with the
            target aspect ratio, so that nothing is stretched.
        pad_to_aspect_ratio: first pad (with ``fill_value``) to the target
            aspect ratio instead.
        fill_mode: padding mode, only ``"constant"``.
        fill_value: padding value.
        antialias: filter when downsampling.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example:
        >>> kerax.layers.Resizing(2, 3)(np.ones((1, 4, 6, 3))).shape
        (1, 2, 3, 3)
    """

    _CAST_TO_COMPUTE_DTYPE = False

    def __init__(
        self,
        height: int,
        width: int,
        interpolation: str = "bilinear",
        crop_to_aspect_ratio: bool = False,
        pad_to_aspect_ratio: bool = False,
        fill_mode: str = "constant",
        fill_value: float = 0.0,
        antialias: bool = False,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        layer = type(self).__name__
        check_choice(interpolation, _INTERPOLATIONS, "interpolation", layer)
        check_choice(fill_mode, ("constant",), "fill_mode", layer)
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError(
                f"{layer}: only one of `crop_to_aspect_ratio` and "
                "`pad_to_aspect_ratio` can be True."
            )
        super().__init__(height, width, data_format, **kwargs)
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)

    def _resize(self, images: jax.Array, interpolation: str) -> jax.Array:
        return image_ops.resize(
            images,
            (self.height, self.width),
            interpolation=interpolation,
            antialias=self.antialias,
            crop_to_aspect_ratio=self.crop_to_aspect_ratio,
            pad_to_aspect_ratio=self.pad_to_aspect_ratio,
            fill_mode=self.fill_mode,
            fill_value=self.fill_value,
            data_format="channels_last",
        )

    def transform_images(
        self, images: jax.Array, transformation: Any, training: bool = True
    ) -> jax.Array:
        return self._resize(images, self.interpolation)

    def transform_segmentation_masks(
        self, masks: jax.Array, transformation: Any, training: bool = True
    ) -> jax.Array:
        return self._resize(masks, "nearest")

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "interpolation": self.interpolation,
            "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
            "pad_to_aspect_ratio": self.pad_to_aspect_ratio,
            "fill_mode": self.fill_mode,
            "fill_value": self.fill_value,
            "antialias": self.antialias,
        }


@register("keras.layers")
class CenterCrop(_FixedSize):
    """Crops the centre ``(height, width)`` window of images.

    An image smaller than the target on either side is instead resized after
    cropping its largest centred window of the target aspect ratio.

    Args:
        height: output height.
        width: output width.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example:
        >>> kerax.layers.CenterCrop(2, 2)(np.ones((1, 4, 6, 3))).shape
        (1, 2, 2, 3)
    """

    def __init__(
        self, height: int, width: int, data_format: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(height, width, data_format, **kwargs)

    def transform_images(
        self, images: jax.Array, transformation: Any, training: bool = True
    ) -> jax.Array:
        in_height, in_width = images.shape[1:3]
        if in_height < self.height or in_width < self.width:
            return smart_resize(images, self.height, self.width)
        top = (in_height - self.height) // 2
        left = (in_width - self.width) // 2
        return images[:, top : top + self.height, left : left + self.width, :]
