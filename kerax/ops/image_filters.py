"""Image filters: Gaussian blur, Sobel edges and SSIM."""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp

from kerax.autodiff.recording import op
from kerax.ops._utils import tensor, to_float
from kerax.ops.image_basic import as_batch
from kerax.ops.nn_conv import tuple_arg


def gaussian_kernel_1d(size: int, sigma: Any, dtype: Any = "float32") -> jax.Array:
    """A normalized 1-D Gaussian of ``size`` taps centred on the middle."""
    positions = jnp.arange(size, dtype=dtype) - (size - 1) / 2.0
    weights = jnp.exp(-0.5 * jnp.square(positions / sigma))
    return weights / jnp.sum(weights)


def _depthwise(images: jax.Array, kernel: jax.Array, padding: Any) -> jax.Array:
    """Filter every channel of NHWC ``images`` with the 2-D ``kernel``."""
    channels = images.shape[-1]
    weights = jnp.broadcast_to(kernel[:, :, None, None], kernel.shape + (1, channels))
    return jax.lax.conv_general_dilated(
        images,
        weights.astype(images.dtype),
        window_strides=(1, 1),
        padding=padding,
        dimension_numbers=("NHWC", "HWIO", "NHWC"),
        feature_group_count=channels,
    )


@functools.partial(jax.jit, static_argnums=(1, 2, 3))
def gaussian_filter_2d(
    images: jax.Array, size: Any, sigma: tuple[float, float], padding: Any = "SAME"
) -> jax.Array:
    """Gaussian-smooth NHWC float ``images`` (zero padding by default)."""
    sizes = tuple_arg(size, 2, "kernel_size")
    rows = gaussian_kernel_1d(sizes[0], sigma[0], images.dtype)
    cols = gaussian_kernel_1d(sizes[1], sigma[1], images.dtype)
    return _depthwise(images, jnp.outer(rows, cols), padding)


@op
def gaussian_blur(
    images: Any,
    kernel_size: Any = (3, 3),
    sigma: Any = (1.0, 1.0),
    data_format: str | None = None,
) -> jax.Array:
    """Blur with a Gaussian of ``kernel_size = (height, width)`` taps and standard
    deviations ``sigma = (height, width)``; zero padding keeps the size."""
    x, restore = as_batch(images, data_format, "gaussian_blur")
    if isinstance(sigma, (int, float)):
        sigma = (sigma, sigma)
    if len(sigma) != 2:
        raise ValueError(
            f"gaussian_blur: `sigma` must have 2 values, received {sigma}."
        )
    sizes = tuple_arg(kernel_size, 2, "kernel_size")
    blurred = gaussian_filter_2d(to_float(x), sizes, tuple(float(v) for v in sigma))
    return restore(blurred.astype(x.dtype))


@op
def sobel_edges(images: Any, data_format: str | None = None) -> jax.Array:
    """Sobel gradients ``[dy, dx]`` per channel, on a new last axis (zero padding)."""
    x, restore = as_batch(images, data_format, "sobel_edges")
    if x.ndim != 4 or tensor(images).ndim != 4:
        raise ValueError(
            f"sobel_edges expects a 4-D batch of images, received {tensor(images).shape}."
        )
    x = to_float(x)
    vertical = jnp.asarray([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], x.dtype)
    dy = _depthwise(x, vertical, "SAME")
    dx = _depthwise(x, vertical.T, "SAME")
    edges = jnp.stack([restore(dy), restore(dx)], axis=-1)
    return edges


@op
def ssim(
    image1: Any,
    image2: Any,
    max_val: float = 1.0,
    filter_size: int = 11,
    filter_sigma: float = 1.5,
    k1: float = 0.01,
    k2: float = 0.03,
    data_format: str | None = None,
) -> jax.Array:
    """Structural similarity per image (mean over pixels and channels).

    Local statistics use a ``filter_size`` Gaussian window (valid positions only).
    """
    if filter_size < 1 or filter_size % 2 == 0:
        raise ValueError(
            f"ssim: `filter_size` must be an odd int >= 1, received {filter_size}."
        )
    if tensor(image1).shape != tensor(image2).shape:
        raise ValueError(
            f"ssim: images must have the same shape, received {tensor(image1).shape} "
            f"and {tensor(image2).shape}."
        )
    unbatched = tensor(image1).ndim == 3
    x, _ = as_batch(image1, data_format, "ssim")
    y, _ = as_batch(image2, data_format, "ssim")
    x, y = to_float(x), to_float(y).astype(to_float(x).dtype)
    score = _ssim(x, y, max_val, filter_size, filter_sigma, k1, k2)
    return score[0] if unbatched else score


@functools.partial(jax.jit, static_argnums=(3, 4))
def _ssim(
    x: jax.Array,
    y: jax.Array,
    max_val: Any,
    filter_size: int,
    filter_sigma: float,
    k1: Any,
    k2: Any,
) -> jax.Array:
    def local_mean(z: jax.Array) -> jax.Array:
        return gaussian_filter_2d(z, filter_size, (filter_sigma, filter_sigma), "VALID")

    c1 = (k1 * max_val) ** 2
    c2 = (k2 * max_val) ** 2
    mean_x, mean_y = local_mean(x), local_mean(y)
    var_x = local_mean(x * x) - mean_x * mean_x
    var_y = local_mean(y * y) - mean_y * mean_y
    covariance = local_mean(x * y) - mean_x * mean_y
    luminance = (2 * mean_x * mean_y + c1) / (mean_x**2 + mean_y**2 + c1)
    contrast = (2 * covariance + c2) / (var_x + var_y + c2)
    return jnp.mean(luminance * contrast, axis=(1, 2, 3))
