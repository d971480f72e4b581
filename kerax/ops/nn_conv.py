"""Convolution and pooling ops (``keras.ops.nn``).

Kernels follow Keras's layout: ``(*spatial, in_channels, out_channels)`` for
``conv``, ``(*spatial, in_channels, depth_multiplier)`` for depthwise and
``(*spatial, out_channels, in_channels)`` for ``conv_transpose``.
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerax import config
from kerax.autodiff.recording import op
from kerax.ops._utils import tensor

_SPATIAL = "DHW"


def data_format_arg(data_format: str | None) -> str:
    """Resolve ``None`` to the global image data format and validate."""
    data_format = data_format or config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            "`data_format` must be 'channels_last' or 'channels_first', received "
            f"{data_format!r}."
        )
    return data_format


def padding_arg(padding: str) -> str:
    padding = str(padding).lower()
    if padding not in ("valid", "same"):
        raise ValueError(f"`padding` must be 'valid' or 'same', received {padding!r}.")
    return padding


def tuple_arg(value: Any, n: int, name: str) -> tuple[int, ...]:
    """An int or a sequence of ``n`` ints as a tuple of ``n`` ints."""
    if isinstance(value, int):
        return (value,) * n
    value = tuple(int(v) for v in value)
    if len(value) != n:
        raise ValueError(f"`{name}` must have {n} values, received {value}.")
    return value


def _specs(num_spatial: int, data_format: str, kernel: str = "IO") -> tuple:
    spatial = _SPATIAL[-num_spatial:]
    lhs = "NC" + spatial if data_format == "channels_first" else "N" + spatial + "C"
    return lhs, spatial + kernel, lhs


def _check_rank(inputs: jax.Array, kernel: jax.Array, name: str) -> int:
    num_spatial = inputs.ndim - 2
    if num_spatial not in (1, 2, 3) or kernel.ndim != inputs.ndim:
        raise ValueError(
            f"{name} expects inputs of rank 3, 4 or 5 and a kernel of the same "
            f"rank, received inputs {inputs.shape} and kernel {kernel.shape}."
        )
    return num_spatial


def _channels(inputs: jax.Array, data_format: str) -> int:
    return inputs.shape[1] if data_format == "channels_first" else inputs.shape[-1]


@op
def conv(
    inputs: Any,
    kernel: Any,
    strides: Any = 1,
    padding: str = "valid",
    data_format: str | None = None,
    dilation_rate: Any = 1,
) -> jax.Array:
    """N-D convolution (1-D, 2-D or 3-D); grouped when ``kernel`` has fewer
    input channels than ``inputs``."""
    inputs, kernel = tensor(inputs), tensor(kernel)
    data_format = data_format_arg(data_format)
    n = _check_rank(inputs, kernel, "conv")
    channels = _channels(inputs, data_format)
    if channels % kernel.shape[-2]:
        raise ValueError(
            f"conv: input channels ({channels}) must be a multiple of the kernel's "
            f"input channels ({kernel.shape[-2]}); kernel shape {kernel.shape}."
        )
    return jax.lax.conv_general_dilated(
        inputs,
        kernel.astype(inputs.dtype),
        window_strides=tuple_arg(strides, n, "strides"),
        padding=padding_arg(padding).upper(),
        rhs_dilation=tuple_arg(dilation_rate, n, "dilation_rate"),
        dimension_numbers=_specs(n, data_format),
        feature_group_count=channels // kernel.shape[-2],
    )


@op
def depthwise_conv(
    inputs: Any,
    kernel: Any,
    strides: Any = 1,
    padding: str = "valid",
    data_format: str | None = None,
    dilation_rate: Any = 1,
) -> jax.Array:
    """Convolve each input channel with its own ``depth_multiplier`` filters."""
    inputs, kernel = tensor(inputs), tensor(kernel)
    data_format = data_format_arg(data_format)
    n = _check_rank(inputs, kernel, "depthwise_conv")
    channels = _channels(inputs, data_format)
    if kernel.shape[-2] != channels:
        raise ValueError(
            f"depthwise_conv: kernel input channels ({kernel.shape[-2]}) must equal "
            f"the input channels ({channels})."
        )
    kernel = kernel.reshape(kernel.shape[:-2] + (1, channels * kernel.shape[-1]))
    return jax.lax.conv_general_dilated(
        inputs,
        kernel.astype(inputs.dtype),
        window_strides=tuple_arg(strides, n, "strides"),
        padding=padding_arg(padding).upper(),
        rhs_dilation=tuple_arg(dilation_rate, n, "dilation_rate"),
        dimension_numbers=_specs(n, data_format),
        feature_group_count=channels,
    )


@op
def separable_conv(
    inputs: Any,
    depthwise_kernel: Any,
    pointwise_kernel: Any,
    strides: Any = 1,
    padding: str = "valid",
    data_format: str | None = None,
    dilation_rate: Any = 1,
) -> jax.Array:
    """Depthwise convolution followed by a 1x1 (pointwise) convolution."""
    depthwise = depthwise_conv.__kerax_op__(
        inputs, depthwise_kernel, strides, padding, data_format, dilation_rate
    )
    return conv.__kerax_op__(depthwise, pointwise_kernel, 1, "valid", data_format, 1)


def _transpose_padding(
    size: int, stride: int, dilation: int, padding: str, output_padding: int | None
) -> tuple[int, int]:
    """Padding of the stride-dilated input that gives Keras's output length."""
    extent = (size - 1) * dilation + 1
    if padding == "valid":
        extra = (
            max(extent, stride) - extent if output_padding is None else output_padding
        )
        return extent - 1, extent - 1 + extra
    if output_padding is None:
        total = stride + extent - 2
    else:
        total = extent + extent % 2 - 2 + output_padding
    before = min((total + 1) // 2, extent - 1)
    return before, total - before


@op
def conv_transpose(
    inputs: Any,
    kernel: Any,
    strides: Any = 1,
    padding: str = "valid",
    output_padding: Any = None,
    data_format: str | None = None,
    dilation_rate: Any = 1,
) -> jax.Array:
    """Transposed convolution (the gradient of ``conv`` with respect to its input)."""
    inputs, kernel = tensor(inputs), tensor(kernel)
    data_format = data_format_arg(data_format)
    padding = padding_arg(padding)
    n = _check_rank(inputs, kernel, "conv_transpose")
    strides = tuple_arg(strides, n, "strides")
    dilation = tuple_arg(dilation_rate, n, "dilation_rate")
    if output_padding is None:
        output_padding = (None,) * n
    else:
        output_padding = tuple_arg(output_padding, n, "output_padding")
    pads = [
        _transpose_padding(k, s, d, padding, p)
        for k, s, d, p in zip(kernel.shape[:n], strides, dilation, output_padding)
    ]
    flipped = jnp.flip(kernel, axis=tuple(range(n))).astype(inputs.dtype)
    return jax.lax.conv_general_dilated(
        inputs,
        flipped,
        window_strides=(1,) * n,
        padding=pads,
        lhs_dilation=strides,
        rhs_dilation=dilation,
        dimension_numbers=_specs(n, data_format, kernel="OI"),
    )


# -- pooling ---------------------------------------------------------------------------


def _window(inputs: jax.Array, pool_size: Any, strides: Any, data_format: str) -> tuple:
    n = inputs.ndim - 2
    if n not in (1, 2, 3):
        raise ValueError(
            f"Pooling expects inputs of rank 3, 4 or 5, received {inputs.shape}."
        )
    pool = tuple_arg(pool_size, n, "pool_size")
    steps = pool if strides is None else tuple_arg(strides, n, "strides")
    if data_format == "channels_first":
        return (1, 1) + pool, (1, 1) + steps
    return (1,) + pool + (1,), (1,) + steps + (1,)


@op
def max_pool(
    inputs: Any,
    pool_size: Any,
    strides: Any = None,
    padding: str = "valid",
    data_format: str | None = None,
) -> jax.Array:
    """Maximum over sliding windows (``strides`` defaults to ``pool_size``)."""
    inputs = tensor(inputs)
    window, steps = _window(inputs, pool_size, strides, data_format_arg(data_format))
    if jnp.issubdtype(inputs.dtype, jnp.integer):
        init = jnp.iinfo(inputs.dtype).min
    else:
        init = -jnp.inf
    return jax.lax.reduce_window(
        inputs,
        # A numpy (not traced) init value lets JAX pick its differentiable max.
        np.asarray(init, inputs.dtype),
        jax.lax.max,
        window,
        steps,
        padding_arg(padding).upper(),
    )


@op
def average_pool(
    inputs: Any,
    pool_size: Any,
    strides: Any = None,
    padding: str = "valid",
    data_format: str | None = None,
) -> jax.Array:
    """Mean over sliding windows; with ``"same"`` padding only real elements count."""
    inputs = tensor(inputs)
    window, steps = _window(inputs, pool_size, strides, data_format_arg(data_format))
    padding = padding_arg(padding).upper()
    zero = np.asarray(0, inputs.dtype)
    total = jax.lax.reduce_window(inputs, zero, jax.lax.add, window, steps, padding)
    if padding == "VALID":
        size = 1
        for w in window:
            size *= w
        return total / size
    ones = jnp.ones((1,) + inputs.shape[1:], inputs.dtype)
    counts = jax.lax.reduce_window(ones, zero, jax.lax.add, window, steps, padding)
    return total / counts


def _adaptive_bins(size: int, output: int) -> list[tuple[int, int]]:
    """PyTorch-style bins: ``[floor(i * size / out), ceil((i + 1) * size / out))``."""
    return [(i * size // output, -(-(i + 1) * size // output)) for i in range(output)]


def _adaptive_pool(
    inputs: Any, output_size: Any, data_format: str | None, reduce: Any
) -> jax.Array:
    x = tensor(inputs)
    data_format = data_format_arg(data_format)
    n = x.ndim - 2
    if n not in (1, 2, 3):
        raise ValueError(
            f"Adaptive pooling expects inputs of rank 3, 4 or 5, received {x.shape}."
        )
    sizes = tuple_arg(output_size, n, "output_size")
    return _adaptive_pool_compiled(x, sizes, data_format, reduce)


@functools.partial(jax.jit, static_argnums=(1, 2, 3))
def _adaptive_pool_compiled(
    x: jax.Array, sizes: tuple, data_format: str, reduce: Any
) -> jax.Array:
    first = 2 if data_format == "channels_first" else 1
    for offset, out in enumerate(sizes):
        axis = first + offset
        pieces = [
            reduce(jax.lax.slice_in_dim(x, lo, hi, axis=axis), axis=axis, keepdims=True)
            for lo, hi in _adaptive_bins(x.shape[axis], out)
        ]
        x = jnp.concatenate(pieces, axis=axis)
    return x


@op
def adaptive_average_pool(
    inputs: Any, output_size: Any, data_format: str | None = None
) -> jax.Array:
    """Average pooling to a fixed spatial ``output_size`` whatever the input size."""
    return _adaptive_pool(inputs, output_size, data_format, jnp.mean)


@op
def adaptive_max_pool(
    inputs: Any, output_size: Any, data_format: str | None = None
) -> jax.Array:
    """Max pooling to a fixed spatial ``output_size`` whatever the input size."""
    return _adaptive_pool(inputs, output_size, data_format, jnp.max)
