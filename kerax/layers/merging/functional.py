"""Function forms of the merge layers: ``add([a, b])`` is ``Add()([a, b])``."""

from __future__ import annotations

from typing import Any

from kerax.layers.merging.concatenate import Concatenate
from kerax.layers.merging.dot import Dot
from kerax.layers.merging.elementwise import (
    Add,
    Average,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
)


def add(inputs: list, **kwargs: Any) -> Any:
    """Sum of ``inputs``, through an ``Add`` layer."""
    return Add(**kwargs)(inputs)


def subtract(inputs: list, **kwargs: Any) -> Any:
    """``inputs[0] - inputs[1]``, through a ``Subtract`` layer."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs: list, **kwargs: Any) -> Any:
    """Elementwise product of ``inputs``, through a ``Multiply`` layer."""
    return Multiply(**kwargs)(inputs)


def average(inputs: list, **kwargs: Any) -> Any:
    """Elementwise mean of ``inputs``, through an ``Average`` layer."""
    return Average(**kwargs)(inputs)


def maximum(inputs: list, **kwargs: Any) -> Any:
    """Elementwise maximum of ``inputs``, through a ``Maximum`` layer."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs: list, **kwargs: Any) -> Any:
    """Elementwise minimum of ``inputs``, through a ``Minimum`` layer."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs: list, axis: int = -1, **kwargs: Any) -> Any:
    """``inputs`` joined along ``axis``, through a ``Concatenate`` layer."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs: list, axes: Any = -1, **kwargs: Any) -> Any:
    """Per-sample dot product of two inputs, through a ``Dot`` layer."""
    return Dot(axes=axes, **kwargs)(inputs)
