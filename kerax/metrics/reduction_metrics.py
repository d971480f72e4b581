"""``Sum``, ``Mean`` and ``MeanMetricWrapper``: running (weighted) reductions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from kerax.backend.tensors import convert_to_tensor
from kerax.metrics import loss_functions
from kerax.metrics.metric import Metric
from kerax.metrics.metrics_utils import divide_no_nan, squeeze_or_expand_to_same_rank
from kerax.registry import public_name, register


def reduce_to_samplewise_values(
    values: Any,
    sample_weight: Any,
    reduce_fn: Callable[..., jax.Array],
    dtype: str,
    mask: jax.Array | None = None,
) -> tuple[jax.Array, jax.Array | None]:
    """Weight ``values`` and reduce them (and the weights) to one per sample.

    ``sample_weight`` may have fewer axes than ``values``: the extra axes of
    ``values`` are reduced first. ``mask`` (entries to count) multiplies the
    weights, and only when weights are given.
    """
    values = convert_to_tensor(values).astype(dtype)
    if sample_weight is not None:
        sample_weight = convert_to_tensor(sample_weight, dtype=dtype)
        if mask is not None:
            mask, sample_weight = squeeze_or_expand_to_same_rank(
                mask.astype(dtype), sample_weight
            )
            sample_weight = sample_weight * mask
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim = sample_weight.ndim
        if values.ndim > weight_ndim:
            values = reduce_fn(values, axis=tuple(range(weight_ndim, values.ndim)))
        values = values * jnp.broadcast_to(sample_weight, values.shape)
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, weight_ndim)))
    if values.ndim > 1:
        values = reduce_fn(values, axis=tuple(range(1, values.ndim)))
    return values, sample_weight


def _mean_update(
    total: jax.Array,
    count: jax.Array,
    values: jax.Array,
    sample_weight: jax.Array | None,
    mask: jax.Array | None,
) -> tuple[jax.Array, jax.Array]:
    """New ``(total, count)`` of a running mean after one batch."""
    values, sample_weight = reduce_to_samplewise_values(
        values, sample_weight, jnp.mean, total.dtype, mask=mask
    )
    if sample_weight is not None:
        num_samples = jnp.sum(sample_weight)
    else:
        num_samples = values.shape[0] if values.ndim >= 1 else 1
    return total + jnp.sum(values), count + jnp.asarray(num_samples, count.dtype)


@register("keras.metrics")
class Sum(Metric):
    """Running (weighted) sum of the given values.

    Args:
        name: name of the metric.
        dtype: dtype of the accumulator.

    Example:
        >>> m = Sum()
        >>> m.update_state([1.0, 3.0, 5.0])
        >>> float(m.result())
        9.0
    """

    def __init__(self, name: str = "sum", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), "zeros", dtype=self.dtype, name="total")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        """Add the (weighted) values."""
        values, _ = reduce_to_samplewise_values(
            values, sample_weight, jnp.sum, self.dtype
        )
        self.total.assign(self.total.value + jnp.sum(values))

    def result(self) -> jax.Array:
        return self.total.value.astype(self.dtype)


@register("keras.metrics")
class Mean(Metric):
    """Running (weighted) mean of the given values.

    Values with more axes than ``sample_weight`` are first averaged over the
    extra axes; the result is ``sum(weight * value) / sum(weight)``.

    Args:
        name: name of the metric.
        dtype: dtype of the accumulators.

    Example:
        >>> m = Mean()
        >>> m.update_state([1.0, 3.0, 5.0, 7.0], sample_weight=[1, 1, 0, 0])
        >>> float(m.result())
        2.0
    """

    def __init__(self, name: str = "mean", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), "zeros", dtype=self.dtype, name="total")
        self.count = self.add_variable((), "zeros", dtype=self.dtype, name="count")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        """Add the (weighted) values and their weight."""
        self._accumulate(values, sample_weight)

    def _accumulate(
        self, values: Any, sample_weight: Any, mask: jax.Array | None = None
    ) -> None:
        values = convert_to_tensor(values)
        if sample_weight is not None:
            sample_weight = convert_to_tensor(sample_weight, self.dtype)
        total, count = _mean_update(
            self.total.value, self.count.value, values, sample_weight, mask
        )
        self.total.assign(total)
        self.count.assign(count)

    def result(self) -> jax.Array:
        return divide_no_nan(self.total.value, self.count.value.astype(self.dtype))


def _is_loss_function(fn: Any) -> bool:
    found = public_name(fn)
    if found is not None and found[0] == "keras.losses":
        return True
    return getattr(loss_functions, getattr(fn, "__name__", ""), None) is fn


@register("keras.metrics")
class MeanMetricWrapper(Mean):
    """Running mean of ``fn(y_true, y_pred, **kwargs)``.

    Args:
        fn: a per-sample function ``fn(y_true, y_pred, **kwargs)``.
        name: name of the metric.
        dtype: dtype of the accumulators.
        **kwargs: extra keyword arguments for ``fn``.

    Example:
        >>> from kerax.metrics import mean_squared_error
        >>> m = MeanMetricWrapper(mean_squared_error)
        >>> m.update_state([[0.0, 1.0]], [[1.0, 1.0]])
        >>> float(m.result())
        0.5
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        name: str | None = None,
        dtype: Any = None,
        **kwargs: Any,
    ) -> None:
        if not callable(fn):
            raise TypeError(
                f"MeanMetricWrapper: `fn` must be callable, received {fn!r}."
            )
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs
        if _is_loss_function(fn):
            self._direction = "down"

    def _mask(self, y_true: Any, y_pred: Any) -> jax.Array | None:
        """Entries ``fn`` marks as ignored (None: all count)."""
        return None

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Average ``fn(y_true, y_pred)`` into the state."""
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        self._accumulate(values, sample_weight, self._mask(y_true, y_pred))

    def get_config(self) -> dict[str, Any]:
        from kerax.metrics.identifiers import serialize_function

        config = super().get_config()
        config["fn"] = serialize_function(self._fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> MeanMetricWrapper:
        from kerax.metrics.identifiers import deserialize_function

        config = dict(config)
        if "fn" in config:
            config["fn"] = deserialize_function(config["fn"])
        return cls(**config)


class FixedFunctionWrapper(MeanMetricWrapper):
    """A ``MeanMetricWrapper`` whose class fixes ``fn``: its config omits it."""

    def get_config(self) -> dict[str, Any]:
        return Metric.get_config(self)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> MeanMetricWrapper:
        return cls(**config)
