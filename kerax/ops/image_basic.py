"""Image resizing, cropping, padding, colour conversion and patch extraction.

Images are ``(H, W, C)`` or batched ``(N, H, W, C)`` (``channels_last``), or
the ``channels_first`` equivalents.
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp

from kerax.autodiff.recording import op
from kerax.ops._utils import is_float, tensor, to_float
from kerax.ops.nn_conv import data_format_arg, padding_arg, tuple_arg

_RESIZE_METHODS = {
    "bilinear": "linear",
    "nearest": "nearest",
    "lanczos3": "lanczos3",
    "lanczos5": "lanczos5",
    "bicubic": "cubic",
}


def as_batch(images: Any, data_format: str | None, name: str) -> tuple:
    """Images as a channels-last batch, and a function that undoes the change."""
    images = tensor(images)
    data_format = data_format_arg(data_format)
    if images.ndim not in (3, 4):
        raise ValueError(
            f"{name} expects a 3-D image or a 4-D batch of images, received shape "
            f"{images.shape}."
        )
    unbatched = images.ndim == 3
    x = images[None] if unbatched else images
    if data_format == "channels_first":
        x = jnp.transpose(x, (0, 2, 3, 1))

    def restore(y: jax.Array) -> jax.Array:
        if data_format == "channels_first":
            y = jnp.transpose(y, (0, 3, 1, 2))
        return y[0] if unbatched else y

    return x, restore


@op
def resize(
    images: Any,
    size: Any,
    interpolation: str = "bilinear",
    antialias: bool = False,
    crop_to_aspect_ratio: bool = False,
    pad_to_aspect_ratio: bool = False,
    fill_mode: str = "constant",
    fill_value: float = 0.0,
    data_format: str | None = None,
) -> jax.Array:
    """Resize to ``size = (height, width)``, optionally keeping the aspect ratio
    by center-cropping or by padding with ``fill_value``."""
    if interpolation not in _RESIZE_METHODS:
        raise ValueError(
            f"resize: unknown interpolation {interpolation!r}. Expected one of "
            f"{tuple(_RESIZE_METHODS)}."
        )
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(
            "resize: only one of crop_to_aspect_ratio and pad_to_aspect_ratio can be True."
        )
    if fill_mode != "constant":
        raise ValueError(
            f"resize: only fill_mode='constant' is supported, received {fill_mode!r}."
        )
    target_h, target_w = tuple_arg(size, 2, "size")
    x, restore = as_batch(images, data_format, "resize")
    height, width = x.shape[1], x.shape[2]
    if crop_to_aspect_ratio:
        crop_h = max(min(height, int(width * target_h / target_w)), 1)
        crop_w = max(min(width, int(height * target_w / target_h)), 1)
        top, left = int((height - crop_h) / 2), int((width - crop_w) / 2)
        x = x[:, top : top + crop_h, left : left + crop_w, :]
    elif pad_to_aspect_ratio:
        # The same padding on both sides (an odd remainder is dropped), as Keras.
        top = (max(height, int(width * target_h / target_w)) - height) // 2
        left = (max(width, int(height * target_w / target_h)) - width) // 2
        x = jnp.pad(
            x,
            ((0, 0), (top, top), (left, left), (0, 0)),
            constant_values=jnp.asarray(fill_value, x.dtype),
        )
    shape = (x.shape[0], target_h, target_w, x.shape[3])
    out = jax.image.resize(
        to_float(x), shape, method=_RESIZE_METHODS[interpolation], antialias=antialias
    )
    if x.dtype == jnp.bool_:
        out = jnp.round(out).astype(x.dtype)
    elif not is_float(x.dtype):
        info = jnp.iinfo(x.dtype)
        out = jnp.clip(jnp.round(out), info.min, info.max).astype(x.dtype)
    return restore(out)


def _check_two(values: tuple, names: tuple) -> None:
    if sum(v is not None for v in values) != 2:
        received = ", ".join(f"{n}={v}" for n, v in zip(names, values))
        raise ValueError(
            f"Must specify exactly two of {', '.join(names)}. Received: {received}."
        )


def _crop_box(start: Any, end: Any, target: Any, size: int, names: tuple) -> tuple:
    """(start, length) of a crop from two of start, end cropping and target size."""
    _check_two((start, end, target), names)
    if target is None:
        return start, size - start - end
    if start is None:
        return size - end - target, target
    return start, target


def _pad_amounts(start: Any, end: Any, target: Any, size: int, names: tuple) -> tuple:
    """(before, after) padding from two of start, end padding and target size."""
    _check_two((start, end, target), names)
    if target is None:
        return start, end
    if start is None:
        return target - size - end, end
    return start, target - size - start


@op
def crop_images(
    images: Any,
    top_cropping: int | None = None,
    left_cropping: int | None = None,
    bottom_cropping: int | None = None,
    right_cropping: int | None = None,
    target_height: int | None = None,
    target_width: int | None = None,
    data_format: str | None = None,
) -> jax.Array:
    """Crop a box; per axis give exactly two of (start, end cropping, target size)."""
    x, restore = as_batch(images, data_format, "crop_images")
    top, height = _crop_box(
        top_cropping,
        bottom_cropping,
        target_height,
        x.shape[1],
        ("top_cropping", "bottom_cropping", "target_height"),
    )
    left, width = _crop_box(
        left_cropping,
        right_cropping,
        target_width,
        x.shape[2],
        ("left_cropping", "right_cropping", "target_width"),
    )
    if top < 0 or left < 0 or height <= 0 or width <= 0:
        raise ValueError(
            f"crop_images: the crop box (top={top}, left={left}, height={height}, "
            f"width={width}) does not fit images of size {x.shape[1:3]}."
        )
    return restore(x[:, top : top + height, left : left + width, :])


@op
def pad_images(
    images: Any,
    top_padding: int | None = None,
    left_padding: int | None = None,
    bottom_padding: int | None = None,
    right_padding: int | None = None,
    target_height: int | None = None,
    target_width: int | None = None,
    data_format: str | None = None,
) -> jax.Array:
    """Pad with zeros; per axis give exactly two of (start, end padding, target size)."""
    x, restore = as_batch(images, data_format, "pad_images")
    top, bottom = _pad_amounts(
        top_padding,
        bottom_padding,
        target_height,
        x.shape[1],
        ("top_padding", "bottom_padding", "target_height"),
    )
    left, right = _pad_amounts(
        left_padding,
        right_padding,
        target_width,
        x.shape[2],
        ("left_padding", "right_padding", "target_width"),
    )
    if min(top, bottom, left, right) < 0:
        raise ValueError(
            f"pad_images: the padding (top={top}, bottom={bottom}, left={left}, "
            f"right={right}) must not be negative."
        )
    return restore(jnp.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0))))


@op
def rgb_to_grayscale(images: Any, data_format: str | None = None) -> jax.Array:
    """Luma ``0.2989 R + 0.5870 G + 0.1140 B``, keeping a channel axis of size 1."""
    x, restore = as_batch(images, data_format, "rgb_to_grayscale")
    values = to_float(x)
    weights = jnp.asarray([[[[0.2989, 0.5870, 0.1140]]]], values.dtype)
    gray = jnp.sum(values * weights, axis=-1, keepdims=True)
    return restore(gray.astype(x.dtype))


def _float_images(images: Any, data_format: str | None, name: str) -> tuple:
    x, restore = as_batch(images, data_format, name)
    if not is_float(x.dtype):
        raise ValueError(
            f"Invalid images dtype: expected float dtype. Received: images.dtype={x.dtype}"
        )
    return x, restore


@op
def rgb_to_hsv(images: Any, data_format: str | None = None) -> jax.Array:
    """RGB in [0, 1] to hue, saturation, value, each in [0, 1]."""
    x, restore = _float_images(images, data_format, "rgb_to_hsv")
    return restore(_rgb_to_hsv(x))


@jax.jit
def _rgb_to_hsv(x: jax.Array) -> jax.Array:
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    value = jnp.max(x, axis=-1)
    spread = value - jnp.min(x, axis=-1)
    saturation = jnp.where(value > 0, spread / jnp.where(value > 0, value, 1), 0.0)
    safe = jnp.where(spread > 0, spread, 1)
    hue = jnp.where(value == g, (b - r) / safe / 6 + 2 / 6, (r - g) / safe / 6 + 4 / 6)
    hue = jnp.where(value == r, (g - b) / safe / 6, hue)
    hue = jnp.where(spread > 0, hue, 0.0)
    hue = jnp.where(hue < 0, hue + 1, hue)
    return jnp.stack([hue, saturation, value], axis=-1).astype(x.dtype)


@op
def hsv_to_rgb(images: Any, data_format: str | None = None) -> jax.Array:
    """Hue, saturation, value in [0, 1] to RGB."""
    x, restore = _float_images(images, data_format, "hsv_to_rgb")
    return restore(_hsv_to_rgb(x))


@jax.jit
def _hsv_to_rgb(x: jax.Array) -> jax.Array:
    hue, saturation, value = x[..., 0], x[..., 1], x[..., 2]
    sector = (hue % 1.0) * 6.0
    red = jnp.clip(jnp.abs(sector - 3.0) - 1.0, 0.0, 1.0)
    green = jnp.clip(2.0 - jnp.abs(sector - 2.0), 0.0, 1.0)
    blue = jnp.clip(2.0 - jnp.abs(sector - 4.0), 0.0, 1.0)
    rgb = jnp.stack([red, green, blue], axis=-1)
    out = ((1.0 - saturation)[..., None] + saturation[..., None] * rgb) * value[
        ..., None
    ]
    return out.astype(x.dtype)


def _patches(
    x: jax.Array, size: tuple, strides: Any, dilation_rate: Any, padding: str
) -> jax.Array:
    """Channels-last patches with features ordered (*size, channels)."""
    n = len(size)
    strides = size if strides is None else tuple_arg(strides, n, "strides")
    dilation = tuple_arg(dilation_rate, n, "dilation_rate")
    return _compiled_patches(x, size, strides, dilation, padding_arg(padding).upper())


@functools.partial(jax.jit, static_argnums=(1, 2, 3, 4))
def _compiled_patches(
    x: jax.Array, size: tuple, strides: tuple, dilation: tuple, padding: str
) -> jax.Array:
    spatial = "DHW"[-len(size) :]
    patches = jax.lax.conv_general_dilated_patches(
        x,
        filter_shape=size,
        window_strides=strides,
        padding=padding,
        rhs_dilation=dilation,
        dimension_numbers=("N" + spatial + "C", spatial + "IO", "N" + spatial + "C"),
    )
    channels = x.shape[-1]
    grid = patches.shape[:-1]
    patches = patches.reshape(grid + (channels, -1))
    return jnp.swapaxes(patches, -1, -2).reshape(grid + (-1,))


@op
def extract_patches(
    images: Any,
    size: Any,
    strides: Any = None,
    dilation_rate: Any = 1,
    padding: str = "valid",
    data_format: str | None = None,
) -> jax.Array:
    """Patches of ``size`` as feature vectors: ``(N, rows, cols, ph * pw * C)``.

    A 3-tuple ``size`` extracts volume patches (see ``extract_patches_3d``).
    """
    if not isinstance(size, int) and len(size) == 3:
        return extract_patches_3d.__kerax_op__(
            images, size, strides, dilation_rate, padding, data_format
        )
    x, restore = as_batch(images, data_format, "extract_patches")
    size = tuple_arg(size, 2, "size")
    return restore(_patches(x, size, strides, dilation_rate, padding))


@op
def extract_patches_3d(
    volumes: Any,
    size: Any,
    strides: Any = None,
    dilation_rate: Any = 1,
    padding: str = "valid",
    data_format: str | None = None,
) -> jax.Array:
    """Volume patches as feature vectors: ``(N, d, h, w, pd * ph * pw * C)``."""
    x = tensor(volumes)
    if x.ndim not in (4, 5):
        raise ValueError(
            f"extract_patches_3d expects a 4-D volume or 5-D batch, received {x.shape}."
        )
    unbatched = x.ndim == 4
    x = x[None] if unbatched else x
    channels_first = data_format_arg(data_format) == "channels_first"
    if channels_first:
        x = jnp.moveaxis(x, 1, -1)
    out = _patches(x, tuple_arg(size, 3, "size"), strides, dilation_rate, padding)
    if channels_first:
        out = jnp.moveaxis(out, -1, 1)
    return out[0] if unbatched else out
