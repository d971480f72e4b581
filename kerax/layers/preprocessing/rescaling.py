"""``Rescaling``: multiplies inputs by ``scale`` and adds ``offset``."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerax import config
from kerax.layers.layer import Layer
from kerax.registry import register


def serialize_value(value: Any) -> Any:
    """Numbers and lists as they are; an array as Keras's ``__numpy__`` config."""
    if isinstance(value, (np.ndarray, jax.Array)):
        array = np.asarray(value)
        return {
            "class_name": "__numpy__",
            "config": {"value": array.tolist(), "dtype": str(array.dtype)},
        }
    return value


def deserialize_value(value: Any) -> Any:
    """Undo ``serialize_value``."""
    if isinstance(value, dict) and value.get("class_name") == "__numpy__":
        return np.asarray(value["config"]["value"], value["config"]["dtype"])
    return value


@register("keras.layers")
class Rescaling(Layer):
    """Computes ``inputs * scale + offset`` in the compute dtype.

    ``scale`` and ``offset`` may be numbers or per-channel arrays (matched to
    the channel axis of the global image data format).

    Args:
        scale: the multiplier, e.g. ``1 / 255``.
        offset: the value added after scaling.

    Example:
        >>> kerax.layers.Rescaling(1 / 127.5, offset=-1)(np.array([0.0, 255.0]))
        Array([-1.,  1.], dtype=float32)
    """

    def __init__(self, scale: Any, offset: Any = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True

    def _aligned(self, value: Any, ndim: int) -> jax.Array:
        value = jnp.asarray(value, self.compute_dtype)
        if value.ndim and config.image_data_format() == "channels_first":
            value = value.reshape(value.shape + (1,) * (3 - value.ndim))
        return value.reshape((1,) * (ndim - value.ndim) + value.shape)

    def call(self, inputs: jax.Array) -> jax.Array:
        x = jnp.asarray(inputs).astype(self.compute_dtype)
        return x * self._aligned(self.scale, x.ndim) + self._aligned(
            self.offset, x.ndim
        )

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "scale": serialize_value(self.scale),
            "offset": serialize_value(self.offset),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Rescaling:
        config = dict(config)
        config["scale"] = deserialize_value(config["scale"])
        config["offset"] = deserialize_value(config["offset"])
        return super().from_config(config)
