"""Geometric image transforms: coordinate mapping, affine, perspective, elastic."""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
import jax.scipy.ndimage as ndimage

from kerax.autodiff.recording import op
from kerax.ops._utils import is_float, tensor, to_float
from kerax.ops.image_basic import as_batch
from kerax.ops.image_filters import gaussian_filter_2d

_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")
_INTERPOLATIONS = {"nearest": 0, "bilinear": 1}


def _fill_mode(fill_mode: str) -> str:
    if fill_mode not in _FILL_MODES:
        raise ValueError(
            f"Unknown fill_mode {fill_mode!r}. Expected one of {_FILL_MODES}."
        )
    return fill_mode


def _order(interpolation: str) -> int:
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(
            f"Unknown interpolation {interpolation!r}. Expected one of "
            f"{tuple(_INTERPOLATIONS)}."
        )
    return _INTERPOLATIONS[interpolation]


@op
def map_coordinates(
    inputs: Any,
    coordinates: Any,
    order: int,
    fill_mode: str = "constant",
    fill_value: Any = 0,
) -> jax.Array:
    """Sample ``inputs`` at ``coordinates`` (one array per input axis).

    ``order`` 0 is nearest-neighbour, 1 is linear; ``fill_mode`` extends the
    input beyond its edges (constant, nearest, wrap, mirror, reflect).
    """
    inputs = tensor(inputs)
    coordinates = [to_float(tensor(c)) for c in coordinates]
    if len(coordinates) != inputs.ndim:
        raise ValueError(
            f"map_coordinates: give one coordinate array per input axis "
            f"({inputs.ndim}), received {len(coordinates)}."
        )
    if order not in (0, 1):
        raise ValueError(f"map_coordinates: `order` must be 0 or 1, received {order}.")
    return _map_coordinates(
        inputs, coordinates, order, _fill_mode(fill_mode), fill_value
    )


@functools.partial(jax.jit, static_argnums=(2, 3, 4))
def _map_coordinates(
    inputs: jax.Array, coordinates: list, order: int, mode: str, cval: Any
) -> jax.Array:
    return ndimage.map_coordinates(inputs, coordinates, order, mode=mode, cval=cval)


def _sample(
    image: jax.Array, rows: jax.Array, cols: jax.Array, order: int, mode: str, cval: Any
) -> jax.Array:
    """Sample every channel of an ``(H, W, C)`` image at ``(rows, cols)``."""
    source = to_float(image)

    def one_channel(channel: jax.Array) -> jax.Array:
        return ndimage.map_coordinates(
            channel, [rows, cols], order, mode=mode, cval=cval
        )

    out = jax.vmap(one_channel, in_axes=-1, out_axes=-1)(source)
    return out if is_float(image.dtype) else jnp.round(out).astype(image.dtype)


@functools.partial(jax.jit, static_argnums=(2, 3, 4))
def _projective(
    images: jax.Array, transforms: jax.Array, order: int, mode: str, cval: Any
) -> jax.Array:
    """Apply per-image projective transforms (output -> input coordinates)."""
    height, width = images.shape[1], images.shape[2]
    rows, cols = jnp.meshgrid(
        jnp.arange(height, dtype="float32"),
        jnp.arange(width, dtype="float32"),
        indexing="ij",
    )

    def one(image: jax.Array, t: jax.Array) -> jax.Array:
        k = t[6] * cols + t[7] * rows + 1.0
        src_cols = (t[0] * cols + t[1] * rows + t[2]) / k
        src_rows = (t[3] * cols + t[4] * rows + t[5]) / k
        return _sample(image, src_rows, src_cols, order, mode, cval)

    return jax.vmap(one)(images, transforms.astype("float32"))


def _transforms(transform: Any, batch: int, name: str) -> jax.Array:
    transform = tensor(transform)
    if transform.ndim == 1:
        transform = transform[None]
    if transform.ndim != 2 or transform.shape[1] != 8:
        raise ValueError(
            f"{name}: `transform` must have shape (8,) or (N, 8), received "
            f"{transform.shape}."
        )
    return jnp.broadcast_to(transform, (batch, 8))


