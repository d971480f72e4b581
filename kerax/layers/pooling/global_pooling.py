"""Global max and average pooling: reduce all spatial axes (1D, 2D, 3D)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax.layers.convolutional import conv_utils
from kerax.layers.input_spec import InputSpec
from kerax.layers.layer import Layer
from kerax.registry import register


class BaseGlobalPooling(Layer):
    """Reduce every spatial axis; ``keepdims=True`` keeps them with size 1."""

    def __init__(
        self,
        pool_dimensions: int,
        data_format: str | None = None,
        keepdims: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = f"{type(self).__name__} layer {self.name!r}"
        self.data_format = conv_utils.standardize_data_format(data_format, owner)
        self.keepdims = bool(keepdims)
        self.pool_dimensions = pool_dimensions
        self.input_spec = InputSpec(ndim=pool_dimensions + 2)

    def _axes(self) -> tuple[int, ...]:
        return tuple(conv_utils.spatial_axes(self.pool_dimensions, self.data_format))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        input_shape = tuple(input_shape)
        if len(input_shape) != self.pool_dimensions + 2:
            raise ValueError(
                f"{type(self).__name__} layer {self.name!r} expects inputs of rank "
                f"{self.pool_dimensions + 2}, received input shape {input_shape}."
            )
        axes = self._axes()
        if self.keepdims:
            return tuple(1 if i in axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in axes)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "data_format": self.data_format,
            "keepdims": self.keepdims,
        }


class _GlobalMax(BaseGlobalPooling):
    def call(self, inputs: jax.Array) -> jax.Array:
        return jnp.max(inputs, axis=self._axes(), keepdims=self.keepdims)


class _GlobalAverage(BaseGlobalPooling):
    def call(self, inputs: jax.Array) -> jax.Array:
        return jnp.mean(inputs, axis=self._axes(), keepdims=self.keepdims)


@register("keras.layers")
class GlobalMaxPooling1D(_GlobalMax):
    """Maximum over the steps of ``(batch, steps, channels)`` inputs."""

    def __init__(
        self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(1, data_format, keepdims, **kwargs)


@register("keras.layers")
class GlobalMaxPooling2D(_GlobalMax):
    """Maximum over height and width of ``(batch, height, width, channels)``."""

    def __init__(
        self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(2, data_format, keepdims, **kwargs)


@register("keras.layers")
class GlobalMaxPooling3D(_GlobalMax):
    """Maximum over the three spatial axes of 5D inputs."""

    def __init__(
        self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(3, data_format, keepdims, **kwargs)


@register("keras.layers")
class GlobalAveragePooling1D(_GlobalAverage):
    """Mean over the steps of ``(batch, steps, channels)`` inputs.

    A ``mask`` of shape ``(batch, steps)`` restricts the mean to unmasked steps;
    the output carries no mask.
    """

    def __init__(
        self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(1, data_format, keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs: jax.Array, mask: jax.Array | None = None) -> jax.Array:
        if mask is None:
            return super().call(inputs)
        channel_axis = 2 if self.data_format == "channels_last" else 1
        weights = jnp.expand_dims(jnp.asarray(mask, bool), channel_axis)
        steps = self._axes()
        total = jnp.sum(
            jnp.where(weights, inputs, 0), axis=steps, keepdims=self.keepdims
        )
        count = jnp.sum(
            weights.astype(inputs.dtype), axis=steps, keepdims=self.keepdims
        )
        return total / count

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        return None


@register("keras.layers")
class GlobalAveragePooling2D(_GlobalAverage):
    """Mean over height and width of ``(batch, height, width, channels)``."""

    def __init__(
        self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(2, data_format, keepdims, **kwargs)


@register("keras.layers")
class GlobalAveragePooling3D(_GlobalAverage):
    """Mean over the three spatial axes of 5D inputs."""

    def __init__(
        self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(3, data_format, keepdims, **kwargs)


GlobalMaxPool1D = GlobalMaxPooling1D
GlobalMaxPool2D = GlobalMaxPooling2D
GlobalMaxPool3D = GlobalMaxPooling3D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalAvgPool3D = GlobalAveragePooling3D
