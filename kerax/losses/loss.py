"""``Loss``, the base of every loss object, and ``LossFunctionWrapper``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from kerax import dtype_policies
from kerax.autodiff.recording import op
from kerax.backend.tensors import convert_to_tensor
from kerax.losses.reduction import (
    reduce_weighted_values,
    squeeze_or_expand_to_same_rank,
    standardize_reduction,
)
from kerax.registry import register
from kerax.utils import naming


def _is_array_like(x: Any) -> bool:
    return not isinstance(x, dict)


@op
def _reduced_loss(
    y_true: Any, y_pred: Any, sample_weight: Any, row_mask: Any = None, *, loss: Loss
) -> Any:
    """The whole computation of ``Loss.__call__``: one op for GradientTape.

    ``row_mask`` (True for the real rows of a padded batch) joins the loss's
    own mask, so the reduction counts only the real rows.
    """

    def cast(x: Any) -> jax.Array:
        return convert_to_tensor(x, loss.dtype)

    # Dicts (named outputs) map per entry; lists and tuples are array-likes.
    y_true = jax.tree_util.tree_map(cast, y_true, is_leaf=_is_array_like)
    y_pred = jax.tree_util.tree_map(cast, y_pred, is_leaf=_is_array_like)
    values, mask = loss._values_and_mask(y_true, y_pred)
    if row_mask is not None:
        mask = _with_rows(mask, row_mask, values, full=sample_weight is None)
    return reduce_weighted_values(
        values, sample_weight, mask, reduction=loss.reduction, dtype=loss.dtype
    )


def _with_rows(mask: Any, rows: jax.Array, values: Any, full: bool) -> jax.Array:
    """``mask`` (None: all) restricted to the real rows, shaped for the reduction."""
    values = jnp.asarray(values)
    rows = jnp.reshape(rows, rows.shape + (1,) * (values.ndim - 1))
    if mask is None:
        return jnp.broadcast_to(rows, values.shape) if full else rows
    mask = jnp.asarray(mask, bool)
    shape = jnp.broadcast_shapes(mask.shape, rows.shape)
    return jnp.broadcast_to(mask, shape) & jnp.broadcast_to(rows, shape)


def reduced_loss(
    loss: Loss, y_true: Any, y_pred: Any, sample_weight: Any, row_mask: Any = None
) -> Any:
    """``loss(y_true, y_pred, sample_weight)`` counting only the rows of
    ``row_mask`` (a padded batch's real rows; see ``trainers/padding.py``)."""
    return _reduced_loss(y_true, y_pred, sample_weight, row_mask, loss=loss)


@register("keras.losses")
class Loss:
    """Base class of losses: subclasses implement ``call(y_true, y_pred)``.

    ``call`` returns per-sample loss values; ``__call__`` converts the inputs
    to the loss dtype, calls it, weights the values by ``sample_weight`` and
    reduces them.

    Args:
        name: name of the instance (default: from the class name).
        reduction: ``"sum_over_batch_size"`` (default), ``"sum"``, ``"mean"``
            (same as the default), ``"mean_with_sample_weight"`` (weighted sum
            divided by the sum of weights), ``"none"`` or None (no reduction).
        dtype: dtype (or dtype policy) to compute in; default ``floatx()``.

    Example:
        >>> class MeanError(Loss):
        ...     def call(self, y_true, y_pred):
        ...         return (y_pred - y_true).mean(axis=-1)
        >>> float(MeanError()([[0.0, 0.0]], [[1.0, 3.0]]))
        2.0
    """

    def __init__(
        self,
        name: str | None = None,
        reduction: str | None = "sum_over_batch_size",
        dtype: Any = None,
    ) -> None:
        if name is None:
            name = naming.uniquify(naming.to_snake_case(type(self).__name__))
        self.name = name
        self.reduction = standardize_reduction(reduction)
        self._dtype_policy = dtype_policies.get(dtype)
        self._dtype = self._dtype_policy.compute_dtype

    @property
    def dtype(self) -> str:
        """The dtype the loss computes in."""
        return self._dtype

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        """The reduced, weighted loss of a batch."""
        return _reduced_loss(y_true, y_pred, sample_weight, loss=self)

    def call(self, y_true: Any, y_pred: Any) -> Any:
        """Per-sample loss values (to be implemented by subclasses)."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement call(y_true, y_pred)."
        )

    def _values_and_mask(self, y_true: Any, y_pred: Any) -> tuple[Any, Any]:
        """Per-sample values and a boolean mask of those that count (None: all)."""
        return self.call(y_true, y_pred), None

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments that recreate this loss (as Keras: no dtype)."""
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        """Create a loss from ``get_config()``'s output."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


@register("keras.losses")
class LossFunctionWrapper(Loss):
    """A ``Loss`` around a function ``fn(y_true, y_pred, **kwargs)``.

    Before calling ``fn``, ``y_true`` and ``y_pred`` whose ranks differ by one
    with a trailing axis of size 1 are brought to the same rank.

    Args:
        fn: the per-sample loss function.
        reduction: see ``Loss``.
        name: see ``Loss``.
        dtype: see ``Loss``.
        **kwargs: extra keyword arguments for ``fn``.

    Example:
        >>> from kerax.losses import mean_absolute_error
        >>> loss = LossFunctionWrapper(mean_absolute_error, name="mae")
        >>> float(loss([[0.0, 1.0]], [[1.0, 1.0]]))
        0.5
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        reduction: str | None = "sum_over_batch_size",
        name: str | None = None,
        dtype: Any = None,
        **kwargs: Any,
    ) -> None:
        if not callable(fn):
            raise TypeError(
                f"LossFunctionWrapper expects a callable `fn`, received {fn!r}."
            )
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true: Any, y_pred: Any) -> Any:
        if hasattr(y_true, "shape") and hasattr(y_pred, "shape"):
            y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict[str, Any]:
        from kerax.losses.serialization import serialize

        config = super().get_config()
        config["fn"] = serialize(self.fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        from kerax.losses.serialization import deserialize

        config = dict(config)
        if "fn" in config:
            config["fn"] = deserialize(config["fn"])
        return cls(**config)

    def __repr__(self) -> str:
        fn = getattr(self.fn, "__name__", repr(self.fn))
        return f"<{type(self).__name__}({fn}, kwargs={self._fn_kwargs})>"


class BuiltinLoss(LossFunctionWrapper):
    """A built-in loss class: a loss function plus its stored arguments.

    ``_config_keys`` names the keyword arguments of ``fn`` that are public
    attributes and config entries, in the order Keras writes them.
    """

    _config_keys: tuple[str, ...] = ()

    def __init__(
        self,
        fn: Callable[..., Any],
        reduction: str | None,
        name: str | None,
        dtype: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(fn, reduction=reduction, name=name, dtype=dtype, **kwargs)
        for key in self._config_keys:
            setattr(self, key, kwargs[key])

    def get_config(self) -> dict[str, Any]:
        config = Loss.get_config(self)
        config.update({key: getattr(self, key) for key in self._config_keys})
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        return cls(**config)
