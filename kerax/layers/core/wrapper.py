"""``Wrapper``: base of layers that wrap another layer (``TimeDistributed``...)."""

from __future__ import annotations

from typing import Any

from kerax import registry
from kerax.layers.layer import Layer
from kerax.registry import register


def serialize_layer(layer: Layer) -> dict[str, Any]:
    """The Keras config dict of a layer: module, class name, config, build shapes."""
    public = registry.public_name(layer)
    module, class_name = public if public else (type(layer).__module__, None)
    config: dict[str, Any] = {
        "module": module,
        "class_name": class_name or type(layer).__name__,
        "config": layer.get_config(),
        "registered_name": None if public else type(layer).__name__,
    }
    build_config = layer.get_build_config() if layer.built else None
    if build_config is not None:
        config["build_config"] = build_config
    return config


def deserialize_layer(
    config: dict[str, Any], custom_objects: dict[str, Any] | None = None
) -> Layer:
    """A layer from ``serialize_layer`` output (registered or custom classes only)."""
    class_name = config["class_name"]
    custom = custom_objects or {}
    cls = custom.get(class_name) or custom.get(config.get("registered_name"))
    if cls is None:
        cls = registry.lookup(config.get("module") or "keras.layers", class_name)
    if cls is None:
        cls = registry.lookup("keras.layers", class_name)
    if cls is None:
        raise ValueError(
            f"Unknown layer {class_name!r} in config: it is neither a kerax layer "
            "nor in `custom_objects`."
        )
    layer = cls.from_config(config["config"])
    if config.get("build_config"):
        layer.build_from_config(config["build_config"])
    return layer


@register("keras.layers")
class Wrapper(Layer):
    """Abstract base of layers that add behaviour around another layer.

    Args:
        layer: the wrapped ``Layer``; its weights belong to the wrapper.
    """

    def __init__(self, layer: Layer, **kwargs: Any) -> None:
        if not isinstance(layer, Layer):
            raise ValueError(
                f"{type(self).__name__} wraps a kerax Layer instance; received "
                f"{layer!r}."
            )
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape: Any = None) -> None:
        if not self.layer.built:
            self.layer.build_from_config({"input_shape": input_shape})

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "layer": serialize_layer(self.layer)}

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None
    ) -> Wrapper:
        """Rebuild the wrapper and its wrapped layer from a config."""
        config = dict(config)
        layer = deserialize_layer(config.pop("layer"), custom_objects)
        return super().from_config({**config, "layer": layer})
