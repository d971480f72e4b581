"""``smart_resize``: resize images without distorting their aspect ratio."""

from __future__ import annotations

from typing import Any

import jax

from kerax.ops import image as image_ops


def smart_resize(
    x: Any,
    size: Any,
    interpolation: str = "bilinear",
    data_format: str = "channels_last",
    backend_module: Any = None,
) -> jax.Array:
    """Resize an image or a batch to ``size = (height, width)`` after cropping
    the largest centred window with the target aspect ratio.

    ``backend_module`` is accepted for Keras compatibility and ignored.
    """
    if len(size) != 2:
        raise ValueError(
            f"smart_resize: `size` must be (height, width). Received: size={size}"
        )
    return image_ops.resize(
        x,
        tuple(size),
        interpolation=interpolation,
        crop_to_aspect_ratio=True,
        data_format=data_format,
    )
