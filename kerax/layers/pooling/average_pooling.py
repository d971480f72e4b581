"""``AveragePooling1D``, ``AveragePooling2D``, ``AveragePooling3D``."""

from __future__ import annotations

from typing import Any

from kerax.layers.pooling.base_pooling import BasePooling
from kerax.registry import register


@register("keras.layers")
class AveragePooling1D(BasePooling):
    """Mean over windows of ``(batch, steps, channels)`` inputs.

    With padding="same", each mean counts only the real (unpadded) elements.

    Example:
        >>> AveragePooling1D(2)(jax.numpy.ones((1, 6, 2))).shape
        (1, 3, 2)
    """

    def __init__(
        self,
        pool_size: Any,
        strides: Any = None,
        padding: str = "valid",
        data_format: str | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            pool_size, strides, 1, "average", padding, data_format, name=name, **kwargs
        )


@register("keras.layers")
class AveragePooling2D(BasePooling):
    """Mean over windows of ``(batch, height, width, channels)`` inputs.

    Example:
        >>> AveragePooling2D(2)(jax.numpy.ones((1, 4, 4, 3))).shape
        (1, 2, 2, 3)
    """

    def __init__(
        self,
        pool_size: Any,
        strides: Any = None,
        padding: str = "valid",
        data_format: str | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            pool_size, strides, 2, "average", padding, data_format, name=name, **kwargs
        )


@register("keras.layers")
class AveragePooling3D(BasePooling):
    """Mean over windows of ``(batch, depth, height, width, channels)`` inputs.

    Example:
        >>> AveragePooling3D(2)(jax.numpy.ones((1, 4, 4, 4, 1))).shape
        (1, 2, 2, 2, 1)
    """

    def __init__(
        self,
        pool_size: Any,
        strides: Any = None,
        padding: str = "valid",
        data_format: str | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            pool_size, strides, 3, "average", padding, data_format, name=name, **kwargs
        )


AvgPool1D = AveragePooling1D
AvgPool2D = AveragePooling2D
AvgPool3D = AveragePooling3D
