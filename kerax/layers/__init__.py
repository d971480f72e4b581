"""Layers (``kerax.layers``), re-exported by family."""

from kerax.layers.input_spec import InputSpec
from kerax.layers.layer import Layer

__all__ = ["InputSpec", "Layer"]
