"""``MaxPooling1D``, ``MaxPooling2D``, ``MaxPooling3D``."""

from __future__ import annotations

from typing import Any

from kerax.layers.pooling.base_pooling import BasePooling
from kerax.registry import register


@register("keras.layers")
class MaxPooling1D(BasePooling):
    """Maximum over windows of ``(batch, steps, channels)`` inputs.

    Example:
        >>> MaxPooling1D()(jax.numpy.ones((1, 6, 2))).shape
        (1, 3, 2)
    """

    def __init__(
        self,
        pool_size: Any = 2,
        strides: Any = None,
        padding: str = "valid",
        data_format: str | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            pool_size, strides, 1, "max", padding, data_format, name=name, **kwargs
        )


@register("keras.layers")
class MaxPooling2D(BasePooling):
    """Maximum over windows of ``(batch, height, width, channels)`` inputs.

    Example:
        >>> MaxPooling2D()(jax.numpy.ones((1, 4, 4, 3))).shape
        (1, 2, 2, 3)
    """

    def __init__(
        self,
        pool_size: Any = (2, 2),
        strides: Any = None,
        padding: str = "valid",
        data_format: str | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            pool_size, strides, 2, "max", padding, data_format, name=name, **kwargs
        )


@register("keras.layers")
class MaxPooling3D(BasePooling):
    """Maximum over windows of ``(batch, depth, height, width, channels)`` inputs.

    Example:
        >>> MaxPooling3D()(jax.numpy.ones((1, 4, 4, 4, 1))).shape
        (1, 2, 2, 2, 1)
    """

    def __init__(
        self,
        pool_size: Any = (2, 2, 2),
        strides: Any = None,
        padding: str = "valid",
        data_format: str | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            pool_size, strides, 3, "max", padding, data_format, name=name, **kwargs
        )


MaxPool1D = MaxPooling1D
MaxPool2D = MaxPooling2D
MaxPool3D = MaxPooling3D
