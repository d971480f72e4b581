"""``PReLU``: leaky ReLU whose negative slopes are learned."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import constraints, initializers, regularizers
from kerax.layers.input_spec import InputSpec
from kerax.layers.layer import Layer
from kerax.registry import register


@register("keras.layers")
class PReLU(Layer):
    """``x`` for ``x >= 0``, ``alpha * x`` otherwise, with a learned ``alpha``.

    ``alpha`` has the input's shape without the batch axis; axes listed in
    ``shared_axes`` (1-based, the batch axis is 0) get size 1 and share one
    slope, e.g. ``shared_axes=[1, 2]`` for one slope per channel of an image.

    Args:
        alpha_initializer: initializer of ``alpha`` (default zeros).
        alpha_regularizer, alpha_constraint: penalty and constraint on it.
        shared_axes: an int or list of ints.
    """

    def __init__(
        self,
        alpha_initializer: Any = "Zeros",
        alpha_regularizer: Any = None,
        alpha_constraint: Any = None,
        shared_axes: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [int(a) for a in shared_axes]
        else:
            self.shared_axes = [int(shared_axes)]
        self.supports_masking = True

    def build(self, input_shape: Any) -> None:
        rank = len(input_shape)
        shared = self.shared_axes or []
        for axis in shared:
            if not 1 <= axis < rank:
                raise ValueError(
                    f"PReLU {self.name!r}: shared_axes must be in [1, {rank - 1}] "
                    f"for inputs of rank {rank}; received shared_axes="
                    f"{self.shared_axes}."
                )
        shape = [1 if i in shared else input_shape[i] for i in range(1, rank)]
        if None in shape:
            raise ValueError(
                f"PReLU {self.name!r}: every non-shared axis needs a known size; "
                f"received input_shape={tuple(input_shape)}. Share the unknown "
                "axes with `shared_axes`."
            )
        self.alpha = self.add_weight(
            name="alpha",
            shape=tuple(shape),
            initializer=self.alpha_initializer,
            regularizer=self.alpha_regularizer,
            constraint=self.alpha_constraint,
        )
        axes = {i: input_shape[i] for i in range(1, rank) if i not in shared}
        self.input_spec = InputSpec(ndim=rank, axes=axes)

    def call(self, inputs: jax.Array) -> jax.Array:
        alpha = self.alpha.value.astype(self.compute_dtype)
        alpha = jnp.reshape(alpha, (1, *alpha.shape))
        return jax.nn.relu(inputs) - alpha * jax.nn.relu(-inputs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "alpha_initializer": initializers.serialize(self.alpha_initializer),
            "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
            "alpha_constraint": constraints.serialize(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        }
