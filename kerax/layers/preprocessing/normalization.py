"""``Normalization``: shifts and scales features to mean 0 and variance 1."""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerax import config
from kerax.layers.layer import Layer
from kerax.layers.preprocessing._adapt_data import is_array, iterate_batches
from kerax.registry import register


@register("keras.layers")
class Normalization(Layer):
    """Computes ``(inputs - mean) / sqrt(variance)`` per feature.

    ``mean`` and ``variance`` are either given or learned by ``adapt`` (then
    they are the weights ``mean``, ``variance`` and ``count``, as in Keras).

    Args:
        axis: the axis or axes that keep separate statistics (``-1``: one
            per feature of the last axis); ``None`` for one scalar mean and
            variance.
        mean: fixed mean, broadcast to the kept axes.
        variance: fixed variance, given together with ``mean``.
        invert: apply the inverse, ``mean + inputs * sqrt(variance)``.

    Example:
        >>> layer = kerax.layers.Normalization(axis=None)
        >>> layer.adapt(np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
        >>> layer(np.array([1.0, 3.0]))
        Array([-1.4142135,  0.       ], dtype=float32)
    """

    def __init__(
        self,
        axis: Any = -1,
        mean: Any = None,
        variance: Any = None,
        invert: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(axis)
        if (mean is None) != (variance is None):
            raise ValueError(
                "Normalization: when setting values directly, both `mean` and "
                f"`variance` must be set. Received: mean={mean} and "
                f"variance={variance}"
            )
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(
                    "Normalization: `mean` and `variance` must have the same "
                    f"shape. Received: mean shape {np.shape(mean)} and variance "
                    f"shape {np.shape(variance)}"
                )
            if np.ndim(mean) > len(axis):
                raise ValueError(
                    "Normalization: the rank of `mean` must be at most the "
                    f"number of axes ({len(axis)}). Received: mean shape "
                    f"{np.shape(mean)} for axis {axis}"
                )
        self.axis = axis
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        self.supports_masking = True
        self._build_input_shape: tuple | None = None

    def build(self, input_shape: Any) -> None:
        if input_shape is None:
            return
        input_shape = tuple(input_shape)
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(
                "Normalization: all `axis` values must be in the range "
                f"[-ndim, ndim). Received inputs with ndim={ndim}, while "
                f"axis={self.axis}"
            )
        keep = tuple(sorted(a % ndim for a in self.axis))
        for a in keep:
            if input_shape[a] is None:
                raise ValueError(
                    "Normalization: all kept `axis` values must have a known "
                    f"size. Received axis={self.axis}, inputs.shape="
                    f"{input_shape}, with unknown axis at index {a}"
                )
        self._build_input_shape = input_shape
        self._keep_axis = keep
        self._reduce_axis = tuple(a for a in range(ndim) if a not in keep)
        self._broadcast_shape = tuple(
            input_shape[a] if a in keep else 1 for a in range(ndim)
        )
        self._mean_and_var_shape = tuple(input_shape[a] for a in keep)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(
                name="mean",
                shape=self._mean_and_var_shape,
                initializer="zeros",
                trainable=False,
            )
            self.adapt_variance = self.add_weight(
                name="variance",
                shape=self._mean_and_var_shape,
                initializer="ones",
                trainable=False,
            )
            self.count = self.add_weight(
                name="count",
                shape=(),
                dtype="int32",
                initializer="zeros",
                trainable=False,
            )
        self.built = True

    def _fixed(self, value: Any) -> np.ndarray:
        """A given mean or variance laid out along the kept axes."""
        value = np.asarray(value, "float32")
        if value.ndim:
            shape = [1] * len(self._broadcast_shape)
            for i in range(1, value.ndim + 1):
                shape[self._keep_axis[-i]] = value.shape[-i]
            value = value.reshape(shape)
        return np.broadcast_to(value, self._broadcast_shape)

    def _statistics(self) -> tuple[jax.Array, jax.Array]:
        if self.input_mean is not None:
            mean = self._fixed(self.input_mean)
            variance = self._fixed(self.input_variance)
        else:
            mean = jnp.reshape(self.adapt_mean.value, self._broadcast_shape)
            variance = jnp.reshape(self.adapt_variance.value, self._broadcast_shape)
        dtype = self.compute_dtype
        return jnp.asarray(mean, dtype), jnp.asarray(variance, dtype)

    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Learn the mean and variance of ``data``: an array, an iterable of
        batches (``(x, y)`` tuples use ``x``) or a PyDataset."""
        if self.input_mean is not None:
            raise ValueError(
                "Normalization: cannot adapt a layer created with fixed `mean` "
                "and `variance`."
            )
        if is_array(data):
            self._check_or_build(tuple(data.shape))
            data = np.asarray(data)
            mean = np.mean(data, axis=self._reduce_axis)
            variance = np.var(data, axis=self._reduce_axis)
        else:
            mean, variance = self._streamed(
                iterate_batches(data, steps, "Normalization")
            )
        self.adapt_mean.assign(np.asarray(mean, "float32"))
        self.adapt_variance.assign(np.asarray(variance, "float32"))

    def _check_or_build(self, shape: tuple) -> None:
        if not self.built or self._build_input_shape is None:
            self.build(shape)
            return
        for a in self._keep_axis:
            if shape[a] != self._build_input_shape[a]:
                raise ValueError(
                    "Normalization: the layer was built with input_shape="
                    f"{self._build_input_shape}, but adapt() received data with "
                    f"an incompatible shape {shape}."
                )

    def _streamed(self, batches: Any) -> tuple[np.ndarray, np.ndarray]:
        """Mean and variance merged batch by batch (Chan et al.)."""
        total_mean = total_var = None
        total_count = 0
        for batch in batches:
            batch = np.asarray(batch, self.compute_dtype)
            self._check_or_build(tuple(batch.shape))
            if total_mean is None:
                total_mean = np.zeros(self._mean_and_var_shape, batch.dtype)
                total_var = np.zeros(self._mean_and_var_shape, batch.dtype)
            batch_mean = np.mean(batch, axis=self._reduce_axis)
            batch_var = np.var(batch, axis=self._reduce_axis)
            count = math.prod(batch.shape[a] for a in self._reduce_axis)
            total_count += count
            weight = count / total_count
            new_mean = total_mean * (1 - weight) + batch_mean * weight
            total_var = (total_var + (total_mean - new_mean) ** 2) * (1 - weight) + (
                batch_var + (batch_mean - new_mean) ** 2
            ) * weight
            total_mean = new_mean
        if total_mean is None:
            raise ValueError(
                "Normalization.adapt() received an empty iterable (no batches). "
                "Pass at least one batch, e.g. layer.adapt([x])."
            )
        return total_mean, total_var

    def call(self, inputs: jax.Array) -> jax.Array:
        if self._build_input_shape is None:
            raise ValueError(
                "Normalization: call `build(input_shape)` or `adapt(data)` "
                "before using the layer."
            )
        x = jnp.asarray(inputs).astype(self.compute_dtype)
        mean, variance = self._statistics()
        std = jnp.maximum(jnp.sqrt(variance), config.epsilon())
        if self.invert:
            return mean + x * std
        return (x - mean) / std

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_build_config(self) -> dict[str, Any] | None:
        if self._build_input_shape is None:
            return None
        return {"input_shape": self._build_input_shape}

    def build_from_config(self, config: dict[str, Any] | None) -> None:
        if config:
            self.build(config["input_shape"])

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "invert": self.invert,
            "mean": np.array(self.input_mean).tolist(),
            "variance": np.array(self.input_variance).tolist(),
        }
