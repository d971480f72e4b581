"""Weight constraints: projections applied to a weight after each update."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax import config
from kerax.autodiff.recording import op
from kerax.backend.tensors import convert_to_tensor
from kerax.registry import register


@op
def _rescale_norms(
    w: Any, axis: Any, min_value: float, max_value: float, rate: float
) -> jax.Array:
    """Scale ``w`` so its norms along ``axis`` move into ``[min_value, max_value]``."""
    w = convert_to_tensor(w)
    norms = jnp.sqrt(jnp.sum(jnp.square(w), axis=_axis(axis), keepdims=True))
    desired = rate * jnp.clip(norms, min_value, max_value) + (1 - rate) * norms
    return w * (desired / (config.epsilon() + norms))


@op
def _unit_norm(w: Any, axis: Any) -> jax.Array:
    w = convert_to_tensor(w)
    norms = jnp.sqrt(jnp.sum(jnp.square(w), axis=_axis(axis), keepdims=True))
    return w / (config.epsilon() + norms)


@op
def _non_negative(w: Any) -> jax.Array:
    w = convert_to_tensor(w)
    return jnp.maximum(w, jnp.zeros_like(w))


def _axis(axis: Any) -> Any:
    return tuple(axis) if isinstance(axis, list) else axis


@register("keras.constraints")
class Constraint:
    """Base class of constraints: ``__call__(w)`` returns the projected weight.

    Optimizers apply a weight's constraint after each update. The base class
    returns ``w`` unchanged.
    """

    def __call__(self, w: Any) -> Any:
        return w

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, as a JSON-friendly dict."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Constraint:
        """Rebuild a constraint from ``get_config()`` output."""
        return cls(**config)


@register("keras.constraints")
class MaxNorm(Constraint):
    """Rescales slices whose L2 norm along ``axis`` exceeds ``max_value``.

    Args:
        max_value: the largest allowed norm.
        axis: axis or axes of the norm; 0 constrains each column of a Dense
            kernel ``(input_dim, units)``, ``[0, 1, 2]`` each filter of a
            Conv2D kernel.
    """

    def __init__(self, max_value: float = 2, axis: Any = 0) -> None:
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w: Any) -> jax.Array:
        return _rescale_norms(w, self.axis, 0.0, self.max_value, 1.0)

    def get_config(self) -> dict[str, Any]:
        return {"max_value": self.max_value, "axis": self.axis}


@register("keras.constraints")
class NonNeg(Constraint):
    """Replaces negative weights by 0."""

    def __call__(self, w: Any) -> jax.Array:
        return _non_negative(w)


@register("keras.constraints")
class UnitNorm(Constraint):
    """Divides each slice by its L2 norm along ``axis``.

    Args:
        axis: axis or axes of the norm (see ``MaxNorm``).
    """

    def __init__(self, axis: Any = 0) -> None:
        self.axis = axis

    def __call__(self, w: Any) -> jax.Array:
        return _unit_norm(w, self.axis)

    def get_config(self) -> dict[str, Any]:
        return {"axis": self.axis}


@register("keras.constraints")
class MinMaxNorm(Constraint):
    """Moves the L2 norm of each slice along ``axis`` into ``[min_value, max_value]``.

    The new norm is ``rate * clip(norm, min_value, max_value) + (1 - rate) *
    norm``: ``rate=1`` enforces the bounds at once, smaller rates approach them
    gradually.

    Args:
        min_value: the smallest allowed norm.
        max_value: the largest allowed norm.
        rate: how far to move toward the bounds per application.
        axis: axis or axes of the norm (see ``MaxNorm``).
    """

    def __init__(
        self,
        min_value: float = 0.0,
        max_value: float = 1.0,
        rate: float = 1.0,
        axis: Any = 0,
    ) -> None:
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w: Any) -> jax.Array:
        return _rescale_norms(w, self.axis, self.min_value, self.max_value, self.rate)

    def get_config(self) -> dict[str, Any]:
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }
