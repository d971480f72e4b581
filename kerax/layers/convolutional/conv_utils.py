"""Argument checks and shape arithmetic shared by convolution and pooling layers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax.numpy as jnp

from kerax import config

_SPATIAL = {1: "W", 2: "HW", 3: "DHW"}


def standardize_tuple(value: Any, n: int, name: str, owner: str) -> tuple[int, ...]:
    """``value`` (an int or ``n`` ints) as a tuple of ``n`` positive ints."""
    if isinstance(value, int) and not isinstance(value, bool):
        values: Any = (value,) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            values = None
    if (
        values is None
        or len(values) != n
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in values)
    ):
        raise ValueError(
            f"{owner}: `{name}` must be an int or a tuple of {n} ints, "
            f"received {name}={value!r}."
        )
    if min(values) <= 0:
        raise ValueError(
            f"{owner}: every value of `{name}` must be a positive int, "
            f"received {name}={value!r}."
        )
    return tuple(int(v) for v in values)


def standardize_padding(value: Any, owner: str, allow_causal: bool = False) -> str:
    """``value`` lower-cased and checked against the paddings the layer accepts."""
    allowed = ["valid", "same"] + (["causal"] if allow_causal else [])
    padding = value.lower() if isinstance(value, str) else value
    if padding not in allowed:
        raise ValueError(
            f"{owner}: `padding` must be one of {allowed}, received {value!r}."
        )
    return padding


def standardize_data_format(value: Any, owner: str) -> str:
    """``value`` checked, or the global ``image_data_format()`` when None."""
    try:
        return config.standardize_data_format(value)
    except ValueError:
        raise ValueError(
            f"{owner}: `data_format` must be 'channels_last' or 'channels_first' "
            f"(or None for the global default), received {value!r}."
        ) from None


def dilated_size(kernel: int, dilation: int) -> int:
    """The span of a kernel of ``kernel`` taps spaced ``dilation`` apart."""
    return (kernel - 1) * dilation + 1


def conv_output_length(
    length: int | None, kernel: int, stride: int, padding: str, dilation: int = 1
) -> int | None:
    """Output size along one axis of a convolution or pooling window."""
    if length is None:
        return None
    span = dilated_size(kernel, dilation)
    if padding == "same":
        return -(-length // stride)
    if padding == "causal":
        return (length - 1) // stride + 1
    return (length - span) // stride + 1 if length >= span else -1


def deconv_output_length(
    length: int | None,
    kernel: int,
    stride: int,
    padding: str,
    output_padding: int | None,
    dilation: int = 1,
) -> int | None:
    """Output size along one axis of a transposed convolution (Keras's rule)."""
    if length is None:
        return None
    span = dilated_size(kernel, dilation)
    if output_padding is None:
        if padding == "same":
            return length * stride
        return length * stride + max(span - stride, 0)
    pad = span // 2 if padding == "same" else 0
    return (length - 1) * stride + span - 2 * pad + output_padding


def spatial_axes(rank: int, data_format: str) -> list[int]:
    """Positions of the spatial axes in an input of ``rank + 2`` dimensions."""
    start = 1 if data_format == "channels_last" else 2
    return list(range(start, start + rank))


def channel_axis(data_format: str) -> int:
    """Position of the channel axis for ``data_format``."""
    return -1 if data_format == "channels_last" else 1


def dimension_numbers(rank: int, data_format: str, kernel: str = "IO") -> tuple:
    """``lax.conv_general_dilated`` layout strings for inputs, kernel, outputs."""
    spatial = _SPATIAL[rank]
    if data_format == "channels_last":
        layout = f"N{spatial}C"
    else:
        layout = f"NC{spatial}"
    return (layout, spatial + kernel, layout)


def check_spatial_output(
    owner: str, input_shape: Sequence[Any], spatial: Sequence[int | None], what: str
) -> None:
    """Raise when a window does not fit in the input (a non-positive output size)."""
    if any(size is not None and size <= 0 for size in spatial):
        raise ValueError(
            f"{owner}: the {what} is larger than the input along a spatial axis "
            f"with padding='valid', giving output spatial sizes {tuple(spatial)}. "
            f"Received input shape {tuple(input_shape)}; use a larger input, a "
            "smaller window, or padding='same'."
        )


def reshape_bias(bias: Any, rank: int, data_format: str) -> Any:
    """A bias vector shaped to broadcast against an output of ``rank + 2`` dims."""
    if data_format == "channels_last":
        return jnp.reshape(bias, (1,) * (rank + 1) + (-1,))
    return jnp.reshape(bias, (1, -1) + (1,) * rank)


def constructor_arguments(rank: int, local_vars: dict[str, Any]) -> dict[str, Any]:
    """A rank-specific subclass's named ``__init__`` arguments plus ``rank``.

    The 1D/2D/3D classes spell out their signatures (defaults differ per rank,
    as in Keras) and hand everything to the shared base with this helper.
    """
    skip = ("self", "kwargs", "__class__")
    return {"rank": rank, **{k: v for k, v in local_vars.items() if k not in skip}}
