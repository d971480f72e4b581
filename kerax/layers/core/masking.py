"""``Masking``: marks timesteps whose features all equal ``mask_value``."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerax.layers.layer import Layer
from kerax.registry import register


@register("keras.layers")
class Masking(Layer):
    """Masks timesteps where every feature equals ``mask_value``.

    The output equals the input with masked timesteps set to zero; the mask
    (shape ``inputs.shape[:-1]``, True = keep) flows to downstream layers
    that support masking, such as RNNs.

    Args:
        mask_value: the padding value.
    """

    def __init__(self, mask_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(mask_value, bool) or not isinstance(
            mask_value, (int, float, np.number)
        ):
            raise TypeError(
                f"Masking: `mask_value` must be a number, received {mask_value!r}."
            )
        self.mask_value = mask_value
        self.supports_masking = True

    def _keep(self, inputs: jax.Array) -> jax.Array:
        return jnp.any(jnp.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)

    def compute_mask(self, inputs: Any, mask: Any = None) -> jax.Array:
        return jnp.squeeze(self._keep(inputs), axis=-1)

    def call(self, inputs: jax.Array) -> jax.Array:
        keep = jnp.broadcast_to(self._keep(inputs), inputs.shape)
        return jnp.where(keep, inputs, jnp.zeros_like(inputs))

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mask_value": self.mask_value}
