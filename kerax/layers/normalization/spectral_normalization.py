"""``SpectralNormalization``: keep a wrapped layer's kernel at spectral norm 1."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from jax import lax

from kerax import config, initializers
from kerax.layers.core.wrapper import Wrapper
from kerax.layers.input_spec import InputSpec
from kerax.layers.layer import Layer
from kerax.registry import register


def _unit(x: jax.Array) -> jax.Array:
    """``x`` divided by its L2 norm over all elements (Keras's epsilon guard)."""
    inv_norm = lax.rsqrt(jnp.sum(jnp.square(x)))
    return x * jnp.minimum(inv_norm, 1.0 / config.epsilon())


@register("keras.layers")
class SpectralNormalization(Wrapper):
    """Divide the wrapped layer's kernel by its largest singular value.

    In training, ``power_iterations`` steps of power iteration refine the
    estimate ``vector_u`` of the top singular vector, and the kernel is
    replaced by ``kernel / sigma`` before the wrapped layer runs (a kernel of
    all zeros is left alone). Inference calls use the kernel as it is. The
    wrapped layer needs a ``kernel`` (or ``embeddings``) weight; weights, in
    order: that kernel, ``vector_u``, then the wrapped layer's others.

    Example:
        >>> layer = SpectralNormalization(kerax.layers.Dense(4))
        >>> layer(jax.numpy.ones((2, 3)), training=True).shape
        (2, 4)
    """

    def __init__(self, layer: Layer, power_iterations: int = 1, **kwargs: Any) -> None:
        super().__init__(layer, **kwargs)
        if not isinstance(power_iterations, int) or power_iterations <= 0:
            raise ValueError(
                f"SpectralNormalization layer {self.name!r}: `power_iterations` "
                f"must be a positive int, received {power_iterations!r}."
            )
        self.power_iterations = power_iterations

    def build(self, input_shape: Any) -> None:
        super().build(input_shape)
        self.input_spec = InputSpec(min_ndim=1, axes={-1: tuple(input_shape)[-1]})
        kernel = getattr(self.layer, "kernel", None)
        if kernel is None:
            kernel = getattr(self.layer, "embeddings", None)
        if kernel is None:
            raise ValueError(
                f"SpectralNormalization layer {self.name!r}: the wrapped "
                f"{type(self.layer).__name__} has no `kernel` or `embeddings` weight."
            )
        self.kernel = kernel
        self.vector_u = self.add_weight(
            name="vector_u",
            shape=(1, kernel.shape[-1]),
            initializer=initializers.TruncatedNormal(stddev=0.02),
            trainable=False,
            dtype=kernel.dtype,
        )

    def call(self, inputs: jax.Array, training: Any = False) -> jax.Array:
        if training:
            kernel = self.kernel.value
            vector_u = self.vector_u.value
            new_u, new_kernel = lax.cond(
                jnp.all(kernel == 0),
                lambda: (vector_u, kernel),
                lambda: self._normalized(kernel, vector_u),
            )
            self.vector_u.assign(new_u)
            self.kernel.assign(new_kernel)
        return self.layer(inputs).astype(inputs.dtype)

    def _normalized(
        self, kernel: jax.Array, vector_u: jax.Array
    ) -> tuple[jax.Array, jax.Array]:
        """Power iteration; returns the new ``vector_u`` and ``kernel / sigma``."""
        matrix = jnp.reshape(kernel, (-1, kernel.shape[-1]))
        for _ in range(self.power_iterations):
            vector_v = _unit(vector_u @ matrix.T)
            vector_u = _unit(vector_v @ matrix)
        vector_u = lax.stop_gradient(vector_u)
        vector_v = lax.stop_gradient(vector_v)
        sigma = (vector_v @ matrix) @ vector_u.T
        return vector_u, kernel / jnp.reshape(sigma, (1,) * kernel.ndim)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return self.layer.compute_output_shape(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "power_iterations": self.power_iterations}