@op
def affine_transform(
    images: Any,
    transform: Any,
    interpolation: str = "bilinear",
    fill_mode: str = "constant",
    fill_value: Any = 0,
    data_format: str | None = None,
) -> jax.Array:
    """Warp images by ``[a0, a1, a2, b0, b1, b2, c0, c1]`` per image.

    An output pixel ``(x, y)`` reads the input at
    ``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)``, ``k = c0 x + c1 y + 1``.
    """
    order = _order(interpolation)
    mode = _fill_mode(fill_mode)
    x, restore = as_batch(images, data_format, "affine_transform")
    transforms = _transforms(transform, x.shape[0], "affine_transform")
    return restore(_projective(x, transforms, order, mode, float(fill_value)))


def _homography(start: jax.Array, end: jax.Array) -> jax.Array:
    """Coefficients mapping each ``end`` point to its ``start`` point."""
    x, y = end[:, 0], end[:, 1]
    u, v = start[:, 0], start[:, 1]
    zeros, ones = jnp.zeros_like(x), jnp.ones_like(x)
    rows_u = jnp.stack([x, y, ones, zeros, zeros, zeros, -x * u, -y * u], axis=-1)
    rows_v = jnp.stack([zeros, zeros, zeros, x, y, ones, -x * v, -y * v], axis=-1)
    matrix = jnp.concatenate([rows_u, rows_v], axis=0)
    return jnp.linalg.solve(matrix, jnp.concatenate([u, v]))


@op
def perspective_transform(
    images: Any,
    start_points: Any,
    end_points: Any,
    interpolation: str = "bilinear",
    fill_value: Any = 0,
    data_format: str | None = None,
) -> jax.Array:
    """Warp images so that ``start_points`` (4 ``(x, y)`` corners in the input)
    land on ``end_points`` in the output."""
    order = _order(interpolation)
    x, restore = as_batch(images, data_format, "perspective_transform")
    start = to_float(tensor(start_points)).astype("float32")
    end = to_float(tensor(end_points)).astype("float32")
    if start.shape[-2:] != (4, 2) or end.shape != start.shape:
        raise ValueError(
            "perspective_transform: points must have shape (4, 2) or (N, 4, 2), "
            f"received {start.shape} and {end.shape}."
        )
    start = jnp.broadcast_to(start.reshape((-1, 4, 2)), (x.shape[0], 4, 2))
    end = jnp.broadcast_to(end.reshape((-1, 4, 2)), (x.shape[0], 4, 2))
    transforms = jax.vmap(_homography)(start, end)
    return restore(_projective(x, transforms, order, "constant", float(fill_value)))


@op
def scale_and_translate(
    images: Any,
    output_shape: Any,
    scale: Any,
    translation: Any,
    spatial_dims: Any,
    method: str,
    antialias: bool = True,
) -> jax.Array:
    """Resample ``images`` to ``output_shape`` with a scale and a translation
    along ``spatial_dims`` (``jax.image.scale_and_translate``)."""
    images = to_float(tensor(images))
    return jax.image.scale_and_translate(
        images,
        tuple(output_shape),
        tuple(spatial_dims),
        to_float(tensor(scale)),
        to_float(tensor(translation)),
        method,
        antialias=antialias,
    )


@op
def elastic_transform(
    images: Any,
    alpha: float = 20.0,
    sigma: float = 5.0,
    interpolation: str = "bilinear",
    fill_mode: str = "reflect",
    fill_value: float = 0.0,
    seed: Any = None,
    data_format: str | None = None,
) -> jax.Array:
    """Displace pixels by random fields smoothed with a Gaussian of ``sigma``
    and scaled by ``alpha`` (Simard et al., 2003)."""
    from kerax import random  # random sits beside ops; imported when used

    order = _order(interpolation)
    mode = _fill_mode(fill_mode)
    x, restore = as_batch(images, data_format, "elastic_transform")
    batch, height, width = x.shape[:3]
    noise = random.uniform((2, batch, height, width), -1.0, 1.0, seed=seed)
    size = 2 * int(3 * sigma) + 1
    field = gaussian_filter_2d(
        noise.reshape((2 * batch, height, width, 1)), size, (sigma, sigma)
    )
    field = alpha * field.reshape((2, batch, height, width))
    rows, cols = jnp.meshgrid(
        jnp.arange(height, dtype="float32"),
        jnp.arange(width, dtype="float32"),
        indexing="ij",
    )

    def one(image: jax.Array, d_rows: jax.Array, d_cols: jax.Array) -> jax.Array:
        return _sample(image, rows + d_rows, cols + d_cols, order, mode, fill_value)

    return restore(jax.vmap(one)(x, field[0], field[1]))
