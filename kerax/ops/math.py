"""Math ops: special functions, segments, top-k, FFT and spectrograms."""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
import jax.scipy.special as special
import numpy as np

from kerax.autodiff.recording import op
from kerax.ops._utils import axis_arg, float_tensor, tensor

__all__ = [
    "cdist",
    "erf",
    "erfc",
    "erfinv",
    "extract_sequences",
    "fft",
    "fft2",
    "ifft2",
    "in_top_k",
    "irfft",
    "istft",
    "logdet",
    "logsumexp",
    "rfft",
    "rsqrt",
    "segment_max",
    "segment_min",
    "segment_prod",
    "segment_sum",
    "stft",
    "top_k",
    "view_as_complex",
    "view_as_real",
]


# -- special functions ----------------------------------------------------------------


@op
def erf(x: Any) -> jax.Array:
    """The error function."""
    return special.erf(float_tensor(x))


@op
def erfc(x: Any) -> jax.Array:
    """The complementary error function ``1 - erf(x)``."""
    return special.erfc(float_tensor(x))


@op
def erfinv(x: Any) -> jax.Array:
    """The inverse of the error function."""
    return special.erfinv(float_tensor(x))


@op
def rsqrt(x: Any) -> jax.Array:
    """``1 / sqrt(x)``, element-wise."""
    return jax.lax.rsqrt(float_tensor(x))


@op
def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> jax.Array:
    """``log(sum(exp(x)))`` along ``axis``, computed stably."""
    return special.logsumexp(float_tensor(x), axis=axis_arg(axis), keepdims=keepdims)


@op
def logdet(x: Any) -> jax.Array:
    """Natural log of the determinant of a Hermitian positive definite matrix."""
    return jnp.linalg.slogdet(float_tensor(x))[1]


@op
def cdist(x: Any, y: Any) -> jax.Array:
    """Euclidean distances between rows: ``(..., m, d), (..., n, d) -> (..., m, n)``."""
    x, y = float_tensor(x), float_tensor(y)
    difference = jnp.expand_dims(x, -2) - jnp.expand_dims(y, -3)
    return jnp.sqrt(jnp.sum(jnp.square(difference), axis=-1))


# -- segments ------------------------------------------------------------------------


def _segment(
    reduce: Any, data: Any, segment_ids: Any, num_segments: Any, sorted: bool
) -> jax.Array:
    data = tensor(data)
    segment_ids = tensor(segment_ids)
    if num_segments is None:
        if isinstance(segment_ids, jax.core.Tracer):
            raise ValueError(
                "Pass `num_segments` when segment ids are traced (inside jit): "
                "the output size cannot depend on traced values."
            )
        num_segments = int(jnp.max(segment_ids)) + 1
    return reduce(
        data, segment_ids, num_segments=int(num_segments), indices_are_sorted=sorted
    )


@op
def segment_sum(
    data: Any, segment_ids: Any, num_segments: int | None = None, sorted: bool = False
) -> jax.Array:
    """Sum of ``data`` rows within each segment."""
    return _segment(jax.ops.segment_sum, data, segment_ids, num_segments, sorted)


@op
def segment_max(
    data: Any, segment_ids: Any, num_segments: int | None = None, sorted: bool = False
) -> jax.Array:
    """Maximum of ``data`` rows within each segment."""
    return _segment(jax.ops.segment_max, data, segment_ids, num_segments, sorted)


@op
def segment_min(
    data: Any, segment_ids: Any, num_segments: int | None = None, sorted: bool = False
) -> jax.Array:
    """Minimum of ``data`` rows within each segment."""
    return _segment(jax.ops.segment_min, data, segment_ids, num_segments, sorted)


@op
def segment_prod(
    data: Any, segment_ids: Any, num_segments: int | None = None, sorted: bool = False
) -> jax.Array:
    """Product of ``data`` rows within each segment."""
    return _segment(jax.ops.segment_prod, data, segment_ids, num_segments, sorted)


# -- top-k ----------------------------------------------------------------------------


@op
def top_k(x: Any, k: int, sorted: bool = True) -> tuple[jax.Array, jax.Array]:
    """The ``k`` largest values along the last axis and their int32 indices."""
    values, indices = jax.lax.top_k(tensor(x), k)
    return values, indices.astype("int32")


