"""The convolution the layers run, with a kernel gradient that stays fast in loops.

For ``groups == 1`` the convolution carries a custom VJP. Its input gradient is
JAX's own (the linear transpose of the convolution). Its kernel gradient is one
plain forward convolution over explicitly transposed operands: the input with
channels as the batch, the output cotangent as the kernel. JAX's built-in
kernel gradient expresses the same sum through non-standard dimension numbers,
which XLA:CPU runs as a naive loop inside ``lax.scan`` / ``while`` bodies
(jax#12868): a scanned CNN train step measured over 10x slower. Gradients are
the same to float32 rounding, and reverse mode of any order works; forward mode
(``jax.jvp``, ``jax.jacfwd``, ``jax.hessian``) does not pass through a
custom VJP, so it raises for these layers. Grouped and depthwise convolutions
use ``lax.conv_general_dilated`` with JAX's gradients.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import jax
from jax import lax

from kerax.layers.convolutional import conv_utils

Pads = tuple[tuple[int, int], ...]


def explicit_padding(
    padding: str,
    sizes: Sequence[int],
    kernel_size: Sequence[int],
    strides: Sequence[int],
    dilation: Sequence[int],
) -> Pads:
    """``(low, high)`` per spatial axis for 'valid', 'same' (lax's split) or 'causal'."""
    spans = [conv_utils.dilated_size(k, d) for k, d in zip(kernel_size, dilation)]
    if padding == "causal":
        return tuple((span - 1, 0) for span in spans)
    pads = lax.padtype_to_pads(tuple(sizes), spans, tuple(strides), padding.upper())
    return tuple((int(lo), int(hi)) for lo, hi in pads)


def convolve(
    x: jax.Array,
    kernel: jax.Array,
    strides: Sequence[int],
    padding: Pads,
    data_format: str,
    rhs_dilation: Sequence[int],
    lhs_dilation: Sequence[int] | None = None,
    groups: int = 1,
    kernel_layout: str = "IO",
) -> jax.Array:
    """``lax.conv_general_dilated`` in the layers' layouts (see the module doc).

    ``kernel_layout`` names the order of the kernel's two channel axes:
    ``"IO"`` (input, output) or ``"OI"`` (as transposed convolutions store it).
    """
    rank = kernel.ndim - 2
    params = (
        tuple(strides),
        tuple(padding),
        tuple(lhs_dilation or (1,) * rank),
        tuple(rhs_dilation),
        conv_utils.dimension_numbers(rank, data_format, kernel_layout),
    )
    if groups != 1:
        return _plain(x, kernel, params, groups)
    return _convolve(x, kernel, params)


def _plain(
    x: jax.Array, kernel: jax.Array, params: tuple, groups: int = 1
) -> jax.Array:
    strides, padding, lhs_dilation, rhs_dilation, numbers = params
    return lax.conv_general_dilated(
        x,
        kernel,
        window_strides=strides,
        padding=padding,
        lhs_dilation=lhs_dilation,
        rhs_dilation=rhs_dilation,
        dimension_numbers=numbers,
        feature_group_count=groups,
    )


@functools.partial(jax.custom_vjp, nondiff_argnums=(2,))
def _convolve(x: jax.Array, kernel: jax.Array, params: tuple) -> jax.Array:
    return _plain(x, kernel, params)


def _forward(x: jax.Array, kernel: jax.Array, params: tuple) -> tuple:
    return _plain(x, kernel, params), (x, kernel)


def _backward(params: tuple, residuals: tuple, cotangent: jax.Array) -> tuple:
    x, kernel = residuals
    spec = jax.ShapeDtypeStruct(x.shape, x.dtype)
    (x_grad,) = jax.linear_transpose(lambda v: _plain(v, kernel, params), spec)(
        cotangent
    )
    return x_grad, _kernel_gradient(x, cotangent, kernel.shape, params)


_convolve.defvjp(_forward, _backward)


def _kernel_gradient(
    x: jax.Array, cotangent: jax.Array, kernel_shape: tuple, params: tuple
) -> jax.Array:
    """``d kernel = sum over batch and output positions of input x cotangent``.

    Computed as a standard-layout convolution: the input transposed to
    ``(C, *spatial, N)`` is the image, the cotangent transposed to
    ``(*out_spatial, N, F)`` the kernel; the window steps by the kernel's
    dilation and dilates by the stride, giving ``(C, *kernel_spatial, F)``.
    """
    strides, padding, lhs_dilation, rhs_dilation, numbers = params
    lhs_spec, rhs_spec, out_spec = numbers
    spatial = [c for c in rhs_spec if c not in "IO"]
    image = x.transpose(
        [
            lhs_spec.index("C"),
            *(lhs_spec.index(c) for c in spatial),
            lhs_spec.index("N"),
        ]
    )
    filters = cotangent.transpose(
        [
            *(out_spec.index(c) for c in spatial),
            out_spec.index("N"),
            out_spec.index("C"),
        ]
    )
    pads = []
    for axis, (low, _) in enumerate(padding):
        size = (image.shape[1 + axis] - 1) * lhs_dilation[axis] + 1
        taps = kernel_shape[rhs_spec.index(spatial[axis])]
        reach = (taps - 1) * rhs_dilation[axis] + (filters.shape[axis] - 1) * strides[
            axis
        ]
        pads.append((low, reach + 1 - size - low))
    rank = len(spatial)
    layout = "".join(spatial)
    grad = lax.conv_general_dilated(
        image,
        filters,
        window_strides=rhs_dilation,
        padding=pads,
        lhs_dilation=lhs_dilation,
        rhs_dilation=strides,
        dimension_numbers=(f"N{layout}C", f"{layout}IO", f"N{layout}C"),
    )
    position = {"I": 0, "O": rank + 1, **{c: 1 + i for i, c in enumerate(spatial)}}
    return grad.transpose([position[c] for c in rhs_spec]).astype(cotangent.dtype)
