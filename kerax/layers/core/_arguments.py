"""Validation of constructor arguments shared by the core, reshaping and
regularization layer families."""

from __future__ import annotations

from typing import Any

import numpy as np


def is_int(value: Any) -> bool:
    """True for Python and numpy integers (not bools)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def positive_int(value: Any, name: str, layer: str) -> int:
    """``value`` as an int, or a ValueError unless it is a positive integer."""
    if not is_int(value) or value <= 0:
        raise ValueError(
            f"{layer}: `{name}` must be a positive integer. Received: "
            f"{name}={value!r} (of type {type(value).__name__})."
        )
    return int(value)


def rate_in_unit_interval(value: Any, name: str, layer: str) -> float:
    """``value`` unchanged, or a ValueError unless it is a number in [0, 1]."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise ValueError(
            f"{layer}: `{name}` must be a float between 0 and 1. Received: "
            f"{name}={value!r}."
        )
    if not 0 <= value <= 1:
        raise ValueError(
            f"{layer}: `{name}` must be a float between 0 and 1. Received: "
            f"{name}={value}."
        )
    return value


def int_tuple(value: Any, n: int, name: str, layer: str, allow_zero: bool) -> tuple:
    """An int or ``n`` ints as a tuple of ``n`` ints (positive, or >= 0)."""
    message = (
        f"{layer}: `{name}` must be an int or a tuple of {n} integers. "
        f"Received: {name}={value!r}."
    )
    if is_int(value):
        values = (int(value),) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            raise ValueError(message) from None
        if len(values) != n or not all(is_int(v) for v in values):
            raise ValueError(message)
        values = tuple(int(v) for v in values)
    low = 0 if allow_zero else 1
    if any(v < low for v in values):
        raise ValueError(
            f"{layer}: every entry of `{name}` must be >= {low}. Received: "
            f"{name}={value!r}."
        )
    return values


def pairs(value: Any, n: int, name: str, layer: str) -> tuple:
    """Padding or cropping amounts as ``n`` (before, after) pairs of ints >= 0.

    Accepts an int (same everywhere), ``n`` ints (symmetric per axis) or ``n``
    pairs.
    """
    if is_int(value):
        return (int_tuple(value, 2, name, layer, allow_zero=True),) * n
    if n == 1:
        return (int_tuple(value, 2, name, layer, allow_zero=True),)
    if not hasattr(value, "__len__") or len(value) != n:
        raise ValueError(
            f"{layer}: `{name}` must be an int, a tuple of {n} ints or a tuple "
            f"of {n} (before, after) pairs of ints. Received: {name}={value!r}."
        )
    return tuple(
        int_tuple(entry, 2, f"{name}[{i}]", layer, allow_zero=True)
        for i, entry in enumerate(value)
    )
