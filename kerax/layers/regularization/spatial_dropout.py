"""``SpatialDropout1D/2D/3D``: drop whole feature maps instead of single entries."""

from __future__ import annotations

from typing import Any

import jax

from kerax import config
from kerax.layers.core.dropout import Dropout
from kerax.layers.input_spec import InputSpec
from kerax.registry import register


class _SpatialDropout(Dropout):
    """Dropout with one keep/drop decision per (sample, channel)."""

    rank = 0

    def __init__(
        self,
        rate: float,
        data_format: str | None,
        seed: int | None,
        name: str | None,
        dtype: Any,
    ) -> None:
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.data_format = config.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _noise_shape(self, inputs: jax.Array) -> tuple:
        batch = inputs.shape[0]
        ones = (1,) * self.rank
        if self.data_format == "channels_first":
            return (batch, inputs.shape[1], *ones)
        return (batch, *ones, inputs.shape[-1])

    def get_config(self) -> dict[str, Any]:
        return {
            "rate": self.rate,
            "seed": self.seed,
            "name": self.name,
            "dtype": self.dtype,
            "data_format": self.data_format,
        }


@register("keras.layers")
class SpatialDropout1D(_SpatialDropout):
    """Drops entire feature channels of ``(batch, steps, channels)`` inputs.

    Args:
        rate: fraction of channels to drop, in [0, 1].
        seed: int seed of the layer's random stream.
    """

    rank = 1

    def __init__(
        self,
        rate: float,
        seed: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(rate, "channels_last", seed, name, dtype)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["data_format"]
        return config


@register("keras.layers")
class SpatialDropout2D(_SpatialDropout):
    """Drops entire 2D feature maps (channels) of image inputs.

    Args:
        rate: fraction of channels to drop, in [0, 1].
        data_format: ``"channels_last"`` or ``"channels_first"``.
        seed: int seed of the layer's random stream.
    """

    rank = 2

    def __init__(
        self,
        rate: float,
        data_format: str | None = None,
        seed: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(rate, data_format, seed, name, dtype)


@register("keras.layers")
class SpatialDropout3D(_SpatialDropout):
    """Drops entire 3D feature maps (channels) of volume inputs.

    Args:
        rate: fraction of channels to drop, in [0, 1].
        data_format: ``"channels_last"`` or ``"channels_first"``.
        seed: int seed of the layer's random stream.
    """

    rank = 3

    def __init__(
        self,
        rate: float,
        data_format: str | None = None,
        seed: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(rate, data_format, seed, name, dtype)
