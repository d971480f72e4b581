"""NumPy image transforms of the legacy ``ImageDataGenerator``.

``affine_sample`` reproduces ``scipy.ndimage.affine_transform`` for spline
orders 0 and 1 with the fill modes Keras allows (``constant``, ``nearest``,
``reflect``, ``wrap``), so results equal Keras's without needing SciPy:
an output pixel ``p`` reads the input at ``matrix @ p + offset``; a
coordinate outside the image is first folded back by the fill mode
(``constant`` gives ``cval``), then sampled (nearest: round half up; linear:
the two neighbours per axis).
"""

from __future__ import annotations

from typing import Any

import numpy as np

FILL_MODES = ("constant", "nearest", "reflect", "wrap")


def _fold(coords: np.ndarray, size: int, mode: str) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates folded into the image by ``mode``; and where ``constant``
    mode puts a point outside."""
    outside = (coords < 0) | (coords > size - 1)
    if mode == "constant" or size <= 1:
        return np.where(outside, 0.0, coords), outside
    if mode == "nearest":
        return np.clip(coords, 0, size - 1), outside
    if mode == "wrap":  # period size - 1: the first and last points coincide
        period = size - 1
        low = coords + period * (np.trunc(-coords / period) + 1)
        high = coords - period * np.trunc(coords / period)
    else:  # reflect about the pixel edges: d c b a | a b c d | d c b a
        period = 2 * size
        low = np.where(
            coords < -period, period * np.trunc(-coords / period) + coords, coords
        )
        low = np.where(
            low < -size, low + period, np.where(low > -1e-15, 1e-15, -low) - 1
        )
        high = coords - period * np.trunc(coords / period)
        high = np.where(high >= size, period - high - 1, high)
    folded = np.where(coords < 0, low, np.where(coords > size - 1, high, coords))
    return folded, np.zeros_like(outside)


def _index(index: np.ndarray, size: int, mode: str) -> np.ndarray:
    """A neighbour index one step outside the image, brought back inside."""
    if size <= 1:
        return np.zeros_like(index)
    if mode in ("nearest", "reflect"):
        index = np.where(index < 0, -index - 1, index)
        return np.where(index >= size, 2 * size - 1 - index, index)
    index = np.where(index < 0, -index, index)
    return np.where(index >= size, 2 * size - 2 - index, index)


def _neighbours(coords: np.ndarray, size: int, mode: str, order: int) -> list:
    """``(index, weight)`` pairs sampling ``coords`` along one axis."""
    if order == 0:
        return [(_index(np.floor(coords + 0.5).astype(np.int64), size, mode), 1.0)]
    start = np.floor(coords)
    frac = coords - start
    start = start.astype(np.int64)
    return [
        (_index(start, size, mode), 1.0 - frac),
        (_index(start + 1, size, mode), frac),
    ]


def affine_sample(
    image: np.ndarray,
    matrix: np.ndarray,
    offset: np.ndarray,
    order: int = 1,
    fill_mode: str = "nearest",
    cval: float = 0.0,
) -> np.ndarray:
    """Resample an ``(H, W, C)`` image: output pixel ``(r, c)`` reads the
    input at ``matrix @ (r, c) + offset`` (one transform for all channels)."""
    if fill_mode not in FILL_MODES:
        raise ValueError(
            f"Unknown fill_mode {fill_mode!r}. Expected one of {FILL_MODES}."
        )
    if order not in (0, 1):
        raise ValueError(
            f"interpolation_order must be 0 (nearest) or 1 (linear); received {order}."
        )
    height, width = image.shape[:2]
    rows, cols = np.meshgrid(
        np.arange(height, dtype="float64"),
        np.arange(width, dtype="float64"),
        indexing="ij",
    )
    src_rows = matrix[0, 0] * rows + matrix[0, 1] * cols + offset[0]
    src_cols = matrix[1, 0] * rows + matrix[1, 1] * cols + offset[1]
    src_rows, rows_out = _fold(src_rows, height, fill_mode)
    src_cols, cols_out = _fold(src_cols, width, fill_mode)
    source = image.astype("float64")
    out = np.zeros(rows.shape + image.shape[2:], "float64")
    for r_index, r_weight in _neighbours(src_rows, height, fill_mode, order):
        for c_index, c_weight in _neighbours(src_cols, width, fill_mode, order):
            weight = np.asarray(r_weight * c_weight)
            out += weight[..., None] * source[r_index, c_index]
    if fill_mode == "constant":
        out[rows_out | cols_out] = cval
    return out.astype(image.dtype)


def transform_matrix_offset_center(
    matrix: np.ndarray, x: float, y: float
) -> np.ndarray:
    """``matrix`` acting about the image centre instead of the origin."""
    o_x, o_y = float(x) / 2 - 0.5, float(y) / 2 - 0.5
    to_center = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]])
    back = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    return to_center @ matrix @ back


def _check_axes(x: np.ndarray, row_axis: int, col_axis: int, channel_axis: int) -> None:
    if sorted((row_axis, col_axis, channel_axis)) != [0, 1, 2]:
        raise ValueError(
            "'row_axis', 'col_axis' and 'channel_axis' must be distinct axes among "
            f"0, 1, 2. Received: {row_axis}, {col_axis}, {channel_axis}."
        )
    if x.ndim != 3:
        raise ValueError(
            f"Input arrays must be multi-channel 2D images (rank 3); received shape "
            f"{x.shape}."
        )
    if channel_axis not in (0, 2):
        raise ValueError("Channels must be on the first or the last axis.")


def apply_affine_transform(
    x: np.ndarray,
    theta: float = 0,
    tx: float = 0,
    ty: float = 0,
    shear: float = 0,
    zx: float = 1,
    zy: float = 1,
    row_axis: int = 1,
    col_axis: int = 2,
    channel_axis: int = 0,
    fill_mode: str = "nearest",
    cval: float = 0.0,
    order: int = 1,
) -> np.ndarray:
    """Rotate (``theta`` degrees), shift, shear (degrees) and zoom one image,
    with Keras's legacy conventions.

    As in Keras, the matrix is built on ``(x, y)`` coordinates with ``tx``
    the shift of the first one, and ``transform_matrix_offset_center`` gets
    ``(height, width)``: so ``tx`` moves the image along its columns, and
    the centre of non-square images is Keras's.
    """
    x = np.asarray(x)
    _check_axes(x, row_axis, col_axis, channel_axis)
    parts = []
    if theta != 0:
        angle = np.deg2rad(theta)
        cos, sin = np.cos(angle), np.sin(angle)
        parts.append(np.array([[cos, -sin, 0], [sin, cos, 0], [0, 0, 1]]))
    if tx != 0 or ty != 0:
        parts.append(np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]]))
    if shear != 0:
        angle = np.deg2rad(shear)
        parts.append(
            np.array([[1, -np.sin(angle), 0], [0, np.cos(angle), 0], [0, 0, 1]])
        )
    if zx != 1 or zy != 1:
        parts.append(np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]]))
    if not parts:
        return x
    matrix = parts[0]
    for part in parts[1:]:
        matrix = matrix @ part
    height, width = x.shape[row_axis], x.shape[col_axis]
    matrix = transform_matrix_offset_center(matrix, height, width)
    if col_axis > row_axis:  # the matrix acts on (x, y): swap to (row, col)
        matrix = matrix[[1, 0, 2]][:, [1, 0, 2]]
    image = np.moveaxis(x, channel_axis, -1)
    if row_axis > col_axis:
        image = np.swapaxes(image, 0, 1)
    out = affine_sample(image, matrix[:2, :2], matrix[:2, 2], order, fill_mode, cval)
    if row_axis > col_axis:
        out = np.swapaxes(out, 0, 1)
    return np.moveaxis(out, -1, channel_axis)


def apply_channel_shift(
    x: np.ndarray, intensity: float, channel_axis: int = 0
) -> np.ndarray:
    """Add ``intensity`` to every channel, clipped to the image's value range."""
    x = np.asarray(x)
    return np.clip(x + intensity, np.min(x), np.max(x)).astype(x.dtype)