@op
def in_top_k(targets: Any, predictions: Any, k: int) -> jax.Array:
    """True where the target class scores among the ``k`` highest predictions.

    Ties with the ``k``-th score count as in; out-of-range targets are False.
    """
    targets = tensor(targets)
    predictions = tensor(predictions)
    num_classes = predictions.shape[-1]
    valid = (targets >= 0) & (targets < num_classes)
    safe = jnp.where(valid, targets, 0)
    score = jnp.take_along_axis(predictions, safe[:, None], axis=-1)
    higher = jnp.sum(predictions > score, axis=-1)
    return valid & jnp.isfinite(score[:, 0]) & (higher < k)


# -- Fourier transforms -------------------------------------------------------------------


def _complex(x: Any) -> jax.Array:
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(
            "Expected `x` to be a tuple of two tensors (real, imag), received "
            f"{type(x).__name__}."
        )
    real, imag = float_tensor(x[0]), float_tensor(x[1])
    if real.shape != imag.shape:
        raise ValueError(
            "The real and imaginary parts must have the same shape, received "
            f"{real.shape} and {imag.shape}."
        )
    return jax.lax.complex(real, imag)


def _parts(z: jax.Array) -> tuple[jax.Array, jax.Array]:
    return jnp.real(z), jnp.imag(z)


@op
def fft(x: Any) -> tuple[jax.Array, jax.Array]:
    """FFT over the last axis of ``(real, imag)``; returns ``(real, imag)``."""
    return _parts(jnp.fft.fft(_complex(x)))


@op
def fft2(x: Any) -> tuple[jax.Array, jax.Array]:
    """2-D FFT over the last two axes of ``(real, imag)``."""
    return _parts(jnp.fft.fft2(_complex(x)))


@op
def ifft2(x: Any) -> tuple[jax.Array, jax.Array]:
    """Inverse 2-D FFT over the last two axes of ``(real, imag)``."""
    return _parts(jnp.fft.ifft2(_complex(x)))


@op
def rfft(x: Any, fft_length: int | None = None) -> tuple[jax.Array, jax.Array]:
    """FFT of a real signal over its last axis; returns ``(real, imag)``."""
    return _parts(jnp.fft.rfft(float_tensor(x), n=fft_length))


@op
def irfft(x: Any, fft_length: int | None = None) -> jax.Array:
    """Real signal from the ``(real, imag)`` half spectrum over the last axis."""
    return jnp.fft.irfft(_complex(x), n=fft_length)


@op
def view_as_complex(x: Any) -> jax.Array:
    """A ``(..., 2)`` real array as a complex array of shape ``(...)``."""
    x = float_tensor(x)
    if x.shape[-1:] != (2,):
        raise ValueError(
            f"view_as_complex expects a last axis of size 2, received {x.shape}."
        )
    return jax.lax.complex(x[..., 0], x[..., 1])


@op
def view_as_real(x: Any) -> jax.Array:
    """A complex array as a real array with a last axis of (real, imag)."""
    x = tensor(x)
    return jnp.stack([jnp.real(x), jnp.imag(x)], axis=-1)


# -- framing and spectrograms -------------------------------------------------------------


@op
def extract_sequences(x: Any, sequence_length: int, sequence_stride: int) -> jax.Array:
    """Frames of ``sequence_length`` every ``sequence_stride`` along the last axis.

    Shape ``(..., n)`` becomes ``(..., num_frames, sequence_length)`` with
    ``num_frames = 1 + (n - sequence_length) // sequence_stride``.
    """
    x = tensor(x)
    num_frames = 1 + (x.shape[-1] - sequence_length) // sequence_stride
    if num_frames < 1:
        raise ValueError(
            f"extract_sequences: the last axis ({x.shape[-1]}) is shorter than "
            f"sequence_length={sequence_length}."
        )
    starts = jnp.arange(num_frames) * sequence_stride
    positions = starts[:, None] + jnp.arange(sequence_length)[None, :]
    return x[..., positions]


def _window(window: Any, sequence_length: int, dtype: Any) -> jax.Array | None:
    """The (periodic) analysis window of ``sequence_length`` samples."""
    if window is None:
        return None
    if isinstance(window, str):
        if window not in ("hann", "hamming"):
            raise ValueError(
                f"Unknown window {window!r}. Expected 'hann', 'hamming', a tensor "
                "or None."
            )
        phase = np.cos(2.0 * np.pi * np.arange(sequence_length) / sequence_length)
        values = 0.5 - 0.5 * phase if window == "hann" else 0.54 - 0.46 * phase
        return jnp.asarray(values, dtype)
    values = tensor(window).astype(dtype)
    if values.shape != (sequence_length,):
        raise ValueError(
            f"The window must have shape ({sequence_length},), received {values.shape}."
        )
    return values


