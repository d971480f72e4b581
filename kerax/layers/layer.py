"""``Layer``: the base of every layer and model.

Lifecycle, as in Keras: ``__init__`` validates and stores arguments, ``build``
creates weights from the first input shape, ``call`` computes, ``get_config``
round-trips the constructor arguments. ``__call__`` adds the framework around
``call``: building, input checks, ``training`` propagation, symbolic calls on
KerasTensors (graph building), and recording for GradientTape.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerax import dtype_policies
from kerax.autodiff import recording, state_scope
from kerax.autodiff.recording import Tensor, unwrap_tensors
from kerax.autodiff.variable import Variable
from kerax.backend.keras_tensor import (
    KerasTensor,
    any_symbolic,
    is_keras_tensor,
)
from kerax.backend.tensors import convert_to_tensor
from kerax.layers.call_context import (
    _context,
    current_training,
    name_scope_if_nested,
    state_scope_allow_creation,
)
from kerax.layers.call_context import name_scope as name_scope  # re-exported
from kerax.layers.input_spec import assert_input_compatibility
from kerax.layers.layer_weights import LayerWeights
from kerax.layers.node import Node
from kerax.layers.remat import get_current_remat_mode, layer_call
from kerax.layers.symbolic import (
    _attach_masks,
    _shapes_to_tensors,
    _symbolic_mask,
    trace_output_spec,
)
from kerax.random.seed_generator import SeedGenerator
from kerax.utils import naming

_ALLOWED_KWARGS = {
    "input_dim",
    "input_shape",
    "batch_input_shape",
    "batch_size",
    "weights",
    "dynamic",
    "input_length",
}


def _is_tensor_like(x: Any) -> bool:
    return isinstance(x, (jax.Array, np.ndarray, Tensor, Variable, KerasTensor))


def _shape_of(x: Any) -> Any:
    if isinstance(x, (list, tuple)):
        return type(x)(_shape_of(v) for v in x)
    if isinstance(x, dict):
        return {k: _shape_of(v) for k, v in x.items()}
    shape = getattr(x, "shape", None)
    return None if shape is None else tuple(shape)


def _to_array(x: Any) -> Any:
    if isinstance(x, (np.ndarray, np.generic)):
        return convert_to_tensor(x)
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return convert_to_tensor(x)
    return x


_tracking_version = [0]


def _is_stateful(value: Any) -> bool:
    return isinstance(value, (Layer, Variable, SeedGenerator)) or getattr(
        value, "_is_metric", False
    )


def _holds_state(value: Any) -> bool:
    """A layer, metric or Variable, or a container holding one (shallow look)."""
    if isinstance(value, (list, tuple)):
        return any(_is_stateful(v) for v in value)
    if isinstance(value, dict):
        return any(_is_stateful(v) for v in value.values())
    return _is_stateful(value)


def bump_tracking_version() -> None:
    """Invalidate cached variable lists (a layer's structure changed)."""
    _tracking_version[0] += 1


def tracking_version() -> tuple[int, int]:
    """Changes whenever layers are attached or Variables are created."""
    from kerax.autodiff.variable import creation_count

    return (_tracking_version[0], creation_count())


class Layer(LayerWeights):
    """Base class of all layers (and of ``Model``).

    Args:
        activity_regularizer: applied to the outputs; its value is a loss.
        trainable: whether the layer's weights are trained.
        dtype: a dtype or dtype policy name (``"mixed_bfloat16"``).
        name: unique name; derived from the class name by default.
    """

    def __init__(
        self,
        *,
        activity_regularizer: Any = None,
        trainable: bool = True,
        dtype: Any = None,
        autocast: bool = True,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        unknown = set(kwargs) - _ALLOWED_KWARGS
        if unknown:
            raise TypeError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                f"{kwargs}"
            )
        object.__setattr__(self, "_tracking", False)
        if name is None:
            name = naming.uniquify(naming.to_snake_case(type(self).__name__))
        elif not isinstance(name, str) or "/" in name:
            raise ValueError(
                f"Layer name must be a string without '/', received {name!r}."
            )
        self.name = name
        self._dtype_policy = dtype_policies.get(dtype)
        self.autocast = autocast
        self._trainable = bool(trainable)
        self.built = False
        self.supports_masking = False
        self.input_spec = None
        self._trainable_variables: list[Variable] = []
        self._non_trainable_variables: list[Variable] = []
        self._losses: list[Any] = []
        self._inbound_nodes: list[Node] = []
        self._build_shapes_dict: Any = None
        self._initial_weights = kwargs.get("weights")
        from kerax import regularizers

        self.activity_regularizer = regularizers.get(activity_regularizer)
        input_shape = kwargs.get("input_shape")
        batch_input_shape = kwargs.get("batch_input_shape")
        input_dim = kwargs.get("input_dim")
        if input_shape is None and input_dim is not None:
            input_shape = (input_dim,)
        if batch_input_shape is not None:
            self._input_shape_arg = tuple(batch_input_shape)[1:]
            self._batch_size_arg = tuple(batch_input_shape)[0]
        else:
            self._input_shape_arg = (
                tuple(input_shape) if input_shape is not None else None
            )
            self._batch_size_arg = kwargs.get("batch_size")
        signature = inspect.signature(self.call)
        self._call_has_training = "training" in signature.parameters
        self._call_has_mask = "mask" in signature.parameters
        self._remat_mode = get_current_remat_mode()  # RematScope at construction
        object.__setattr__(self, "_tracking", True)

    # -- attribute tracking ----------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        if getattr(self, "_tracking", False):
            if isinstance(value, Variable):
                self._track_variable(value)
            if _holds_state(value):
                bump_tracking_version()
        object.__setattr__(self, name, value)

    def _track_variable(self, variable: Variable) -> None:
        if any(v is variable for v in self._trainable_variables):
            return
        if any(v is variable for v in self._non_trainable_variables):
            return
        if variable.trainable:
            self._trainable_variables.append(variable)
        else:
            self._non_trainable_variables.append(variable)

    def _children(self) -> Iterator[Any]:
        """Layers, seed generators and metrics held in attributes, in order."""
        seen: set[int] = {id(self)}

        def visit(value: Any, depth: int) -> Iterator[Any]:
            if id(value) in seen:
                return
            if isinstance(value, (Layer, SeedGenerator)) or getattr(
                value, "_is_metric", False
            ):
                seen.add(id(value))
                yield value
            elif depth < 3 and isinstance(value, (list, tuple)):
                for item in value:
                    yield from visit(item, depth + 1)
            elif depth < 3 and isinstance(value, dict):
                for item in value.values():
                    yield from visit(item, depth + 1)

        for key, value in self.__dict__.items():
            if key in ("_inbound_nodes", "_parent_model", "_compile_state"):
                continue
            yield from visit(value, 0)

    @property
    def _layers(self) -> list[Layer]:
        return [c for c in self._children() if isinstance(c, Layer)]

    def _flatten_layers(
        self, include_self: bool = True, recursive: bool = True
    ) -> list[Layer]:
        result: list[Layer] = [self] if include_self else []
        seen = {id(self)}
        queue = list(self._layers)
        while queue:
            layer = queue.pop(0)
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            result.append(layer)
            if recursive:
                queue = list(layer._layers) + queue
        return result

    # -- losses -----------------------------------------------------------
    def add_loss(self, loss: Any) -> None:
        """Add a loss term (e.g. a penalty computed in ``call``)."""
        scope = state_scope.current()
        if scope is not None:
            scope.losses.setdefault(id(self), []).append(loss)
        else:
            self._losses.append(loss)

    def _collected_losses(self) -> list[Any]:
        scope = state_scope.current()
        layers = self._flatten_layers(include_self=True)
        result: list[Any] = []
        for layer in layers:
            if scope is not None and id(layer) in scope.losses:
                result.extend(scope.losses[id(layer)])
            elif scope is None or not any(
                id(other) in scope.losses for other in layers
            ):
                result.extend(layer._losses)
        return result

    @property
    def losses(self) -> list[Any]:
        """Losses from the last call (``add_loss``, activity) and weight penalties."""
        losses = self._collected_losses()
        for variable in self.trainable_weights + self.non_trainable_weights:
            regularizer = getattr(variable, "regularizer", None)
            if regularizer is not None:
                losses.append(regularizer(variable.value))
        return losses

    def _clear_losses(self) -> None:
        scope = state_scope.current()
        for layer in self._flatten_layers(include_self=True):
            if scope is not None:
                scope.losses.pop(id(layer), None)
            else:
                layer._losses = []

    # -- building -----------------------------------------------------------
    def build(self, input_shape: Any = None) -> None:
        """Create weights; the default creates none."""
        self.built = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Wrap a subclass's ``build`` so that any call marks the layer built.

        As in Keras: calling ``layer.build(shape)`` directly builds the layer for
        good (its first call then does not build again), and weights are created
        eagerly even while a function is being traced.
        """
        super().__init_subclass__(**kwargs)
        build = cls.__dict__.get("build")
        if build is None or getattr(build, "_kerax_wrapped", False):
            return

        def wrapped(self: Layer, *args: Any, **kw: Any) -> Any:
            with state_scope_allow_creation():
                out = build(self, *args, **kw)
            self.built = True
            return out

        wrapped.__name__ = build.__name__
        wrapped.__qualname__ = build.__qualname__
        wrapped.__doc__ = build.__doc__
        wrapped._kerax_wrapped = True  # type: ignore[attr-defined]
        wrapped.__wrapped__ = build  # type: ignore[attr-defined]
        cls.build = wrapped  # type: ignore[method-assign]

    def _build_shapes(self, args: tuple, kwargs: dict) -> dict[str, Any]:
        """``{"<argument>_shape": shape}`` for the tensor arguments of a call."""
        try:
            bound = inspect.signature(self.call).bind_partial(*args, **kwargs)
        except TypeError:
            first = args[0] if args else next(iter(kwargs.values()), None)
            return {"input_shape": _shape_of(first)}
        shapes = {}
        for name, value in bound.arguments.items():
            if name in ("training", "mask") or value is None:
                continue
            leaves = jax.tree_util.tree_leaves(value, is_leaf=_is_tensor_like)
            if leaves and all(_is_tensor_like(v) for v in leaves):
                shapes[f"{name}_shape"] = _shape_of(value)
        return shapes

    def _maybe_build(self, args: tuple, kwargs: dict) -> None:
        if self.built:
            return
        shapes = self._build_shapes(args, kwargs)
        first = next(iter(shapes.values()), None)
        self._build_shapes_dict = first if len(shapes) <= 1 else shapes
        with name_scope_if_nested(self.name):
            if _overrides(self, "build"):
                params = [
                    p
                    for p in inspect.signature(self.build).parameters.values()
                    if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
                ]
                names = {p.name for p in params}
                if len(shapes) > 1 and set(shapes) <= names:
                    self.build(**shapes)
                else:
                    self.build(first)
            self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def get_build_config(self) -> dict[str, Any] | None:
        """What ``build`` was called with, in Keras's format (for saving)."""
        shapes = self._build_shapes_dict
        if shapes is None:
            return None
        if isinstance(shapes, dict) and all(str(k).endswith("_shape") for k in shapes):
            return {"shapes_dict": shapes}
        return {"input_shape": shapes}

    def build_from_config(self, config: dict[str, Any] | None) -> None:
        """Build from ``get_build_config()`` output (used when loading)."""
        if not config or self.built:
            return
        with name_scope_if_nested(self.name):  # same variable paths as a first call
            if "input_shape" in config:
                self._build_shapes_dict = config["input_shape"]
                if _overrides(self, "build"):
                    self.build(config["input_shape"])
            elif "shapes_dict" in config:
                shapes = config["shapes_dict"]
                self._build_shapes_dict = shapes
                if _overrides(self, "build"):
                    if len(shapes) == 1:
                        self.build(next(iter(shapes.values())))
                    else:
                        self.build(**shapes)
        self.built = True

    # -- calling ------------------------------------------------------------
    def call(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        """The computation; subclasses override it."""
        raise NotImplementedError(
            f"Layer {type(self).__name__} does not implement call()."
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if "_tracking" not in self.__dict__:
            raise RuntimeError(
                f"{type(self).__name__}.__init__ must call super().__init__() "
                "before the layer is used."
            )
        if any_symbolic((args, kwargs)):
            return self._symbolic_call(args, kwargs)
        if args:
            args = (
                jax.tree_util.tree_map(_to_array, args[0], is_leaf=_is_tensor_like),
            ) + args[1:]
            self._check_inputs(args[0])  # before building from a bad shape
        self._maybe_build(args, kwargs)
        if args:
            self._check_inputs(args[0])
        kwargs = self._resolve_training(kwargs)
        outermost = not _context()
        if outermost:
            self._clear_losses()
        _context().append({"training": kwargs.get("training"), "layer": self})
        try:
            tapes = recording.recording_tapes()
            if tapes:
                return self._call_recorded(args, kwargs)
            return self._call_plain(args, kwargs)
        finally:
            _context().pop()

    def _resolve_training(self, kwargs: dict) -> dict:
        if not self._call_has_training:
            kwargs.pop("training", None)
            return kwargs
        training = kwargs.get("training")
        if training is None:
            training = current_training()
        if training is not None:
            kwargs = dict(
                kwargs,
                training=bool(training)
                if not isinstance(training, jax.Array)
                else training,
            )
        return kwargs

    def _check_inputs(self, inputs: Any) -> None:
        if self.input_spec is None:
            return
        flat = jax.tree_util.tree_leaves(inputs, is_leaf=_is_tensor_like)
        assert_input_compatibility(self.input_spec, flat, self.name)

    def _cast_inputs(self, inputs: Any) -> Any:
        if not self.autocast:
            return inputs
        compute = self.compute_dtype
        if not jnp.issubdtype(jnp.dtype(compute), jnp.floating):
            return inputs

        def cast(x: Any) -> Any:
            if (
                isinstance(x, jax.Array)
                and jnp.issubdtype(x.dtype, jnp.floating)
                and x.dtype != compute
            ):
                return x.astype(compute)
            return x

        return jax.tree_util.tree_map(cast, inputs)

    def _call_plain(self, args: tuple, kwargs: dict) -> Any:
        args = unwrap_tensors(args)
        if args:
            args = (self._cast_inputs(args[0]),) + tuple(args[1:])
        call = self.call
        if getattr(self, "_remat_mode", None) is not None:
            call = layer_call(self, args, kwargs)
        outputs = call(*args, **kwargs)
        self._last_output_shapes = jax.tree_util.tree_map(
            lambda o: tuple(o.shape), outputs, is_leaf=lambda o: hasattr(o, "shape")
        )
        if self.activity_regularizer is not None:
            for output in jax.tree_util.tree_leaves(outputs):
                if isinstance(output, jax.Array):
                    penalty = self.activity_regularizer(output)
                    if output.ndim > 0 and output.shape[0]:
                        penalty = penalty / output.shape[0]  # per sample, as Keras
                    self.add_loss(penalty)
        return outputs

    def _call_recorded(self, args: tuple, kwargs: dict) -> Any:
        """Run the call as one taped op: a pure function of inputs and state."""
        variables = self.variables
        layers = self._flatten_layers(include_self=True)
        layer_ids = [id(layer) for layer in layers]

        def pure(call_args: tuple, call_kwargs: dict, values: list) -> Any:
            # Replayed later by the tape: recreate the call context (training).
            frame = {"training": call_kwargs.get("training"), "layer": self}
            _context().append(frame)
            try:
                with state_scope.StateScope(zip(variables, values)) as scope:
                    out = self._call_plain(call_args, call_kwargs)
            finally:
                _context().pop()
            losses = [scope.losses.get(i, []) for i in layer_ids]
            return out, scope.new_values(variables), losses

        old = [v.value for v in variables]
        out, new_values, losses = recording.apply(pure, args, kwargs, variables)
        for variable, before, after in zip(variables, old, new_values):
            after = after.value if isinstance(after, Tensor) else after
            if after is not before:
                variable.assign(after)
        for layer, layer_losses in zip(layers, losses):
            for loss in layer_losses:
                layer.add_loss(loss)
        return out

    def stateless_call(
        self,
        trainable_variables: list[Any],
        non_trainable_variables: list[Any],
        *args: Any,
        return_losses: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Call with explicit weight values; returns outputs and new non-trainable values."""
        if not self.built:
            raise ValueError(
                f"Layer {self.name!r} must be built before stateless_call."
            )
        trainable = self.trainable_variables
        non_trainable = self.non_trainable_variables
        if len(trainable_variables) != len(trainable) or len(
            non_trainable_variables
        ) != len(non_trainable):
            raise ValueError(
                f"stateless_call on {self.name!r} expected {len(trainable)} trainable "
                f"and {len(non_trainable)} non-trainable values, received "
                f"{len(trainable_variables)} and {len(non_trainable_variables)}."
            )
        variables = trainable + non_trainable
        values = list(trainable_variables) + list(non_trainable_variables)
        with state_scope.StateScope(zip(variables, values)) as scope:
            outputs = self(*args, **kwargs)
            losses = self.losses if return_losses else None
        new_non_trainable = scope.new_values(non_trainable)
        if return_losses:
            return outputs, new_non_trainable, losses
        return outputs, new_non_trainable

    # -- masks ------------------------------------------------------------------
    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The mask of the outputs: by default the input mask, if masking is supported."""
        return mask if self.supports_masking else None

    def _propagates_masks(self) -> bool:
        return self.supports_masking or _overrides(self, "compute_mask")

    # -- symbolic -------------------------------------------------------------
    def _symbolic_call(self, args: tuple, kwargs: dict) -> Any:
        if args:
            self._check_inputs(args[0])
        self._maybe_build(args, kwargs)
        if args:
            self._check_inputs(args[0])
        input_mask = _symbolic_mask(args[0]) if args else None
        spec_kwargs = dict(kwargs)
        if self._call_has_mask and "mask" not in kwargs and input_mask is not None:
            spec_kwargs["mask"] = input_mask
        outputs = self.compute_output_spec(*args, **spec_kwargs)
        if (
            self._propagates_masks()
            and args
            and (input_mask is not None or _overrides(self, "compute_mask"))
        ):
            masks = trace_output_spec(
                lambda x, m: unwrap_tensors(self.compute_mask(x, m)),
                (args[0], input_mask),
                {},
            )
            _attach_masks(outputs, masks)
        Node(self, args, kwargs, outputs)
        return outputs

    def compute_output_shape(self, *args: Any, **kwargs: Any) -> Any:
        """Output shape for an input shape; by default traced with ``jax.eval_shape``."""
        specs = jax.tree_util.tree_map(
            lambda s: KerasTensor(s, self.compute_dtype),
            args[0] if args else None,
            is_leaf=lambda s: (
                isinstance(s, tuple) and all(d is None or isinstance(d, int) for d in s)
            ),
        )
        out = self.compute_output_spec(specs, *args[1:], **kwargs)
        return jax.tree_util.tree_map(lambda t: t.shape, out, is_leaf=is_keras_tensor)

    def compute_output_spec(self, *args: Any, **kwargs: Any) -> Any:
        """Symbolic outputs for symbolic inputs."""
        if _overrides(self, "compute_output_shape"):
            shapes = jax.tree_util.tree_map(
                lambda t: t.shape, args[0], is_leaf=is_keras_tensor
            )
            out_shape = self.compute_output_shape(shapes)
            return _shapes_to_tensors(out_shape, self.compute_dtype)
        return trace_output_spec(self._spec_call, args, kwargs)

    def _spec_call(self, *args: Any, **kwargs: Any) -> Any:
        kwargs = {k: v for k, v in kwargs.items()}
        if self._call_has_training and "training" not in kwargs:
            kwargs["training"] = False
        return self._call_plain(args, kwargs)

    # -- graph info -------------------------------------------------------------
    def _node_tensors(self, which: str) -> Any:
        if not self._inbound_nodes:
            raise AttributeError(
                f"Layer {self.name!r} has never been called on symbolic inputs and "
                f"thus has no defined {which}."
            )
        node = self._inbound_nodes[0]
        if which == "output":
            return jax.tree_util.tree_unflatten(node.output_treedef, node.outputs)
        return (
            node.input_tensors[0]
            if len(node.input_tensors) == 1
            else node.input_tensors
        )

    @property
    def input(self) -> Any:
        return self._node_tensors("input")

    @property
    def output(self) -> Any:
        return self._node_tensors("output")

    @property
    def output_shape(self) -> Any:
        return jax.tree_util.tree_map(
            lambda t: t.shape, self.output, is_leaf=is_keras_tensor
        )

    @property
    def input_shape(self) -> Any:
        return jax.tree_util.tree_map(
            lambda t: t.shape, self.input, is_leaf=is_keras_tensor
        )

    # -- config -------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """Constructor arguments as a JSON-friendly dict."""
        config: dict[str, Any] = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": {
                "module": "keras",
                "class_name": "DTypePolicy",
                "config": {"name": self._dtype_policy.name},
                "registered_name": None,
            },
        }
        if self.activity_regularizer is not None:
            from kerax import regularizers

            config["activity_regularizer"] = regularizers.serialize(
                self.activity_regularizer
            )
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """Create a layer from ``get_config()`` output."""
        config = dict(config)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = dtype_policies.get(config["dtype"])
        try:
            return cls(**config)
        except TypeError as error:
            raise TypeError(
                f"Error when deserializing class '{cls.__name__}' using config="
                f"{config}.\n\nException encountered: {error}"
            ) from error

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _overrides(obj: Any, method: str) -> bool:
    return getattr(type(obj), method) is not getattr(Layer, method)