def apply_brightness_shift(
    x: np.ndarray, brightness: float, scale: bool = True
) -> np.ndarray:
    """Scale brightness by ``brightness`` with Pillow's ``ImageEnhance`` (as
    Keras); values outside 0..255 are rescaled around it."""
    from PIL import ImageEnhance

    from kerax.utils.image_utils import array_to_img, img_to_array

    x_min, x_max = np.min(x), np.max(x)
    local_scale = bool(x_min < 0 or x_max > 255)
    image = array_to_img(x, scale=local_scale or scale)
    out = img_to_array(ImageEnhance.Brightness(image).enhance(brightness))
    if not scale and local_scale:
        out = out / 255 * (x_max - x_min) + x_min
    return out


def flip_axis(x: np.ndarray, axis: int) -> np.ndarray:
    """Reverse ``x`` along ``axis``."""
    return np.flip(x, axis)


def random_rotation(
    x: np.ndarray,
    rg: float,
    row_axis: int = 1,
    col_axis: int = 2,
    channel_axis: int = 0,
    fill_mode: str = "nearest",
    cval: float = 0.0,
    interpolation_order: int = 1,
) -> np.ndarray:
    """Rotate by a uniform angle in ``[-rg, rg]`` degrees (NumPy's global RNG)."""
    theta = np.random.uniform(-rg, rg)
    return apply_affine_transform(
        x,
        theta=theta,
        row_axis=row_axis,
        col_axis=col_axis,
        channel_axis=channel_axis,
        fill_mode=fill_mode,
        cval=cval,
        order=interpolation_order,
    )


