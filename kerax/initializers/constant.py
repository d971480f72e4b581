"""Initializers with fixed values: zeros, ones, a constant, the identity, STFT."""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerax.backend.dtypes import standardize_dtype
from kerax.initializers.initializer import Initializer
from kerax.registry import register

_HOST_FILL_LIMIT = 1 << 24


def _filled(shape: Any, dtype: str, value: Any) -> jax.Array:
    """``value`` broadcast to ``shape``: filled on the host while small.

    An eager ``jnp.full`` compiles a program for every new shape; a host array
    moved to the device does not.
    """
    shape = tuple(int(d) for d in shape)
    if math.prod(shape) <= _HOST_FILL_LIMIT and np.ndim(value) == 0:
        if not isinstance(value, jax.core.Tracer):
            return jax.device_put(np.full(shape, value, jnp.dtype(dtype)))
    return jnp.broadcast_to(jnp.asarray(value, dtype), shape)


@register("keras.initializers")
class Zeros(Initializer):
    """Fills the tensor with 0."""

    def __call__(self, shape: Any, dtype: Any = None) -> jax.Array:
        return _filled(shape, standardize_dtype(dtype), 0)


@register("keras.initializers")
class Ones(Initializer):
    """Fills the tensor with 1."""

    def __call__(self, shape: Any, dtype: Any = None) -> jax.Array:
        return _filled(shape, standardize_dtype(dtype), 1)


def _serialize_value(value: Any) -> Any:
    """Arrays in a config take Keras's ``__numpy__``/``__tensor__`` dict form."""
    if isinstance(value, (np.ndarray, jax.Array)) and value.ndim > 0:
        kind = "__numpy__" if isinstance(value, np.ndarray) else "__tensor__"
        return {
            "class_name": kind,
            "config": {"value": value.tolist(), "dtype": str(value.dtype)},
        }
    if isinstance(value, (np.generic, np.ndarray, jax.Array)):
        return value.item()
    return value


def _deserialize_value(value: Any) -> Any:
    if isinstance(value, dict) and value.get("class_name") in (
        "__numpy__",
        "__tensor__",
    ):
        return np.asarray(value["config"]["value"], value["config"]["dtype"])
    return value


@register("keras.initializers")
class Constant(Initializer):
    """Fills the tensor with ``value`` (a scalar, or an array that broadcasts).

    Args:
        value: the fill value.
    """

    def __init__(self, value: Any = 0.0) -> None:
        self.value = value

    def __call__(self, shape: Any, dtype: Any = None) -> jax.Array:
        dtype = standardize_dtype(dtype)
        if isinstance(self.value, (int, float, np.number)):
            return _filled(shape, dtype, np.asarray(jnp.asarray(self.value, dtype)))
        return jnp.broadcast_to(jnp.asarray(self.value, dtype), tuple(shape))

    def get_config(self) -> dict[str, Any]:
        return {"value": _serialize_value(self.value)}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Constant:
        return cls(_deserialize_value(config["value"]))


@register("keras.initializers")
class Identity(Initializer):
    """``gain`` times the identity matrix; only for 2D shapes (may be non-square).

    Args:
        gain: the diagonal value.
    """

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def __call__(self, shape: Any, dtype: Any = None) -> jax.Array:
        shape = tuple(shape)
        if len(shape) != 2:
            raise ValueError(
                "Identity initializer needs a 2D shape, received "
                f"shape={shape} of rank {len(shape)}."
            )
        dtype = standardize_dtype(dtype)
        return (self.gain * jnp.eye(*shape, dtype=dtype)).astype(dtype)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain}


@register("keras.initializers")
class STFT(Initializer):
    """Kernel of a short-time Fourier transform as a 1D convolution.

    For shape ``(frame_length, 1, fft_length // 2 + 1)`` the value at
    ``(t, 0, f)`` is ``cos`` (``side="real"``) or ``sin`` (``side="imag"``) of
    ``-2 pi t f / fft_length``, multiplied by the window and divided by its
    L2 norm (``scaling="density"``) or L1 norm (``scaling="spectrum"``).

    Args:
        side: ``"real"`` or ``"imag"``.
        window: a window name from ``scipy.signal.windows`` (``"hann"``,
            ``"hamming"``, ...), an array of ``frame_length`` values, or None.
        scaling: ``"density"``, ``"spectrum"`` or None.
        periodic: use the periodic form of a named window.
    """

    def __init__(
        self,
        side: str = "real",
        window: Any = "hann",
        scaling: str | None = "density",
        periodic: bool = False,
    ) -> None:
        if side not in ("real", "imag"):
            raise ValueError(f"STFT: side must be 'real' or 'imag', received {side!r}.")
        if isinstance(window, str):
            _named_window(window, 1, periodic)
        if scaling not in (None, "density", "spectrum"):
            raise ValueError(
                "STFT: scaling must be None, 'density' or 'spectrum', "
                f"received {scaling!r}."
            )
        self.side = side
        self.window = window
        self.scaling = scaling
        self.periodic = periodic

    def __call__(self, shape: Any, dtype: Any = None) -> jax.Array:
        dtype = standardize_dtype(dtype)
        frame_length, _, bins = tuple(shape)
        time = np.arange(frame_length, dtype="float64").reshape(-1, 1, 1)
        freq = np.arange(bins, dtype="float64").reshape(1, 1, -1)
        angle = -2.0 * math.pi * time * freq / ((bins - 1) * 2)
        kernel = np.cos(angle) if self.side == "real" else np.sin(angle)
        if self.window is not None:
            window = self.window
            if isinstance(window, str):
                window = _named_window(window, frame_length, self.periodic)
            window = np.asarray(window, dtype="float64")
            if window.shape != (frame_length,):
                raise ValueError(
                    f"STFT: the window must have shape ({frame_length},), "
                    f"received shape {window.shape}."
                )
            kernel = kernel * window.reshape(-1, 1, 1)
            if self.scaling == "density":
                kernel = kernel / np.sqrt(np.sum(np.square(window)))
            elif self.scaling == "spectrum":
                kernel = kernel / np.sum(np.abs(window))
        return jnp.asarray(kernel, dtype)

    def get_config(self) -> dict[str, Any]:
        return {
            "side": self.side,
            "window": self.window,
            "periodic": self.periodic,
            "scaling": self.scaling,
        }


def _named_window(name: str, length: int, periodic: bool) -> np.ndarray:
    from scipy.signal import get_window  # scipy comes with jax; import on use

    try:
        return get_window(name, length, fftbins=periodic)
    except ValueError as error:
        raise ValueError(f"STFT: unknown window {name!r}: {error}") from error
