"""Global settings: float type, fuzz factor, image layout and the global seed.

These are the only process-wide settings in kerax. They mirror ``keras.config``.
"""

from __future__ import annotations

import jax

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_VALID_FLOATX = ("bfloat16", "float16", "float32", "float64")


def floatx() -> str:
    """Return the default float type name, e.g. ``"float32"``."""
    return _FLOATX


def set_floatx(value: str) -> None:
    """Set the default float type.

    ``"float64"`` turns on JAX's x64 mode so that computations really run in
    double precision.
    """
    global _FLOATX
    value = str(value)
    if value not in _VALID_FLOATX:
        raise ValueError(
            f"Unknown floatx {value!r}. Expected one of {list(_VALID_FLOATX)}."
        )
    if value == "float64":
        jax.config.update("jax_enable_x64", True)
    _FLOATX = value


def epsilon() -> float:
    """Return the fuzz factor used to avoid division by zero."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    """Set the fuzz factor used to avoid division by zero."""
    global _EPSILON
    _EPSILON = float(value)


def image_data_format() -> str:
    """Return ``"channels_last"`` or ``"channels_first"``."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(value: str) -> None:
    """Set the default image layout for convolution and pooling layers."""
    global _IMAGE_DATA_FORMAT
    value = str(value).lower()
    if value not in ("channels_last", "channels_first"):
        raise ValueError(
            "image_data_format must be 'channels_last' or 'channels_first', "
            f"received {value!r}."
        )
    _IMAGE_DATA_FORMAT = value


def backend() -> str:
    """Return the name of the engine, always ``"jax"``."""
    return "jax"


def standardize_data_format(data_format: str | None) -> str:
    """Return ``data_format`` validated, or the global default when ``None``."""
    if data_format is None:
        return _IMAGE_DATA_FORMAT
    value = str(data_format).lower()
    if value not in ("channels_last", "channels_first"):
        raise ValueError(
            "data_format must be 'channels_last' or 'channels_first', "
            f"received {data_format!r}."
        )
    return value


_deterministic = False


def enable_deterministic() -> None:
    """Make training repeatable bit for bit (call before the first computation).

    On the CPU kerax's compiled steps are already deterministic: together with
    ``kerax.utils.set_random_seed`` a run repeats exactly. On GPUs this also
    asks XLA for deterministic kernels (``--xla_gpu_deterministic_ops``), which
    only takes effect if no computation has run yet in the process.
    """
    import os
    import warnings

    global _deterministic
    flag = "--xla_gpu_deterministic_ops=true"
    flags = os.environ.get("XLA_FLAGS", "")
    if flag not in flags:
        os.environ["XLA_FLAGS"] = f"{flags} {flag}".strip()
        try:
            from jax._src import xla_bridge

            started = xla_bridge.backends_are_initialized()
        except (ImportError, AttributeError):  # pragma: no cover - other JAX versions
            started = False
        if started and jax.default_backend() == "gpu":
            warnings.warn(
                "enable_deterministic() was called after JAX started; deterministic GPU "
                "kernels apply only to a new process. Call it before any computation.",
                stacklevel=2,
            )
    _deterministic = True


def is_deterministic() -> bool:
    """True after ``enable_deterministic()``."""
    return _deterministic
