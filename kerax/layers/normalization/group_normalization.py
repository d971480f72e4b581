"""``GroupNormalization``: normalize each example over groups of channels."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import constraints, initializers, regularizers
from kerax.layers.input_spec import InputSpec
from kerax.layers.layer import Layer
from kerax.layers.normalization.normalization_utils import (
    broadcast_to_axes,
    check_axes,
    compute_dtype_of,
)
from kerax.registry import register


@register("keras.layers")
class GroupNormalization(Layer):
    """Split the ``axis`` channels into ``groups`` and normalize each group.

    Mean and variance are taken per example and group, over the group's
    channels and all other non-batch axes. ``groups=-1`` means one group per
    channel (instance normalization); ``groups=1`` is layer normalization over
    all features. ``gamma`` and ``beta`` hold one value per channel.

    Example:
        >>> GroupNormalization(groups=2)(jax.numpy.ones((1, 4, 4, 6))).shape
        (1, 4, 4, 6)
    """

    def __init__(
        self,
        groups: int = 32,
        axis: int = -1,
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
        super().__init__(**kwargs)
        if not isinstance(groups, int) or groups == 0 or groups < -1:
            raise ValueError(
                f"GroupNormalization layer {self.name!r}: `groups` must be a "
                f"positive int or -1, received groups={groups!r}."
            )
        self.supports_masking = True
        self.autocast = False  # statistics of the un-cast input, as Keras
        self.groups = groups
        self.axis = axis
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.gamma = self.beta = None

    def build(self, input_shape: Any) -> None:
        input_shape = tuple(input_shape)
        (axis,) = check_axes(self, [self.axis], input_shape)
        channels = input_shape[axis]
        owner = f"GroupNormalization layer {self.name!r}"
        if channels is None:
            raise ValueError(
                f"{owner}: axis {self.axis} of the input must have a known size, "
                f"received input shape {input_shape}."
            )
        if self.groups == -1:
            self.groups = channels
        if channels < self.groups or channels % self.groups:
            raise ValueError(
                f"{owner}: the {channels} channels of axis {self.axis} must split "
                f"into groups={self.groups} equal groups (received input shape "
                f"{input_shape})."
            )
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: channels})
        for name in ("gamma", "beta"):
            if getattr(self, "scale" if name == "gamma" else "center"):
                weight = self.add_weight(
                    name=name,
                    shape=(channels,),
                    initializer=getattr(self, f"{name}_initializer"),
                    regularizer=getattr(self, f"{name}_regularizer"),
                    constraint=getattr(self, f"{name}_constraint"),
                    autocast=False,
                )
                setattr(self, name, weight)

    def call(self, inputs: jax.Array) -> jax.Array:
        axis = self.axis % inputs.ndim
        channels = inputs.shape[axis]
        grouped_shape = (
            inputs.shape[:axis]
            + (self.groups, channels // self.groups)
            + inputs.shape[axis + 1 :]
        )
        x = jnp.reshape(inputs, grouped_shape).astype(compute_dtype_of(inputs))
        reduce = tuple(i for i in range(1, x.ndim) if i != axis)
        mean = jnp.mean(x, axis=reduce, keepdims=True)
        variance = jnp.var(x, axis=reduce, keepdims=True)
        inv = jax.lax.rsqrt(variance + self.epsilon)
        channel_axes = (axis, axis + 1)
        if self.gamma is not None:
            gamma = self.gamma.value.astype(x.dtype)
            inv = inv * broadcast_to_axes(gamma, channel_axes, x.shape)
        shift = -mean * inv
        if self.beta is not None:
            beta = self.beta.value.astype(x.dtype)
            shift = shift + broadcast_to_axes(beta, channel_axes, x.shape)
        outputs = (x * inv + shift).astype(inputs.dtype)
        return jnp.reshape(outputs, inputs.shape).astype(self.compute_dtype)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        check_axes(self, [self.axis], tuple(input_shape))
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "groups": self.groups,
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }
