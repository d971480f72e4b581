"""``TimeDistributed``: applies a layer to every timestep of a sequence."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax.layers.core.wrapper import Wrapper
from kerax.layers.layer import Layer
from kerax.registry import register


def _step_shape(input_shape: Any) -> tuple:
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) < 3:
        raise ValueError(
            "TimeDistributed expects inputs of rank >= 3, (batch, time, ...); "
            f"received input_shape={input_shape}."
        )
    return (input_shape[0], *input_shape[2:])


@register("keras.layers")
class TimeDistributed(Wrapper):
    """Applies ``layer`` to each slice ``inputs[:, t]`` with shared weights.

    The batch and time axes are merged, the layer runs once on
    ``(batch * time, ...)``, and the result is split back to
    ``(batch, time, ...)``.

    Args:
        layer: the ``Layer`` to apply at each timestep.

    Call arguments:
        inputs: ``(batch, time, ...)``.
        training: passed to the layer if it takes it.
        mask: ``(batch, time, ...)`` booleans, passed (per timestep) to the
            layer if it takes a mask.
    """

    def __init__(self, layer: Layer, **kwargs: Any) -> None:
        if not isinstance(layer, Layer):
            raise ValueError(
                f"TimeDistributed wraps a kerax Layer instance; received {layer!r}."
            )
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def build(self, input_shape: Any) -> None:
        super().build(_step_shape(input_shape))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        step_output = self.layer.compute_output_shape(_step_shape(input_shape))
        return (step_output[0], input_shape[1], *step_output[1:])

    def _check_mask(self, inputs: jax.Array, mask: jax.Array) -> None:
        if mask.ndim < 2 or tuple(mask.shape[:2]) != tuple(inputs.shape[:2]):
            raise ValueError(
                f"TimeDistributed {self.name!r}: the mask must start with the "
                f"input's (batch, time) = {tuple(inputs.shape[:2])}; received "
                f"mask.shape={tuple(mask.shape)}."
            )

    def call(
        self, inputs: jax.Array, training: bool | None = None, mask: Any = None
    ) -> jax.Array:
        batch, steps = inputs.shape[:2]
        kwargs: dict[str, Any] = {}
        if mask is not None and self.layer._call_has_mask:
            self._check_mask(inputs, mask)
            kwargs["mask"] = jnp.reshape(mask, (batch * steps, *mask.shape[2:]))
        if training is not None and self.layer._call_has_training:
            kwargs["training"] = training
        merged = jnp.reshape(inputs, (batch * steps, *inputs.shape[2:]))
        outputs = self.layer(merged, **kwargs)
        return jax.tree_util.tree_map(
            lambda y: jnp.reshape(y, (batch, steps, *y.shape[1:])), outputs
        )
