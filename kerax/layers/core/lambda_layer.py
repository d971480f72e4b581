"""``Lambda``: wraps a function of tensors as a layer."""

from __future__ import annotations

import inspect
from typing import Any

import jax

from kerax.backend.keras_tensor import KerasTensor, is_keras_tensor
from kerax.layers.core._functions import (
    deserialize_function,
    is_serialized_function,
    serialize_function,
)
from kerax.layers.layer import Layer, trace_output_spec
from kerax.registry import register


def _is_shape(value: Any) -> bool:
    return isinstance(value, (tuple, list)) and all(
        d is None or isinstance(d, int) for d in value
    )


def _parameters(fn: Any) -> set[str]:
    try:
        return set(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return set()


@register("keras.layers")
class Lambda(Layer):
    """Calls ``function(inputs, **arguments)`` as a layer.

    Use it for stateless expressions; a function that creates weights belongs
    in a ``Layer`` subclass. A ``lambda`` cannot be saved (files never carry
    code): use a named function and pass it in ``custom_objects`` when loading.

    Args:
        function: the function; it may accept ``mask`` and ``training``.
        output_shape: the output shape without the batch axis, a list of such
            shapes, or a function of the input shape; inferred by tracing when
            ``None``.
        mask: the output mask: a value, or ``mask(inputs, mask)``.
        arguments: extra keyword arguments for ``function``.
    """

    def __init__(
        self,
        function: Any,
        output_shape: Any = None,
        mask: Any = None,
        arguments: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if not callable(function):
            raise TypeError(
                f"Lambda: `function` must be callable, received {function!r}."
            )
        super().__init__(**kwargs)
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self.supports_masking = mask is not None
        if _is_shape(output_shape):
            output_shape = tuple(output_shape)
        self._output_shape = output_shape
        parameters = _parameters(function)
        self._fn_takes_mask = "mask" in parameters
        self._fn_takes_training = "training" in parameters

    def call(self, inputs: Any, mask: Any = None, training: Any = None) -> Any:
        kwargs = dict(self.arguments)
        if self._fn_takes_mask:
            kwargs["mask"] = mask
        if self._fn_takes_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def _traced_spec(self, inputs: Any, kwargs: dict) -> Any:
        try:
            return trace_output_spec(self._spec_call, (inputs,), kwargs)
        except Exception as error:
            raise NotImplementedError(
                f"Lambda {self.name!r}: could not infer the output shape by "
                "tracing the function; pass `output_shape`."
            ) from error

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self._output_shape is None:
            specs = jax.tree_util.tree_map(
                lambda s: KerasTensor(s, self.compute_dtype),
                input_shape,
                is_leaf=_is_shape,
            )
            out = self._traced_spec(specs, {})
            return jax.tree_util.tree_map(
                lambda t: t.shape, out, is_leaf=is_keras_tensor
            )
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        batch = jax.tree_util.tree_leaves(
            input_shape, is_leaf=lambda s: s is None or isinstance(s, int)
        )[0]
        return jax.tree_util.tree_map(
            lambda s: (batch, *s), self._output_shape, is_leaf=_is_shape
        )

    def compute_output_spec(self, inputs: Any, **kwargs: Any) -> Any:
        if self._output_shape is None:
            return self._traced_spec(inputs, kwargs)
        shapes = jax.tree_util.tree_map(
            lambda t: t.shape, inputs, is_leaf=is_keras_tensor
        )
        return jax.tree_util.tree_map(
            lambda s: KerasTensor(s, self.compute_dtype),
            self.compute_output_shape(shapes),
            is_leaf=_is_shape,
        )

    def get_config(self) -> dict[str, Any]:
        config = {**super().get_config()}
        config["function"] = serialize_function(self.function)
        if self._output_shape is not None:
            config["output_shape"] = (
                serialize_function(self._output_shape)
                if callable(self._output_shape)
                else self._output_shape
            )
        if self.mask is not None:
            config["mask"] = (
                serialize_function(self.mask) if callable(self.mask) else self.mask
            )
        config["arguments"] = dict(self.arguments)
        return config

    @classmethod
    def from_config(
        cls,
        config: dict[str, Any],
        custom_objects: dict[str, Any] | None = None,
        safe_mode: bool | None = None,
    ) -> Lambda:
        """Rebuild from a config; stored bytecode (lambdas) is always refused."""
        config = dict(config)
        for key in ("function", "output_shape", "mask"):
            if is_serialized_function(config.get(key)):
                config[key] = deserialize_function(
                    config[key], custom_objects, safe_mode
                )
        return super().from_config(config)
