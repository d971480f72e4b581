"""``LayerNormalization``: normalize each example over its feature axes."""

from __future__ import annotations

import warnings
from typing import Any

import jax
import jax.numpy as jnp

from kerax import constraints, initializers, regularizers
from kerax.layers.layer import Layer
from kerax.layers.normalization.normalization_utils import (
    broadcast_to_axes,
    check_axes,
    compute_dtype_of,
)
from kerax.registry import register


def standardize_axis(axis: Any, owner: str) -> int | list[int]:
    """An int stays an int; a list or tuple of ints becomes a list."""
    if isinstance(axis, (list, tuple)) and all(isinstance(a, int) for a in axis):
        return list(axis)
    if isinstance(axis, int) and not isinstance(axis, bool):
        return axis
    raise TypeError(
        f"{owner}: `axis` must be an int or a list/tuple of ints, received "
        f"axis={axis!r}."
    )


@register("keras.layers")
class LayerNormalization(Layer):
    """``(x - mean) / sqrt(variance + epsilon) * gamma + beta`` over ``axis``.

    Statistics are taken per example over ``axis`` (an int or a list); ``gamma``
    and ``beta`` have the sizes of those axes. The deprecated keyword
    ``rms_scaling=True`` (accepted as in Keras, with a warning) divides by
    ``sqrt(variance + epsilon)`` without centering and drops ``beta``.

    Example:
        >>> LayerNormalization()(jax.numpy.ones((2, 5))).shape
        (2, 5)
    """

    def __init__(
        self,
        axis: Any = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        rms_scaling = bool(kwargs.pop("rms_scaling", False))
        if rms_scaling:
            warnings.warn(
                "LayerNormalization(rms_scaling=True) is deprecated: it scales by "
                "the variance, not the root mean square. Use RMSNormalization.",
                stacklevel=2,
            )
        super().__init__(**kwargs)
        self.axis = standardize_axis(axis, f"LayerNormalization layer {self.name!r}")
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.rms_scaling = rms_scaling
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True
        self.autocast = False  # statistics of the un-cast input, as Keras
        self.gamma = self.beta = None

    def build(self, input_shape: Any) -> None:
        input_shape = tuple(input_shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        check_axes(self, axes, input_shape)
        self.axis = sorted(axes)
        shape = tuple(input_shape[a] for a in self.axis)
        if self.scale or self.rms_scaling:
            self.gamma = self.add_weight(
                name="gamma",
                shape=shape,
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
                autocast=False,
            )
        if self.center and not self.rms_scaling:
            self.beta = self.add_weight(
                name="beta",
                shape=shape,
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
                autocast=False,
            )

    def call(self, inputs: jax.Array) -> jax.Array:
        x = inputs.astype(compute_dtype_of(inputs))
        axes = check_axes(self, self.axis, tuple(x.shape))
        variance = jnp.var(x, axis=axes, keepdims=True)
        inv = jax.lax.rsqrt(variance + self.epsilon)
        if self.gamma is not None:
            inv = inv * broadcast_to_axes(
                self.gamma.value.astype(x.dtype), axes, x.shape
            )
        if self.rms_scaling:
            outputs = x * inv
        else:
            shift = -jnp.mean(x, axis=axes, keepdims=True) * inv
            if self.beta is not None:
                beta = self.beta.value.astype(x.dtype)
                shift = shift + broadcast_to_axes(beta, axes, x.shape)
            outputs = x * inv + shift
        return outputs.astype(self.compute_dtype)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        check_axes(self, axes, tuple(input_shape))
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": self.rms_scaling,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }
