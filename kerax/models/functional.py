"""``Functional``: a Model defined by a graph of layer calls on ``Input`` tensors."""

from __future__ import annotations

from typing import Any

from kerax.models.model import Model
from kerax.registry import register


@register("keras")
class Functional(Model):
    """A model built as ``Model(inputs, outputs)``; the graph runs in ``call``.

    Its config is Keras 3's: every layer with the calls (``inbound_nodes``)
    that connect it, and the model's ``input_layers``/``output_layers``.
    """

    def get_config(self) -> dict[str, Any]:
        """The graph in Keras 3's Functional config schema."""
        from kerax.saving.graph_config import functional_config

        return functional_config(self)

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None
    ) -> Functional:
        """Rebuild the graph by replaying each recorded layer call."""
        from kerax.saving.graph_config import functional_from_config

        return functional_from_config(cls, config, custom_objects)
