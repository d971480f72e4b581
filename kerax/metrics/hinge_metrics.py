"""Hinge metrics: running means of the hinge losses."""

from __future__ import annotations

from typing import Any

from kerax.metrics.loss_functions import categorical_hinge, hinge, squared_hinge
from kerax.metrics.reduction_metrics import FixedFunctionWrapper
from kerax.registry import register


@register("keras.metrics")
class Hinge(FixedFunctionWrapper):
    """Running mean of ``hinge`` (0/1 labels are read as -1/1)."""

    def __init__(self, name: str = "hinge", dtype: Any = None) -> None:
        super().__init__(fn=hinge, name=name, dtype=dtype)
        self._direction = "down"


@register("keras.metrics")
class SquaredHinge(FixedFunctionWrapper):
    """Running mean of ``squared_hinge`` (0/1 labels are read as -1/1)."""

    def __init__(self, name: str = "squared_hinge", dtype: Any = None) -> None:
        super().__init__(fn=squared_hinge, name=name, dtype=dtype)
        self._direction = "down"


@register("keras.metrics")
class CategoricalHinge(FixedFunctionWrapper):
    """Running mean of ``categorical_hinge`` (one-hot labels)."""

    def __init__(self, name: str = "categorical_hinge", dtype: Any = None) -> None:
        super().__init__(fn=categorical_hinge, name=name, dtype=dtype)
        self._direction = "down"