def _padded_window(
    window: Any, sequence_length: int, fft_length: int, dtype: Any
) -> jax.Array | None:
    """The analysis window centred in ``fft_length`` samples (zeros around)."""
    if fft_length < sequence_length:
        raise ValueError(
            f"fft_length ({fft_length}) must be at least sequence_length "
            f"({sequence_length})."
        )
    weights = _window(window, sequence_length, dtype)
    if weights is None:
        return None
    left = (fft_length - sequence_length) // 2
    return jnp.pad(weights, (left, fft_length - sequence_length - left))


@op
def stft(
    x: Any,
    sequence_length: int,
    sequence_stride: int,
    fft_length: int,
    window: Any = "hann",
    center: bool = True,
) -> tuple[jax.Array, jax.Array]:
    """Short-time Fourier transform over the last axis; returns ``(real, imag)``.

    Frames are ``fft_length`` samples every ``sequence_stride``, weighted by a
    ``sequence_length`` window centred in the frame (``None``: no window).
    ``center`` reflect-pads the signal by ``fft_length // 2`` on both sides.
    Output shape ``(..., num_frames, fft_length // 2 + 1)``.
    """
    x = float_tensor(x)
    weights = _padded_window(window, sequence_length, fft_length, x.dtype)
    return _stft(x, weights, sequence_stride, fft_length, center)


@functools.partial(jax.jit, static_argnums=(2, 3, 4))
def _stft(
    x: jax.Array, weights: Any, sequence_stride: int, fft_length: int, center: bool
) -> tuple[jax.Array, jax.Array]:
    if center:
        half = fft_length // 2
        pad_width = [(0, 0)] * (x.ndim - 1) + [(half, half)]
        x = jnp.pad(x, pad_width, mode="reflect")
    frames = extract_sequences.__kerax_op__(x, fft_length, sequence_stride)
    if weights is not None:
        frames = frames * weights.reshape((1,) * (frames.ndim - 1) + (-1,))
    return _parts(jnp.fft.rfft(frames, n=fft_length))


@op
def istft(
    x: Any,
    sequence_length: int,
    sequence_stride: int,
    fft_length: int,
    length: int | None = None,
    window: Any = "hann",
    center: bool = True,
) -> jax.Array:
    """Inverse of ``stft``: windowed overlap-add of the inverse FFT frames,
    normalized by the summed squared window."""
    spectrum = _complex(x)
    dtype = jnp.real(spectrum).dtype
    weights = _padded_window(window, sequence_length, fft_length, dtype)
    if weights is None:
        weights = jnp.ones((fft_length,), dtype)
    return _istft(spectrum, weights, sequence_stride, fft_length, length, center)


@functools.partial(jax.jit, static_argnums=(2, 3, 4, 5))
def _istft(
    spectrum: jax.Array,
    weights: jax.Array,
    sequence_stride: int,
    fft_length: int,
    length: int | None,
    center: bool,
) -> jax.Array:
    frames = jnp.fft.irfft(spectrum, n=fft_length)
    frames = frames * weights.reshape((1,) * (frames.ndim - 1) + (-1,))
    num_frames = frames.shape[-2]
    total = sequence_stride * (num_frames - 1) + fft_length
    starts = jnp.arange(num_frames) * sequence_stride
    positions = (starts[:, None] + jnp.arange(fft_length)[None, :]).reshape(-1)
    batch = frames.shape[:-2]
    flat = frames.reshape(batch + (-1,))
    signal = jnp.zeros(batch + (total,), frames.dtype).at[..., positions].add(flat)
    squared = jnp.tile(jnp.square(weights), num_frames)
    norm = jnp.zeros((total,), frames.dtype).at[positions].add(squared)
    norm = jnp.where(norm > 1e-10, norm, 1.0).reshape((1,) * len(batch) + (total,))
    signal = signal / norm
    start = fft_length // 2 if center else 0
    end = total - start
    if length is not None:
        end = start + length
    signal = signal[..., start:end]
    if length is not None and signal.shape[-1] < length:
        pad_width = [(0, 0)] * (signal.ndim - 1) + [(0, length - signal.shape[-1])]
        signal = jnp.pad(signal, pad_width)
    return signal
