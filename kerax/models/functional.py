"""``Functional``: a Model defined by a graph of layer calls on ``Input`` tensors."""

from __future__ import annotations

from kerax.models.model import Model
from kerax.registry import register


@register("keras")
class Functional(Model):
    """A model built as ``Model(inputs, outputs)``; the graph runs in ``call``."""
