"""``EinsumDense``: a dense layer whose contraction is an einsum equation."""

from __future__ import annotations

import re
from typing import Any

import jax
import jax.numpy as jnp

from kerax import activations, constraints, initializers, regularizers
from kerax.layers.core._unsupported import reject_lora_and_quantization
from kerax.layers.input_spec import InputSpec
from kerax.layers.layer import Layer
from kerax.registry import register

_FORMS = (
    (r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", None),
    (r"\.\.\.([a-zA-Z]+),([a-zA-Z]+)->\.\.\.([a-zA-Z]+)", "left"),
    (r"([a-zA-Z]{2,})\.\.\.,([a-zA-Z]+)->([a-zA-Z]+)\.\.\.", "right"),
)


def analyze_equation(
    equation: str, bias_axes: str | None, input_shape: tuple, partial_output: tuple
) -> tuple[list, list | None, list, list, list]:
    """Shapes implied by an EinsumDense equation.

    Returns ``(kernel_shape, bias_shape, output_shape, input_axes, output_axes)``
    where ``input_axes``/``output_axes`` are the kernel axes that contract with
    the input and those that reach the output.
    """
    match, elided_side = None, None
    for pattern, side in _FORMS:
        match = re.fullmatch(pattern, equation.replace(" ", ""))
        if match:
            elided_side = side
            break
    if match is None:
        raise ValueError(
            f"Invalid einsum equation {equation!r} for EinsumDense. Equations "
            "must be in the form [X],[Y]->[Z], ...[X],[Y]->...[Z], or "
            "[X]...,[Y]->[Z]...."
        )
    input_spec, weight_spec, output_spec = match.groups()
    rank = len(input_shape)
    elided = rank - len(input_spec)
    if elided < 0 or (elided > 0 and elided_side is None):
        raise ValueError(
            f"EinsumDense: equation {equation!r} expects inputs of rank "
            f"{len(input_spec)}{' or more' if elided_side else ''}, received "
            f"input_shape={tuple(input_shape)}."
        )
    output_shape = [input_shape[0], *partial_output]
    if elided > 0 and elided_side == "left":
        output_shape[1:1] = list(input_shape[1:elided])
    elif elided > 0 and elided_side == "right":
        output_shape.extend(input_shape[rank - elided :])
    offset = elided if elided_side == "left" else 0
    input_index = {d: i + offset for i, d in enumerate(input_spec)}
    output_index = {d: i + offset for i, d in enumerate(output_spec)}
    if len(output_shape) != len(output_spec) + elided:
        raise ValueError(
            f"EinsumDense: output_shape={tuple(partial_output)} does not match the "
            f"output spec {output_spec!r} of equation {equation!r} (the batch "
            "axis is not part of output_shape)."
        )
    for dim, i in input_index.items():
        if dim in output_index:
            out = output_shape[output_index[dim]]
            if out is not None and out != input_shape[i]:
                raise ValueError(
                    f"EinsumDense: input shape and output shape do not match at "
                    f"shared dimension {dim!r}: input has {input_shape[i]}, "
                    f"output has {out}."
                )
    for dim in output_spec:
        if dim not in input_index and dim not in weight_spec:
            raise ValueError(
                f"EinsumDense: dimension {dim!r} of the output spec "
                f"{output_spec!r} appears in neither the input spec "
                f"{input_spec!r} nor the weight spec {weight_spec!r}."
            )
    kernel_shape, input_axes, output_axes = [], [], []
    for i, dim in enumerate(weight_spec):
        if dim in output_index:
            kernel_shape.append(output_shape[output_index[dim]])
            output_axes.append(i)
        elif dim in input_index:
            kernel_shape.append(input_shape[input_index[dim]])
            input_axes.append(i)
        else:
            raise ValueError(
                f"EinsumDense: weight dimension {dim!r} matches neither the "
                f"input spec {input_spec!r} nor the output spec {output_spec!r}; "
                "the weight must be fully specified."
            )
    bias_shape = None
    if bias_axes is not None:
        for dim in bias_axes:
            if dim not in output_spec:
                raise ValueError(
                    f"EinsumDense: bias dimension {dim!r} is not part of the "
                    f"output spec {output_spec!r}."
                )
        first = min(output_spec.index(dim) for dim in bias_axes)
        bias_shape = [
            output_shape[output_index[dim]] if dim in bias_axes else 1
            for dim in output_spec[first:]
        ]
        if elided_side != "left":
            bias_shape.extend([1] * elided)
    return kernel_shape, bias_shape, output_shape, input_axes, output_axes


@register("keras.layers")
class EinsumDense(Layer):
    """A dense layer over any axes, written as an einsum equation.

    Args:
        equation: ``"ab,bc->ac"``-style equation: input, kernel -> output; the
            input's first letter is the batch axis. ``...`` may stand for
            leading (``"...b,bc->...c"``) or trailing axes.
        output_shape: the output's shape without the batch axis (an int for
            rank 2); ``None`` entries are taken from the input.
        activation: activation name or callable.
        bias_axes: letters of the output spec that get a bias, or ``None``.
        kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, kernel_constraint, bias_constraint: as in ``Dense``.
        lora_rank, lora_alpha, gptq_unpacked_column_size, quantization_config:
            accepted only as ``None``.

    Example:
        >>> import numpy as np
        >>> layer = EinsumDense("abc,cd->abd", output_shape=(5, 8))
        >>> layer(np.ones((2, 5, 3))).shape
        (2, 5, 8)
    """

    def __init__(
        self,
        equation: str,
        output_shape: Any,
        activation: Any = None,
        bias_axes: str | None = None,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        lora_rank: int | None = None,
        lora_alpha: float | None = None,
        gptq_unpacked_column_size: int | None = None,
        quantization_config: Any = None,
        **kwargs: Any,
    ) -> None:
        reject_lora_and_quantization(
            "EinsumDense", lora_rank, lora_alpha, quantization_config
        )
        if gptq_unpacked_column_size is not None:
            raise NotImplementedError(
                "EinsumDense: GPTQ quantization is not supported by kerax yet. "
                f"Received gptq_unpacked_column_size={gptq_unpacked_column_size!r}."
            )
        if not isinstance(equation, str):
            raise TypeError(
                f"EinsumDense: `equation` must be a string, received {equation!r}."
            )
        super().__init__(**kwargs)
        self.equation = equation
        if isinstance(output_shape, int):
            output_shape = (output_shape,)
        self.partial_output_shape = tuple(output_shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def _kernel_initializer_for(self, input_axes: list, output_axes: list) -> Any:
        """Tell a fan-based initializer which kernel axes are fan-in and fan-out."""
        init = self.kernel_initializer
        if getattr(init, "input_axes", False) is None and hasattr(init, "get_config"):
            config = dict(init.get_config())
            config.update(
                seed=getattr(init, "seed", config.get("seed")),
                input_axes=input_axes,
                output_axes=output_axes,
            )
            return type(init).from_config(config)
        return init

    def build(self, input_shape: Any) -> None:
        kernel_shape, bias_shape, _, input_axes, output_axes = analyze_equation(
            self.equation, self.bias_axes, tuple(input_shape), self.partial_output_shape
        )
        self.input_spec = InputSpec(ndim=len(input_shape))
        self.kernel = self.add_weight(
            name="kernel",
            shape=tuple(kernel_shape),
            initializer=self._kernel_initializer_for(input_axes, output_axes),
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.bias = None
        if bias_shape is not None:
            self.bias = self.add_weight(
                name="bias",
                shape=tuple(bias_shape),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def call(self, inputs: jax.Array, training: bool | None = None) -> jax.Array:
        kernel = self.kernel.value.astype(self.compute_dtype)
        outputs = jnp.einsum(self.equation, inputs, kernel)
        if self.bias is not None:
            bias = self.bias.value.astype(self.compute_dtype)
            pad = (1,) * (outputs.ndim - bias.ndim)
            outputs = outputs + jnp.reshape(bias, pad + bias.shape)
        if self.activation is not None:
            outputs = self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape: Any) -> tuple:
        _, _, output_shape, _, _ = analyze_equation(
            self.equation, self.bias_axes, tuple(input_shape), self.partial_output_shape
        )
        return tuple(output_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "output_shape": self.partial_output_shape,
            "equation": self.equation,
            "activation": activations.serialize(self.activation),
            "bias_axes": self.bias_axes,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "quantization_config": None,
        }
