"""``BatchNormalization``: normalize with batch statistics, track moving ones."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import config, constraints, initializers, regularizers
from kerax.layers.input_spec import InputSpec
from kerax.layers.layer import Layer
from kerax.layers.normalization.normalization_utils import (
    broadcast_to_axes,
    check_axes,
    compute_dtype_of,
)
from kerax.registry import register

_CLIPPING_KEYS = ("rmax", "rmin", "dmax")


@register("keras.layers")
class BatchNormalization(Layer):
    """Normalize features along ``axis`` with the batch's mean and variance.

    In training (``training=True`` and ``trainable``) the output uses the
    statistics of the batch, and the moving statistics move towards them:
    ``moving = moving * momentum + batch * (1 - momentum)``. Otherwise the
    moving statistics are used and nothing is updated. Weights, in order:
    ``gamma`` (if ``scale``), ``beta`` (if ``center``), ``moving_mean``,
    ``moving_variance``; with ``renorm`` also ``moving_stddev``,
    ``renorm_mean``, ``renorm_stddev``.

    Args:
        axis: the feature axis (usually -1, or 1 for ``channels_first``).
        momentum: decay of the moving statistics.
        epsilon: added to the variance before the square root.
        center, scale: learn an offset ``beta`` / a factor ``gamma``.
        renorm: batch renormalization: the training output is corrected
            towards the moving statistics by factors clipped with
            ``renorm_clipping`` (keys ``rmax``, ``rmin``, ``dmax``), and the
            renorm statistics decay with ``renorm_momentum``.
        synchronized: cross-device statistics; only False is supported.

    Input shape: any; output shape: the same.

    Example:
        >>> bn = BatchNormalization()
        >>> bn(jax.numpy.ones((4, 3)), training=True).shape
        (4, 3)
    """

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        moving_mean_initializer: Any = "zeros",
        moving_variance_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        renorm: bool = False,
        renorm_clipping: dict[str, float] | None = None,
        renorm_momentum: float = 0.99,
        synchronized: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        owner = f"BatchNormalization layer {self.name!r}"
        if not isinstance(axis, int) or isinstance(axis, bool):
            raise TypeError(f"{owner}: `axis` must be an int, received axis={axis!r}.")
        if synchronized:
            raise ValueError(
                f"{owner}: synchronized=True is only supported by Keras's "
                "TensorFlow backend; kerax computes statistics per device."
            )
        self.axis = axis
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.synchronized = synchronized
        self.renorm = bool(renorm)
        if self.renorm:
            renorm_clipping = _check_clipping(renorm_clipping or {}, owner)
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = renorm_momentum
        self.supports_masking = True
        self.gamma = self.beta = None

    def build(self, input_shape: Any) -> None:
        input_shape = tuple(input_shape)
        (axis,) = check_axes(self, [self.axis], input_shape)
        size = input_shape[axis]
        if size is None:
            raise ValueError(
                f"BatchNormalization layer {self.name!r}: axis {self.axis} of the "
                f"input must have a known size, received input shape {input_shape}."
            )
        shape = (size,)
        if self.scale:
            self.gamma = self._weight("gamma", shape, self.gamma_initializer, True)
        if self.center:
            self.beta = self._weight("beta", shape, self.beta_initializer, True)
        self.moving_mean = self._weight(
            "moving_mean", shape, self.moving_mean_initializer
        )
        self.moving_variance = self._weight(
            "moving_variance", shape, self.moving_variance_initializer
        )
        if self.renorm:
            variance_init = self.moving_variance_initializer

            def stddev_init(shape: Any, dtype: Any = None) -> jax.Array:
                return jnp.sqrt(variance_init(shape, dtype=dtype))

            self.moving_stddev = self._weight("moving_stddev", shape, stddev_init)
            self.renorm_mean = self._weight(
                "renorm_mean", shape, self.moving_mean_initializer
            )
            self.renorm_stddev = self._weight("renorm_stddev", shape, stddev_init)
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: size})
        self._reduction_axes = tuple(i for i in range(len(input_shape)) if i != axis)

    def _weight(
        self, name: str, shape: tuple, initializer: Any, trainable: bool = False
    ) -> Any:
        regularizer = constraint = None
        if name in ("gamma", "beta"):
            regularizer = getattr(self, f"{name}_regularizer")
            constraint = getattr(self, f"{name}_constraint")
        return self.add_weight(
            name=name,
            shape=shape,
            initializer=initializer,
            regularizer=regularizer,
            constraint=constraint,
            trainable=trainable,
            autocast=False,
        )

    def call(
        self, inputs: jax.Array, training: Any = None, mask: jax.Array | None = None
    ) -> jax.Array:
        if mask is not None and mask.ndim != inputs.ndim - 1:
            raise ValueError(
                f"BatchNormalization layer {self.name!r}: the mask must have one "
                f"dimension less than the inputs, received mask shape "
                f"{tuple(mask.shape)} and inputs shape {tuple(inputs.shape)}."
            )
        x = inputs.astype(compute_dtype_of(inputs))
        gamma = None if self.gamma is None else self.gamma.value.astype(x.dtype)
        beta = None if self.beta is None else self.beta.value.astype(x.dtype)
        if training and self.trainable:
            mean, variance = self._moments(x, mask)
            if self.renorm:
                gamma, beta = self._renorm_transform(mean, variance, gamma, beta)
                self._update_renorm_statistics(mean, variance)
            else:
                self._update(self.moving_mean, mean, self.momentum)
                self._update(self.moving_variance, variance, self.momentum)
        else:
            mean = self.moving_mean.value.astype(x.dtype)
            variance = self.moving_variance.value.astype(x.dtype)
        axes = [self.axis % x.ndim]
        inv = jax.lax.rsqrt(broadcast_to_axes(variance, axes, x.shape) + self.epsilon)
        if gamma is not None:
            inv = inv * broadcast_to_axes(gamma, axes, x.shape)
        shift = -broadcast_to_axes(mean, axes, x.shape) * inv
        if beta is not None:
            shift = shift + broadcast_to_axes(beta, axes, x.shape)
        return (x * inv + shift).astype(self.compute_dtype)

    def _moments(
        self, x: jax.Array, mask: jax.Array | None
    ) -> tuple[jax.Array, jax.Array]:
        axes = self._reduction_axes
        if mask is None:
            return jnp.mean(x, axis=axes), jnp.var(x, axis=axes)
        weights = jnp.broadcast_to(
            jnp.expand_dims(jnp.asarray(mask, bool), -1), x.shape
        )
        count = jnp.sum(weights.astype(x.dtype), axis=axes, keepdims=True)
        count = count + config.epsilon()
        mean = jnp.sum(jnp.where(weights, x, 0), axis=axes, keepdims=True) / count
        spread = jnp.square(jnp.where(weights, x - mean, 0))
        variance = jnp.sum(spread, axis=axes, keepdims=True) / count
        return jnp.squeeze(mean, axes), jnp.squeeze(variance, axes)

    @staticmethod
    def _update(variable: Any, batch_value: jax.Array, momentum: float) -> None:
        old = variable.value.astype(batch_value.dtype)
        variable.assign(old * momentum + batch_value * (1.0 - momentum))

    def _renorm_transform(
        self,
        mean: jax.Array,
        variance: jax.Array,
        gamma: jax.Array | None,
        beta: jax.Array | None,
    ) -> tuple[jax.Array, jax.Array]:
        """Scale and offset that fold the renorm correction ``x * r + d`` in."""
        stddev = jnp.sqrt(variance + self.epsilon)
        floor = jnp.sqrt(jnp.asarray(self.epsilon, mean.dtype))
        renorm_stddev = jnp.maximum(self.renorm_stddev.value.astype(mean.dtype), floor)
        r = stddev / renorm_stddev
        d = (mean - self.renorm_mean.value.astype(mean.dtype)) / renorm_stddev
        clip = self.renorm_clipping
        if clip.get("rmin") is not None:
            r = jnp.maximum(r, clip["rmin"])
        if clip.get("rmax") is not None:
            r = jnp.minimum(r, clip["rmax"])
        if clip.get("dmax") is not None:
            d = jnp.clip(d, -clip["dmax"], clip["dmax"])
        r, d = jax.lax.stop_gradient(r), jax.lax.stop_gradient(d)
        new_gamma = r if gamma is None else r * gamma
        new_beta = d if gamma is None else d * gamma
        if beta is not None:
            new_beta = new_beta + beta
        return new_gamma, new_beta

    def _update_renorm_statistics(self, mean: jax.Array, variance: jax.Array) -> None:
        stddev = jnp.sqrt(variance + self.epsilon)
        self._update(self.renorm_mean, mean, self.renorm_momentum)
        self._update(self.renorm_stddev, stddev, self.renorm_momentum)
        self._update(self.moving_mean, mean, self.momentum)
        self._update(self.moving_stddev, stddev, self.momentum)
        moving_stddev = self.moving_stddev.value.astype(mean.dtype)
        self.moving_variance.assign(
            jax.nn.relu(moving_stddev * moving_stddev - self.epsilon)
        )

    def compute_output_shape(self, input_shape: Any) -> tuple:
        check_axes(self, [self.axis], tuple(input_shape))
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(
                self.moving_mean_initializer
            ),
            "moving_variance_initializer": initializers.serialize(
                self.moving_variance_initializer
            ),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
            "synchronized": self.synchronized,
            "renorm": self.renorm,
            "renorm_clipping": self.renorm_clipping,
            "renorm_momentum": self.renorm_momentum,
        }


def _check_clipping(clipping: dict[str, Any], owner: str) -> dict[str, Any]:
    unknown = set(clipping) - set(_CLIPPING_KEYS)
    if unknown:
        raise ValueError(
            f"{owner}: `renorm_clipping` accepts the keys {list(_CLIPPING_KEYS)}, "
            f"received {clipping!r}."
        )
    rmin, rmax, dmax = (clipping.get(k) for k in ("rmin", "rmax", "dmax"))
    if rmin is not None and rmax is not None and rmax < rmin:
        raise ValueError(
            f"{owner}: renorm_clipping['rmax'] must be >= renorm_clipping['rmin'], "
            f"received rmax={rmax}, rmin={rmin}."
        )
    if dmax is not None and dmax < 0:
        raise ValueError(
            f"{owner}: renorm_clipping['dmax'] must be non-negative, received "
            f"dmax={dmax}."
        )
    return clipping
