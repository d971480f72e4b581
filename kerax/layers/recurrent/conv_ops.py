"""An N-D convolution whose gradients are plain forward convolutions.

Inside ``lax.scan`` XLA:CPU lowers JAX's own convolution gradients (the
transposed-layout convolutions of its transpose rules) to a naive loop, 7-14x
slower than a forward convolution (jax#12868). ``conv`` computes the same
values and writes both gradients as ordinary convolutions in the standard
layouts: the input gradient convolves the output gradient with the flipped
kernel, the kernel gradient convolves the (padded) input with the output
gradient, batch and channels swapped.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
from jax import lax

_SPATIAL = {1: "W", 2: "HW", 3: "DHW"}


def _layouts(rank: int, data_format: str) -> tuple[str, str, str]:
    spatial = _SPATIAL[rank]
    layout = f"N{spatial}C" if data_format == "channels_last" else f"NC{spatial}"
    return (layout, f"{spatial}IO", layout)


def _spatial(shape: tuple, data_format: str) -> tuple:
    return shape[1:-1] if data_format == "channels_last" else shape[2:]


def _pads(
    in_sizes: tuple, kernel: tuple, strides: tuple, dilation: tuple, padding: str
) -> list[tuple[int, int]]:
    window = tuple((k - 1) * d + 1 for k, d in zip(kernel, dilation))
    return list(lax.padtype_to_pads(in_sizes, window, strides, padding.upper()))


def _forward(
    x: jax.Array,
    kernel: jax.Array,
    strides: tuple,
    padding: str,
    dilation: tuple,
    data_format: str,
) -> jax.Array:
    rank = kernel.ndim - 2
    return lax.conv_general_dilated(
        x,
        kernel,
        window_strides=strides,
        padding=padding.upper(),
        rhs_dilation=dilation,
        dimension_numbers=_layouts(rank, data_format),
    )


@partial(jax.custom_vjp, nondiff_argnums=(2, 3, 4, 5))
def conv(
    x: jax.Array,
    kernel: jax.Array,
    strides: tuple[int, ...],
    padding: str,
    dilation: tuple[int, ...],
    data_format: str,
) -> jax.Array:
    """``lax.conv_general_dilated`` for a ``kernel_size + (in, out)`` kernel.

    Args:
        x: ``(batch, *spatial, channels)`` or channels-first.
        kernel: ``(*kernel_size, in_channels, out_channels)``.
        strides, dilation: one int per spatial axis.
        padding: ``"valid"`` or ``"same"``.
        data_format: ``"channels_last"`` or ``"channels_first"``.
    """
    return _forward(x, kernel, strides, padding, dilation, data_format)


def _conv_fwd(
    x: jax.Array,
    kernel: jax.Array,
    strides: tuple,
    padding: str,
    dilation: tuple,
    data_format: str,
) -> tuple[jax.Array, tuple]:
    return _forward(x, kernel, strides, padding, dilation, data_format), (x, kernel)


def _conv_bwd(
    strides: tuple,
    padding: str,
    dilation: tuple,
    data_format: str,
    residuals: tuple,
    dy: jax.Array,
) -> tuple[jax.Array, jax.Array]:
    x, kernel = residuals
    rank = kernel.ndim - 2
    in_sizes = _spatial(x.shape, data_format)
    out_sizes = _spatial(dy.shape, data_format)
    kernel_sizes = kernel.shape[:rank]
    pads = _pads(in_sizes, kernel_sizes, strides, dilation, padding)
    layouts = _layouts(rank, data_format)
    # Input gradient: the output gradient, dilated by the strides, convolved
    # with the spatially flipped kernel whose in/out channels are swapped.
    flipped = jnp.swapaxes(jnp.flip(kernel, tuple(range(rank))), -1, -2)
    dx_pads = []
    for size, k, d, s, out, (low, _) in zip(
        in_sizes, kernel_sizes, dilation, strides, out_sizes, pads
    ):
        window = (k - 1) * d + 1
        before = window - low - 1
        dx_pads.append((before, size + window - 1 - ((out - 1) * s + 1) - before))
    dx = lax.conv_general_dilated(
        dy,
        flipped,
        window_strides=(1,) * rank,
        padding=dx_pads,
        lhs_dilation=strides,
        rhs_dilation=dilation,
        dimension_numbers=layouts,
    )
    # Kernel gradient: channels act as the batch, the batch as the channels,
    # the output gradient as the kernel (strides and dilation trade places).
    if data_format == "channels_last":
        x_cl, dy_cl = x, dy
    else:
        x_cl = jnp.moveaxis(x, 1, -1)
        dy_cl = jnp.moveaxis(dy, 1, -1)
    x_cl = jnp.pad(x_cl, [(0, 0), *pads, (0, 0)])
    lhs = jnp.moveaxis(x_cl, (0, -1), (-1, 0))
    rhs = jnp.moveaxis(dy_cl, 0, -2)
    dkernel = lax.conv_general_dilated(
        lhs,
        rhs,
        window_strides=dilation,
        padding="VALID",
        rhs_dilation=strides,
        dimension_numbers=_layouts(rank, "channels_last"),
    )
    dkernel = dkernel[(slice(None), *(slice(0, k) for k in kernel_sizes))]
    return dx, jnp.moveaxis(dkernel, 0, -2)


conv.defvjp(_conv_fwd, _conv_bwd)
