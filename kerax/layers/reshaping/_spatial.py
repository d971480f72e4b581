"""Helpers for layers that act on the spatial axes of 1D/2D/3D inputs."""

from __future__ import annotations


def spatial_axes(data_format: str, rank: int) -> tuple[int, ...]:
    """Indices of the ``rank`` spatial axes of a ``(batch, ..., channels)`` input."""
    first = 2 if data_format == "channels_first" else 1
    return tuple(range(first, first + rank))
