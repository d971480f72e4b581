"""Weight penalties: L1, L2, their sum, and the orthogonality penalty."""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerax import config
from kerax.autodiff.recording import op
from kerax.backend.tensors import convert_to_tensor
from kerax.registry import register


def _non_negative(value: Any, name: str, owner: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or math.isnan(value)
        or math.isinf(value)
        or value < 0
    ):
        raise ValueError(
            f"{owner}: `{name}` must be a non-negative finite float, "
            f"received {name}={value!r}."
        )
    return float(value)


def _as_float32(value: float) -> float:
    """``value`` rounded through float32, as Keras's L1 and orthogonal configs show."""
    return float(np.float32(value))


@op
def _l1_l2_penalty(x: Any, l1: float, l2: float) -> jax.Array:
    x = convert_to_tensor(x)
    penalty = jnp.zeros((), x.dtype)
    if l1:
        penalty = penalty + jnp.asarray(l1, x.dtype) * jnp.sum(jnp.abs(x))
    if l2:
        penalty = penalty + jnp.asarray(l2, x.dtype) * jnp.sum(jnp.square(x))
    return penalty


@op
def _orthogonal_penalty(x: Any, factor: float, mode: str) -> jax.Array:
    x = convert_to_tensor(x)
    if x.ndim != 2:
        raise ValueError(
            f"OrthogonalRegularizer needs a rank-2 weight, received shape {x.shape}."
        )
    vectors = x if mode == "rows" else x.T
    norms = jnp.sqrt(jnp.sum(jnp.square(vectors), axis=1, keepdims=True))
    unit = vectors / jnp.maximum(norms, config.epsilon())
    size = unit.shape[0]
    cosines = unit @ unit.T
    off_diagonal = jnp.abs(cosines) * (1.0 - jnp.eye(size, dtype=x.dtype))
    pairs = size * (size - 1) / 2.0
    return factor * 0.5 * jnp.sum(off_diagonal) / pairs


@register("keras.regularizers")
class Regularizer:
    """Base class of regularizers: ``__call__(x)`` returns a scalar penalty.

    Subclasses implement ``__call__`` and ``get_config``; the penalty of every
    regularized weight is added to the training loss.
    """

    def __call__(self, x: Any) -> Any:
        return 0.0

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, as a JSON-friendly dict."""
        raise NotImplementedError(f"{type(self).__name__} must implement get_config().")

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Regularizer:
        """Rebuild a regularizer from ``get_config()`` output."""
        return cls(**config)


@register("keras.regularizers")
class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x**2)``.

    Args:
        l1: non-negative L1 factor (None means 0).
        l2: non-negative L2 factor (None means 0).
    """

    def __init__(self, l1: float | None = 0.0, l2: float | None = 0.0) -> None:
        self.l1 = _non_negative(0.0 if l1 is None else l1, "l1", "L1L2")
        self.l2 = _non_negative(0.0 if l2 is None else l2, "l2", "L1L2")

    def __call__(self, x: Any) -> jax.Array:
        return _l1_l2_penalty(x, self.l1, self.l2)

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}


@register("keras.regularizers")
class L1(Regularizer):
    """``l1 * sum(|x|)``.

    Args:
        l1: non-negative factor (None means the default 0.01).
    """

    def __init__(self, l1: float | None = 0.01) -> None:
        self.l1 = _non_negative(0.01 if l1 is None else l1, "l1", "L1")

    def __call__(self, x: Any) -> jax.Array:
        return _l1_l2_penalty(x, self.l1, 0.0)

    def get_config(self) -> dict[str, Any]:
        return {"l1": _as_float32(self.l1)}


@register("keras.regularizers")
class L2(Regularizer):
    """``l2 * sum(x**2)``.

    Args:
        l2: non-negative factor (None means the default 0.01).
    """

    def __init__(self, l2: float | None = 0.01) -> None:
        self.l2 = _non_negative(0.01 if l2 is None else l2, "l2", "L2")

    def __call__(self, x: Any) -> jax.Array:
        return _l1_l2_penalty(x, 0.0, self.l2)

    def get_config(self) -> dict[str, Any]:
        return {"l2": self.l2}


@register("keras.regularizers")
class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (or columns) of a matrix to be orthogonal.

    The penalty is ``factor`` times half the mean ``|cos|`` between distinct
    pairs of L2-normalized rows (``mode="rows"``) or columns
    (``mode="columns"``) of a rank-2 weight.

    Args:
        factor: non-negative strength.
        mode: ``"rows"`` or ``"columns"``.
    """

    def __init__(self, factor: float = 0.01, mode: str = "rows") -> None:
        self.factor = _non_negative(factor, "factor", "OrthogonalRegularizer")
        if mode not in ("rows", "columns"):
            raise ValueError(
                "OrthogonalRegularizer: `mode` must be 'rows' or 'columns', "
                f"received mode={mode!r}."
            )
        self.mode = mode

    def __call__(self, x: Any) -> jax.Array:
        return _orthogonal_penalty(x, self.factor, self.mode)

    def get_config(self) -> dict[str, Any]:
        return {"factor": _as_float32(self.factor), "mode": self.mode}
