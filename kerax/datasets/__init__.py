"""Datasets (``kerax.datasets``)."""

from kerax.datasets import digits

__all__ = ["digits"]
