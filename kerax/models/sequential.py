"""``Sequential``: a plain stack of layers, one input and one output."""

from __future__ import annotations

from typing import Any

from kerax.backend.keras_tensor import KerasTensor
from kerax.layers.core.input_layer import InputLayer
from kerax.layers.layer import Layer, bump_tracking_version, name_scope
from kerax.models.graph import Graph, adjust_input
from kerax.models.model import Model
from kerax.registry import register


@register("keras")
class Sequential(Model):
    """Layers applied one after the other.

    Build it from a list or with ``add``; give the input shape with
    ``kerax.Input(shape)`` first or ``input_shape=`` on the first layer, or let
    the first call (or ``fit``) build it.
    """

    def __init__(
        self,
        layers: list[Layer] | None = None,
        trainable: bool = True,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(trainable=trainable, name=name, **kwargs)
        self._stack: list[Layer] = []
        self._input_layer: InputLayer | None = None
        self._seq_graph: Graph | None = None
        self.built = False
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_build_graph()

    def add(self, layer: Any, rebuild: bool = True) -> None:
        """Append a layer (or an ``Input`` tensor as the first element)."""
        if isinstance(layer, KerasTensor):
            origin = layer._keras_history[0] if layer._keras_history else None
            if not isinstance(origin, InputLayer):
                raise ValueError(
                    "Only Input tensors can be added to a Sequential model; received "
                    f"{layer}."
                )
            layer = origin
        if not isinstance(layer, Layer):
            raise ValueError(
                "Only instances of kerax.layers.Layer can be added to a Sequential "
                f"model. Received: {layer!r} (of type {type(layer).__name__})"
            )
        if isinstance(layer, InputLayer):
            if self._stack or self._input_layer is not None:
                raise ValueError(
                    "An InputLayer can only be the first element of a Sequential model."
                )
            self._input_layer = layer
        else:
            if any(existing.name == layer.name for existing in self._stack):
                raise ValueError(
                    f"All layers added to a Sequential model should have unique names. "
                    f"Name '{layer.name}' is already the name of a layer in this model."
                )
            self._stack.append(layer)
        self.built = False
        self._seq_graph = None
        bump_tracking_version()
        if rebuild:
            self._maybe_build_graph()

    def pop(self, rebuild: bool = True) -> Layer:
        """Remove and return the last layer."""
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        layer = self._stack.pop()
        bump_tracking_version()
        self.built = False
        self._seq_graph = None
        if rebuild:
            self._maybe_build_graph()
        return layer

    @property
    def layers(self) -> list[Layer]:
        return list(self._stack)

    @property
    def _layers(self) -> list[Layer]:
        return list(self.__dict__.get("_stack", []))

    def _input_shape(self) -> tuple | None:
        if self._input_layer is not None:
            return self._input_layer.batch_shape
        if self._stack and self._stack[0]._input_shape_arg is not None:
            first = self._stack[0]
            return (first._batch_size_arg, *first._input_shape_arg)
        return None

    def _maybe_build_graph(self) -> None:
        shape = self._input_shape()
        if shape is None or not self._stack:
            return
        self.build(shape)

    def build(self, input_shape: Any = None) -> None:
        """Build every layer by calling the stack on a symbolic input."""
        if input_shape is None:
            input_shape = self._input_shape()
        if input_shape is None:
            raise ValueError("Sequential.build needs an input shape.")
        input_shape = tuple(input_shape)
        if self._input_layer is None or self._input_layer.batch_shape != input_shape:
            dtype = self._input_layer.dtype if self._input_layer is not None else None
            if self._input_layer is None and self._stack:
                dtype = None
            self._input_layer = InputLayer(
                batch_shape=input_shape, dtype=dtype, name=self._input_layer_name()
            )
        x = self._input_layer.output_tensor
        with name_scope(self.name):
            for layer in self._stack:
                try:
                    x = layer(x)
                except Exception as error:
                    if isinstance(error, (ValueError, TypeError)) and layer.name in str(
                        error
                    ):
                        raise
                    raise type(error)(
                        f"Sequential model {self.name!r}: layer {layer.name!r} failed on "
                        f"input of shape {getattr(x, 'shape', '?')}: {error}"
                    ) from error
        self._seq_graph = Graph(self._input_layer.output_tensor, x)
        self._build_shapes_dict = input_shape
        self.built = True

    def _input_layer_name(self) -> str:
        from kerax.utils import naming

        return naming.uniquify("input_layer")

    @property
    def inputs(self) -> Any:
        return [self._seq_graph.inputs[0]] if self._seq_graph is not None else None

    @property
    def outputs(self) -> Any:
        return [self._seq_graph.outputs[0]] if self._seq_graph is not None else None

    @property
    def input(self) -> Any:
        return self._seq_graph.inputs[0] if self._seq_graph is not None else None

    @property
    def output(self) -> Any:
        return self._seq_graph.outputs[0] if self._seq_graph is not None else None

    @property
    def input_shape(self) -> Any:
        return self._seq_graph.inputs[0].shape if self._seq_graph is not None else None

    @property
    def output_shape(self) -> Any:
        return self._seq_graph.outputs[0].shape if self._seq_graph is not None else None

    def _maybe_build(self, args: tuple, kwargs: dict) -> None:
        if self.built:
            return
        first = args[0] if args else None
        shape = getattr(first, "shape", None)
        if shape is None:
            raise ValueError(
                f"Sequential model {self.name!r} cannot be built from input {first!r}."
            )
        self.build((None, *tuple(shape)[1:]))

    def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        if self._seq_graph is not None:
            x = adjust_input(inputs, self._seq_graph.inputs[0], 0, self.name)
            return self._seq_graph.run([x], None if mask is None else [mask])
        x = inputs
        for layer in self._stack:
            kwargs = {}
            if mask is not None and layer._call_has_mask:
                kwargs["mask"] = mask
            x = layer(x, **kwargs)
            mask = layer.compute_mask(x, mask) if mask is not None else None
        return x

    def get_config(self) -> dict[str, Any]:
        from kerax.saving.serialization import serialize_keras_object

        layers = []
        if self._input_layer is not None:
            layers.append(serialize_keras_object(self._input_layer))
        layers.extend(serialize_keras_object(layer) for layer in self._stack)
        return {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": Layer.get_config(self)["dtype"],
            "layers": layers,
        }

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: Any = None
    ) -> Sequential:
        from kerax.saving.serialization import deserialize_keras_object

        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for layer_config in config["layers"]:
            layer = deserialize_keras_object(
                layer_config, custom_objects=custom_objects
            )
            model.add(layer, rebuild=False)
        model._maybe_build_graph()
        return model

    def __len__(self) -> int:
        return len(self._stack)
