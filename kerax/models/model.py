"""``Model``: a Layer that trains (compile/fit/evaluate/predict).

``Model(inputs, outputs)`` builds a Functional model; subclassing ``Model`` and
writing ``call`` builds any other. A small ``__new__`` routes the first form to
``Functional`` so that ``isinstance(model, Functional)`` holds as in Keras.
"""

from __future__ import annotations

from typing import Any

import jax

from kerax.backend.keras_tensor import KerasTensor, is_keras_tensor
from kerax.layers.input_spec import InputSpec
from kerax.layers.layer import Layer
from kerax.models.graph import Graph, adjust_input
from kerax.registry import register
from kerax.trainers.trainer import Trainer


def _is_functional_call(args: tuple, kwargs: dict) -> bool:
    if "inputs" in kwargs and "outputs" in kwargs:
        return True
    if len(args) >= 2:
        return True
    return len(args) == 1 and "outputs" in kwargs


@register("keras")
class Model(Trainer, Layer):
    """A trainable stack of layers: Functional (inputs, outputs) or subclassed."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Model:
        if cls is Model and _is_functional_call(args, kwargs):
            from kerax.models.functional import Functional

            return object.__new__(Functional)
        return object.__new__(cls)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        inputs = kwargs.pop("inputs", None)
        outputs = kwargs.pop("outputs", None)
        if args:
            inputs = args[0] if inputs is None else inputs
        if len(args) > 1:
            outputs = args[1] if outputs is None else outputs
        layer_kwargs = {
            k: kwargs.pop(k)
            for k in ("name", "trainable", "dtype", "autocast")
            if k in kwargs
        }
        if kwargs and inputs is None:
            Layer.__init__(self, **layer_kwargs, **kwargs)
        else:
            Layer.__init__(self, **layer_kwargs)
        Trainer.__init__(self)
        self._graph: Graph | None = None
        if inputs is not None or outputs is not None:
            if inputs is None or outputs is None:
                raise ValueError(
                    "A Functional model needs both `inputs` and `outputs`."
                )
            self._init_graph(inputs, outputs)

    def _init_graph(self, inputs: Any, outputs: Any) -> None:
        if isinstance(inputs, KerasTensor) or isinstance(inputs, (list, tuple, dict)):
            pass
        else:
            raise ValueError(
                f"`inputs` must be a KerasTensor or a list/dict of them, received {inputs!r}."
            )
        if (
            isinstance(outputs, (list, tuple))
            and len(outputs) == 1
            and not isinstance(inputs, dict)
        ):
            outputs = list(outputs)
        self._graph = Graph(inputs, outputs)
        self.built = True
        self._call_has_training = True
        self._call_has_mask = False
        self.input_spec = [
            InputSpec(shape=t.shape, allow_last_axis_squeeze=True, name=t.name)
            for t in self._graph.inputs
        ]
        self._build_shapes_dict = jax.tree_util.tree_map(
            lambda t: t.shape, inputs, is_leaf=is_keras_tensor
        )

    # -- structure ---------------------------------------------------------
    @property
    def _layers(self) -> list[Layer]:
        graph = self.__dict__.get("_graph")
        if graph is not None:
            return [layer for layer in graph.layers if layer is not self]
        return Layer._layers.fget(self)  # type: ignore[attr-defined]

    @property
    def layers(self) -> list[Layer]:
        """The model's layers (Functional: in graph order, inputs included)."""
        if self._graph is not None:
            from kerax.layers.op_layer import OpLayer
            from kerax.models.graph_order import operations_in_keras_order

            return [
                op
                for op in operations_in_keras_order(self._graph)
                if op is not self and not isinstance(op, OpLayer)
            ]
        return self._layers

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by name or by index in ``layers``."""
        if index is not None and name is not None:
            raise ValueError("Provide only one of `name` or `index` to get_layer.")
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model only "
                    f"has {len(self.layers)} layers."
                )
            return self.layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ValueError(
                f"No such layer: {name}. Existing layers are: "
                f"{[layer.name for layer in self.layers]}."
            )
        raise ValueError("Provide either a layer `name` or `index` to get_layer.")

    @property
    def inputs(self) -> Any:
        return self._graph.inputs if self._graph is not None else None

    @property
    def outputs(self) -> Any:
        return self._graph.outputs if self._graph is not None else None

    @property
    def input_names(self) -> list[str]:
        return [t.name for t in self.inputs] if self._graph is not None else []

    @property
    def output_names(self) -> list[str]:
        if self._graph is None:
            return []
        names = []
        for tensor in self._graph.outputs:
            names.append(tensor._keras_history[0].name)
        return names

    @property
    def input(self) -> Any:
        if self._graph is None:
            return Layer.input.fget(self)  # type: ignore[attr-defined]
        return self._graph.inputs_struct

    @property
    def output(self) -> Any:
        if self._graph is None:
            return Layer.output.fget(self)  # type: ignore[attr-defined]
        return self._graph.outputs_struct

    # -- calling -------------------------------------------------------------
    def __call__(self, *args: Any, _kerax_compiled: bool = True, **kwargs: Any) -> Any:
        """Call the model; top-level calls on arrays run a cached compiled forward."""
        if _kerax_compiled and "_tracking" in self.__dict__:
            from kerax.models.compiled_call import compiled_call

            done, outputs = compiled_call(self, args, kwargs)
            if done:
                return outputs
        return Layer.__call__(self, *args, **kwargs)

    def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        """Run the graph (Functional models); subclasses override ``call``."""
        if self._graph is None:
            raise NotImplementedError(
                f"Model {type(self).__name__} must implement call() or be built with "
                "Model(inputs, outputs)."
            )
        flat = self._flatten_inputs(inputs)
        flat = [
            adjust_input(x, t, i, self.name)
            for i, (x, t) in enumerate(zip(flat, self._graph.inputs))
        ]
        masks = None
        if mask is not None:
            masks = jax.tree_util.tree_leaves(mask)
        return self._graph.run(flat, masks)

    def _check_inputs(self, inputs: Any) -> None:
        """Check inputs against the graph's Inputs, matching dicts by name."""
        if self._graph is None:
            Layer._check_inputs(self, inputs)
            return
        from kerax.layers.input_spec import assert_input_compatibility

        assert_input_compatibility(
            self.input_spec, self._flatten_inputs(inputs), self.name
        )

    def _flatten_inputs(self, inputs: Any) -> list[Any]:
        graph = self._graph
        assert graph is not None
        expected = len(graph.inputs)
        if isinstance(inputs, dict):
            by_name = {t.name: t for t in graph.inputs}
            if isinstance(graph.inputs_struct, dict):
                keys = sorted(graph.inputs_struct)  # the order of graph.inputs
                missing = [k for k in keys if k not in inputs]
                if missing:
                    raise ValueError(
                        f"Model {self.name!r} is missing inputs {missing}; received "
                        f"keys {list(inputs)}."
                    )
                return [inputs[k] for k in keys]
            missing = [n for n in by_name if n not in inputs]
            if missing:
                raise ValueError(
                    f"Model {self.name!r} expects inputs named {list(by_name)}, "
                    f"received keys {list(inputs)}."
                )
            return [inputs[t.name] for t in graph.inputs]
        if isinstance(inputs, (list, tuple)) and expected > 1:
            flat = list(inputs)
        elif isinstance(inputs, (list, tuple)) and expected == 1 and len(inputs) == 1:
            flat = [inputs[0]]
        else:
            flat = [inputs]
        if len(flat) != expected:
            raise ValueError(
                f"Model {self.name!r} expects {expected} input(s), but it received "
                f"{len(flat)} input tensors."
            )
        return flat

    def build(self, input_shape: Any = None) -> None:
        """Build a subclassed model by calling it on a symbolic input."""
        if self.built or self._graph is not None:
            self.built = True
            return
        if input_shape is None:
            raise ValueError("Model.build needs an input shape.")

        def is_shape(s: Any) -> bool:
            return isinstance(s, (tuple, list)) and all(
                d is None or isinstance(d, int) for d in s
            )

        symbolic = jax.tree_util.tree_map(
            lambda s: KerasTensor(tuple(s), self.compute_dtype),
            input_shape,
            is_leaf=is_shape,
        )
        self.built = True
        try:
            self._spec_call(symbolic)
        except Exception as error:
            self.built = False
            raise ValueError(
                f"Model {self.name!r} could not be built for input shape "
                f"{input_shape}: {error}"
            ) from error
        self._build_shapes_dict = input_shape

    # -- saving (implemented in kerax.saving) ----------------------------------
    def save(self, filepath: Any, overwrite: bool = True, **kwargs: Any) -> None:
        """Save architecture, weights and optimizer state (``.keras`` or legacy ``.h5``)."""
        from kerax.saving import save_model

        save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(
        self,
        filepath: Any,
        overwrite: bool = True,
        max_shard_size: float | None = None,
        **kwargs: Any,
    ) -> None:
        """Save the weights to a ``.weights.h5`` (or legacy ``.h5``) file.

        With ``max_shard_size`` (gigabytes): a ``.weights.json`` index and shards.
        """
        from kerax.saving import save_weights

        save_weights(
            self, filepath, overwrite=overwrite, max_shard_size=max_shard_size, **kwargs
        )

    def load_weights(
        self, filepath: Any, skip_mismatch: bool = False, **kwargs: Any
    ) -> None:
        """Load weights saved by ``save_weights`` (kerax or Keras)."""
        from kerax.saving import load_weights

        load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    def to_json(self, **kwargs: Any) -> str:
        """The model's architecture as a Keras-format JSON string."""
        from kerax.saving import model_to_json

        return model_to_json(self, **kwargs)

    def export(self, filepath: Any, format: str = "jax", **kwargs: Any) -> None:  # noqa: A002
        """Export the inference function as a serialized JAX artifact."""
        from kerax.saving import export_model

        export_model(self, filepath, format=format, **kwargs)

    def summary(
        self,
        line_length: int | None = None,
        positions: list[float] | None = None,
        print_fn: Any = None,
        expand_nested: bool = False,
        show_trainable: bool = False,
        layer_range: Any = None,
    ) -> None:
        """Print a table of layers, output shapes and parameter counts (Keras format)."""
        from kerax.models.summary import print_summary

        print_summary(
            self,
            line_length=line_length,
            positions=positions,
            print_fn=print_fn,
            expand_nested=expand_nested,
            show_trainable=show_trainable,
            layer_range=layer_range,
        )
