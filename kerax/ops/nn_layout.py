"""Patch and block rearrangements: unfold/fold (im2col/col2im), depth <-> space."""

from __future__ import annotations

import functools
from typing import Any

import jax

from kerax.autodiff.recording import op
from kerax.ops._utils import tensor
from kerax.ops.nn_conv import tuple_arg


@functools.partial(jax.jit, static_argnums=(1, 2, 3, 4))
def _unfold(
    x: jax.Array, kernel: tuple, dilation: tuple, padding: tuple, stride: tuple
) -> jax.Array:
    patches = jax.lax.conv_general_dilated_patches(
        x,
        filter_shape=kernel,
        window_strides=stride,
        padding=[(p, p) for p in padding],
        rhs_dilation=dilation,
        dimension_numbers=("NCHW", "OIHW", "NCHW"),
    )
    return patches.reshape(patches.shape[:2] + (-1,))


@op
def unfold(
    x: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1
) -> jax.Array:
    """Sliding blocks of a ``(N, C, H, W)`` input as ``(N, C * kH * kW, L)`` (im2col)."""
    x = tensor(x)
    if x.ndim != 4:
        raise ValueError(
            f"unfold expects a 4-D (N, C, H, W) input, received {x.shape}."
        )
    return _unfold(
        x,
        tuple_arg(kernel_size, 2, "kernel_size"),
        tuple_arg(dilation, 2, "dilation"),
        tuple_arg(padding, 2, "padding"),
        tuple_arg(stride, 2, "stride"),
    )


@op
def fold(
    x: Any,
    output_size: Any,
    kernel_size: Any,
    dilation: Any = 1,
    padding: Any = 0,
    stride: Any = 1,
) -> jax.Array:
    """Sum sliding blocks ``(N, C * kH * kW, L)`` back into ``(N, C, oH, oW)`` (col2im).

    This is the transpose of ``unfold``: overlapping values add up.
    """
    x = tensor(x)
    if x.ndim != 3:
        raise ValueError(
            f"fold expects a 3-D (N, C*kH*kW, L) input, received {x.shape}."
        )
    kernel = tuple_arg(kernel_size, 2, "kernel_size")
    blocks = kernel[0] * kernel[1]
    if x.shape[1] % blocks:
        raise ValueError(
            f"fold: axis 1 ({x.shape[1]}) must be divisible by kH * kW = {blocks}."
        )
    args = (
        tuple_arg(output_size, 2, "output_size"),
        kernel,
        tuple_arg(dilation, 2, "dilation"),
        tuple_arg(padding, 2, "padding"),
        tuple_arg(stride, 2, "stride"),
    )
    return _fold(x, *args)


@functools.partial(jax.jit, static_argnums=(1, 2, 3, 4, 5))
def _fold(
    x: jax.Array,
    size: tuple,
    kernel: tuple,
    dilation: tuple,
    padding: tuple,
    stride: tuple,
) -> jax.Array:
    blocks = kernel[0] * kernel[1]
    image = jax.ShapeDtypeStruct((x.shape[0], x.shape[1] // blocks) + size, x.dtype)
    unfold_image = functools.partial(
        _unfold, kernel=kernel, dilation=dilation, padding=padding, stride=stride
    )
    return jax.linear_transpose(unfold_image, image)(x)[0]


def _check_block(x: jax.Array, block_size: int, name: str) -> None:
    if x.ndim != 4:
        raise ValueError(f"{name} expects a 4-D input, received shape {x.shape}.")
    if not isinstance(block_size, int) or block_size < 2:
        raise ValueError(
            f"{name}: `block_size` must be an int >= 2, received {block_size!r}."
        )


def _check_divisible(size: int, block: int, what: str, by: str) -> None:
    if size % block:
        raise ValueError(f"{what} ({size}) must be divisible by {by} ({block}).")


@op
def depth_to_space(
    x: Any, block_size: int, data_format: str = "channels_last"
) -> jax.Array:
    """Move ``block_size**2`` channel groups into spatial blocks."""
    x = tensor(x)
    _check_block(x, block_size, "depth_to_space")
    b = block_size
    if data_format == "channels_first":
        n, c, h, w = x.shape
        _check_divisible(c, b * b, "depth_to_space: channels", "block_size**2")
        x = x.reshape(n, c // (b * b), b, b, h, w)
        return x.transpose(0, 1, 4, 2, 5, 3).reshape(n, c // (b * b), h * b, w * b)
    n, h, w, c = x.shape
    _check_divisible(c, b * b, "depth_to_space: channels", "block_size**2")
    x = x.reshape(n, h, w, b, b, c // (b * b))
    return x.transpose(0, 1, 3, 2, 4, 5).reshape(n, h * b, w * b, c // (b * b))


@op
def space_to_depth(
    x: Any, block_size: int, data_format: str = "channels_last"
) -> jax.Array:
    """Move spatial ``block_size`` blocks into the channel axis."""
    x = tensor(x)
    _check_block(x, block_size, "space_to_depth")
    b = block_size
    if data_format == "channels_first":
        n, c, h, w = x.shape
        _check_divisible(h, b, "space_to_depth: height", "block_size")
        _check_divisible(w, b, "space_to_depth: width", "block_size")
        x = x.reshape(n, c, h // b, b, w // b, b)
        return x.transpose(0, 1, 3, 5, 2, 4).reshape(n, c * b * b, h // b, w // b)
    n, h, w, c = x.shape
    _check_divisible(h, b, "space_to_depth: height", "block_size")
    _check_divisible(w, b, "space_to_depth: width", "block_size")
    x = x.reshape(n, h // b, b, w // b, b, c)
    return x.transpose(0, 1, 3, 2, 4, 5).reshape(n, h // b, w // b, c * b * b)