def random_shift(
    x: np.ndarray,
    wrg: float,
    hrg: float,
    row_axis: int = 1,
    col_axis: int = 2,
    channel_axis: int = 0,
    fill_mode: str = "nearest",
    cval: float = 0.0,
    interpolation_order: int = 1,
) -> np.ndarray:
    """Shift by uniform fractions ``hrg`` of the height and ``wrg`` of the
    width (Keras's legacy ``tx``/``ty`` conventions)."""
    h, w = x.shape[row_axis], x.shape[col_axis]
    tx = np.random.uniform(-hrg, hrg) * h
    ty = np.random.uniform(-wrg, wrg) * w
    return apply_affine_transform(
        x,
        tx=tx,
        ty=ty,
        row_axis=row_axis,
        col_axis=col_axis,
        channel_axis=channel_axis,
        fill_mode=fill_mode,
        cval=cval,
        order=interpolation_order,
    )


def random_shear(
    x: np.ndarray,
    intensity: float,
    row_axis: int = 1,
    col_axis: int = 2,
    channel_axis: int = 0,
    fill_mode: str = "nearest",
    cval: float = 0.0,
    interpolation_order: int = 1,
) -> np.ndarray:
    """Shear by a uniform angle in ``[-intensity, intensity]`` degrees."""
    shear = np.random.uniform(-intensity, intensity)
    return apply_affine_transform(
        x,
        shear=shear,
        row_axis=row_axis,
        col_axis=col_axis,
        channel_axis=channel_axis,
        fill_mode=fill_mode,
        cval=cval,
        order=interpolation_order,
    )


def random_zoom(
    x: np.ndarray,
    zoom_range: Any,
    row_axis: int = 1,
    col_axis: int = 2,
    channel_axis: int = 0,
    fill_mode: str = "nearest",
    cval: float = 0.0,
    interpolation_order: int = 1,
) -> np.ndarray:
    """Zoom each axis by a uniform factor in ``zoom_range = (low, high)``."""
    if len(zoom_range) != 2:
        raise ValueError(
            f"`zoom_range` should be a tuple or list of two floats. Received: {zoom_range}"
        )
    if zoom_range[0] == 1 and zoom_range[1] == 1:
        zx, zy = 1, 1
    else:
        zx, zy = np.random.uniform(zoom_range[0], zoom_range[1], 2)
    return apply_affine_transform(
        x,
        zx=zx,
        zy=zy,
        row_axis=row_axis,
        col_axis=col_axis,
        channel_axis=channel_axis,
        fill_mode=fill_mode,
        cval=cval,
        order=interpolation_order,
    )


def random_channel_shift(
    x: np.ndarray, intensity_range: float, channel_axis: int = 0
) -> np.ndarray:
    """Shift all channels by a uniform amount in ``[-range, range]``."""
    intensity = np.random.uniform(-intensity_range, intensity_range)
    return apply_channel_shift(x, intensity, channel_axis=channel_axis)


def random_brightness(
    x: np.ndarray, brightness_range: Any, scale: bool = True
) -> np.ndarray:
    """Scale brightness by a uniform factor in ``brightness_range``."""
    if len(brightness_range) != 2:
        raise ValueError(
            "`brightness_range` should be a tuple or list of two floats. Received: "
            f"{brightness_range}"
        )
    factor = np.random.uniform(brightness_range[0], brightness_range[1])
    return apply_brightness_shift(x, factor, scale)
