"""Images as files, Pillow images and arrays: load_img, save_img and conversions.

Pillow is an optional dependency (``pip install pillow``); these functions say
so when it is missing.
"""

from __future__ import annotations

import io
import os
import pathlib
import warnings
from typing import Any

import numpy as np

from kerax import config

COLOR_MODES = {"grayscale": 1, "rgb": 3, "rgba": 4}


def pil_image() -> Any:
    """The ``PIL.Image`` module, or an ImportError that says how to get it."""
    try:
        from PIL import Image
    except ImportError as error:
        raise ImportError(
            "Loading and saving images needs Pillow: `pip install pillow`."
        ) from error
    return Image


def _resample_filters() -> dict[str, Any]:
    resampling = pil_image().Resampling
    return {
        "nearest": resampling.NEAREST,
        "bilinear": resampling.BILINEAR,
        "bicubic": resampling.BICUBIC,
        "hamming": resampling.HAMMING,
        "box": resampling.BOX,
        "lanczos": resampling.LANCZOS,
    }


def standardize_data_format(data_format: str | None) -> str:
    """``data_format``, or the global ``image_data_format()`` when None (checked)."""
    data_format = data_format or config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            "data_format must be 'channels_last' or 'channels_first', received "
            f"{data_format!r}."
        )
    return data_format


def to_color_mode(image: Any, color_mode: str) -> Any:
    """``image`` converted to ``"grayscale"``, ``"rgb"`` or ``"rgba"``."""
    if color_mode == "grayscale":
        return image if image.mode in ("L", "I;16", "I") else image.convert("L")
    if color_mode in ("rgb", "rgba"):
        mode = color_mode.upper()
        return image if image.mode == mode else image.convert(mode)
    raise ValueError(
        f'color_mode must be "grayscale", "rgb" or "rgba", received {color_mode!r}.'
    )


def load_img(
    path: Any,
    color_mode: str = "rgb",
    target_size: tuple[int, int] | None = None,
    interpolation: str = "nearest",
    keep_aspect_ratio: bool = False,
) -> Any:
    """Load an image file as a Pillow image.

    Args:
        path: A path (str, bytes, ``pathlib.Path``) or an ``io.BytesIO``.
        color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"``.
        target_size: ``(height, width)`` to resize to, or None.
        interpolation: Pillow filter for resizing: ``"nearest"``,
            ``"bilinear"``, ``"bicubic"``, ``"hamming"``, ``"box"``, ``"lanczos"``.
        keep_aspect_ratio: Centre-crop to the target aspect ratio before
            resizing.
    """
    image_module = pil_image()
    if isinstance(path, io.BytesIO):
        image = image_module.open(path)
    elif isinstance(path, (str, bytes, os.PathLike)):
        with open(os.fsdecode(path), "rb") as file:
            image = image_module.open(io.BytesIO(file.read()))
    else:
        raise TypeError(
            f"load_img: path must be a path or an io.BytesIO, received "
            f"{type(path).__name__}."
        )
    image = to_color_mode(image, color_mode)
    if target_size is None:
        return image
    size = (int(target_size[1]), int(target_size[0]))
    if image.size == size:
        return image
    filters = _resample_filters()
    if interpolation not in filters:
        raise ValueError(
            f"load_img: interpolation must be one of {sorted(filters)}, received "
            f"{interpolation!r}."
        )
    box = None
    if keep_aspect_ratio:
        width, height = image.size
        crop_h = min(height, (width * size[1]) // size[0])
        crop_w = min(width, (height * size[0]) // size[1])
        top, left = (height - crop_h) // 2, (width - crop_w) // 2
        box = (left, top, left + crop_w, top + crop_h)
    return image.resize(size, filters[interpolation], box=box)


def img_to_array(
    img: Any, data_format: str | None = None, dtype: Any = None
) -> np.ndarray:
    """A Pillow image as a 3-D array (height, width, channels), channels last
    unless ``data_format`` says otherwise; ``dtype`` defaults to floatx."""
    data_format = standardize_data_format(data_format)
    array = np.asarray(img, dtype=dtype or config.floatx())
    if array.ndim == 2:
        array = array[:, :, None]
    elif array.ndim != 3:
        raise ValueError(f"img_to_array: unsupported image shape {array.shape}.")
    return array.transpose(2, 0, 1) if data_format == "channels_first" else array


def array_to_img(
    x: Any, data_format: str | None = None, scale: bool = True, dtype: Any = None
) -> Any:
    """A 3-D array as a Pillow image (1, 3 or 4 channels).

    With ``scale`` the values are stretched to 0..255 first.
    """
    image_module = pil_image()
    data_format = standardize_data_format(data_format)
    array = np.array(x, dtype=dtype or config.floatx())
    if array.ndim != 3:
        raise ValueError(
            f"array_to_img expects one image of rank 3, received shape {array.shape}."
        )
    if data_format == "channels_first":
        array = array.transpose(1, 2, 0)
    if scale:
        array = array - np.min(array)
        peak = np.max(array)
        if peak != 0:
            array /= peak
        array *= 255
    channels = array.shape[2]
    if channels in (3, 4):
        return image_module.fromarray(array.astype("uint8"), "RGBA"[:channels])
    if channels == 1:
        if np.max(array) > 255:
            return image_module.fromarray(array[:, :, 0].astype("int32"), "I")
        return image_module.fromarray(array[:, :, 0].astype("uint8"), "L")
    raise ValueError(
        f"array_to_img: images need 1, 3 or 4 channels, received {channels}."
    )


def save_img(
    path: Any,
    x: Any,
    data_format: str | None = None,
    file_format: str | None = None,
    scale: bool = True,
    **kwargs: Any,
) -> None:
    """Save an image array to ``path`` (format from the suffix unless given);
    extra keyword arguments go to Pillow's ``Image.save``."""
    if file_format is None and isinstance(path, (str, pathlib.Path)):
        file_format = pathlib.Path(path).suffix[1:].lower() or None
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    image = array_to_img(x, data_format=data_format, scale=scale)
    if image.mode == "RGBA" and file_format == "jpeg":
        warnings.warn(
            "The JPEG format does not support RGBA images, converting to RGB.",
            stacklevel=2,
        )
        image = image.convert("RGB")
    image.save(path, format=file_format, **kwargs)
