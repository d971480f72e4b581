"""Shared parts of the affine augmentation layers (rotation, zoom, translation,
shear): fill mode, interpolation, fill value, factor ranges and warping."""

from __future__ import annotations

import functools
from typing import Any

import jax

from kerax.layers.preprocessing._image_layer import (
    BaseImagePreprocessingLayer,
    check_choice,
)
from kerax.ops import image as image_ops

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")


def factor_range(
    factor: Any, name: str, layer: str, low: float, high: float, open_low: bool
) -> tuple:
    """``(lower, upper)`` from a number ``f`` (``[-f, f]``) or a pair, each in
    ``[low, high]`` (``(low, high]`` when ``open_low``)."""

    def check(value: Any) -> None:
        bad_type = isinstance(value, bool) or not isinstance(value, (int, float))
        below = value <= low if open_low else value < low
        if bad_type or below or value > high:
            interval = f"({low}, {high}]" if open_low else f"[{low}, {high}]"
            raise ValueError(
                f"{layer}: `{name}` must be a number or a pair of numbers in "
                f"{interval}. Received: {name}={factor!r}"
            )

    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(
                f"{layer}: `{name}` must be a number or a pair of numbers. "
                f"Received: {name}={factor!r}"
            )
        check(factor[0])
        check(factor[1])
        lower, upper = sorted(factor)
        return lower, upper
    check(factor)
    return -abs(factor), abs(factor)


@functools.partial(
    jax.jit, static_argnames=("fill_value", "interpolation", "fill_mode")
)
def warp(
    images: jax.Array,
    transforms: jax.Array,
    fill_value: Any,
    interpolation: str,
    fill_mode: str,
) -> jax.Array:
    """Sample an NHWC batch through per-image ``(N, 8)`` transforms (compiled
    once per shape, so eager calls are fast too)."""
    return image_ops.affine_transform(
        images,
        transforms,
        interpolation=interpolation,
        fill_mode=fill_mode,
        fill_value=fill_value,
        data_format="channels_last",
    )


class AffineAugmentationLayer(BaseImagePreprocessingLayer):
    """An augmentation layer that warps images by per-image affine transforms.

    Subclasses return ``{"transforms": (N, 8)}`` from
    ``get_random_transformation``; segmentation masks move with the images
    (nearest-neighbour sampling).
    """

    _USE_BASE_FACTOR = False

    def __init__(
        self,
        fill_mode: str,
        interpolation: str,
        seed: int | None,
        fill_value: float,
        data_format: str | None,
        **kwargs: Any,
    ) -> None:
        layer = type(self).__name__
        check_choice(fill_mode, FILL_MODES, "fill_mode", layer)
        check_choice(interpolation, INTERPOLATIONS, "interpolation", layer)
        super().__init__(data_format=data_format, **kwargs)
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.fill_value = fill_value
        self._make_generator(seed)

    def _warp(self, images: jax.Array, transformation: Any, interpolation: str):
        return warp(
            images,
            transformation["transforms"],
            self.fill_value,
            interpolation=interpolation,
            fill_mode=self.fill_mode,
        )

    def transform_images(
        self, images: jax.Array, transformation: Any, training: bool = True
    ) -> jax.Array:
        if not training or transformation is None:
            return images
        return self._warp(images, transformation, self.interpolation)

    def transform_segmentation_masks(
        self, masks: jax.Array, transformation: Any, training: bool = True
    ) -> jax.Array:
        if not training or transformation is None:
            return masks
        return self._warp(masks, transformation, "nearest")

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "fill_mode": self.fill_mode,
            "interpolation": self.interpolation,
            "seed": self.seed,
            "fill_value": self.fill_value,
        }
