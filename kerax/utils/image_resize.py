"""Resizing one image with NumPy, numerically as ``kerax.ops.image.resize``.

Data loaders resize every image on the host, in worker threads, where each new
source size would cost a JAX compilation. The resampling here is the separable
one of ``jax.image.resize`` without antialiasing (half-pixel centres, kernel
weights renormalized at the borders), so the loaders give what
``keras.ops.image.resize`` gives on the JAX backend.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5")


def _triangle(x: np.ndarray) -> np.ndarray:
    return np.maximum(0.0, 1.0 - x)


def _keys_cubic(x: np.ndarray) -> np.ndarray:
    near = ((1.5 * x - 2.5) * x) * x + 1.0
    far = ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
    return np.where(x >= 2.0, 0.0, np.where(x >= 1.0, far, near))


def _lanczos(radius: int) -> Callable[[np.ndarray], np.ndarray]:
    def kernel(x: np.ndarray) -> np.ndarray:
        y = radius * np.sin(np.pi * x) * np.sin(np.pi * x / radius)
        safe = np.where(x > 1e-3, np.pi**2 * x**2, 1.0)
        out = np.where(x > 1e-3, y / safe, 1.0)
        return np.where(x > radius, 0.0, out)

    return kernel


_KERNELS = {
    "bilinear": _triangle,
    "bicubic": _keys_cubic,
    "lanczos3": _lanczos(3),
    "lanczos5": _lanczos(5),
}


def _weights(size_in: int, size_out: int, kernel: Callable) -> np.ndarray:
    """The (size_out, size_in) matrix taking input pixels to output pixels."""
    inv_scale = size_in / size_out
    centres = (np.arange(size_out) + 0.5) * inv_scale - 0.5
    weights = kernel(np.abs(centres[:, None] - np.arange(size_in)[None, :]))
    total = weights.sum(axis=1, keepdims=True)
    weights = np.where(
        np.abs(total) > 1000.0 * np.finfo(np.float32).eps,
        weights / np.where(total != 0, total, 1.0),
        0.0,
    )
    inside = (centres >= -0.5) & (centres <= size_in - 0.5)
    return np.where(inside[:, None], weights, 0.0)


def _nearest(size_in: int, size_out: int) -> np.ndarray:
    offsets = (np.arange(size_out, dtype=np.float32) + 0.5) * np.float32(
        size_in / size_out
    )
    return np.floor(offsets).astype(np.int64)


def crop_or_pad_to_aspect(
    image: np.ndarray, size: tuple[int, int], crop: bool, pad: bool
) -> np.ndarray:
    """Centre-crop (or zero-pad) ``image`` (h, w, c) to the aspect ratio of ``size``."""
    height, width = image.shape[:2]
    target_h, target_w = size
    if crop:
        crop_h = max(min(height, int(width * target_h / target_w)), 1)
        crop_w = max(min(width, int(height * target_w / target_h)), 1)
        top, left = int((height - crop_h) / 2), int((width - crop_w) / 2)
        return image[top : top + crop_h, left : left + crop_w]
    if pad:
        top = int((max(height, int(width * target_h / target_w)) - height) / 2)
        left = int((max(width, int(height * target_w / target_h)) - width) / 2)
        return np.pad(image, ((top, top), (left, left), (0, 0)))
    return image


def resize_image(
    image: np.ndarray, size: tuple[int, int], interpolation: str = "bilinear"
) -> np.ndarray:
    """Resize a float image ``(height, width, channels)`` to ``size``."""
    if interpolation not in INTERPOLATIONS:
        raise ValueError(
            f"interpolation must be one of {INTERPOLATIONS}, received "
            f"{interpolation!r}."
        )
    target_h, target_w = size
    height, width = image.shape[:2]
    out = image.astype(np.float32, copy=False)
    if interpolation == "nearest":
        if height != target_h:
            out = out[_nearest(height, target_h)]
        if width != target_w:
            out = out[:, _nearest(width, target_w)]
        return out
    kernel = _KERNELS[interpolation]
    if height != target_h:
        rows = _weights(height, target_h, kernel).astype(np.float32)
        out = np.einsum("oh,hwc->owc", rows, out)
    if width != target_w:
        cols = _weights(width, target_w, kernel).astype(np.float32)
        out = np.einsum("ow,hwc->hoc", cols, out)
    return out
