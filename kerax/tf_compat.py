"""TensorFlow-style names for ``import kerax as tf`` custom training loops.

A convenience, not a TensorFlow clone: each name is a thin alias of a kerax op
with TensorFlow's argument names (``input_tensor``, ``axis``, ``keepdims``),
so that the usual ``tf.reduce_mean(tf.square(y - p))`` loop runs unchanged.
Values come back as JAX arrays (or tape tensors inside a GradientTape).
"""

from __future__ import annotations

from typing import Any

from kerax import ops
from kerax.autodiff.recording import Tensor
from kerax.backend.tensors import convert_to_tensor as _convert


def constant(
    value: Any, dtype: Any = None, shape: Any = None, name: str | None = None
) -> Tensor:
    """A constant tensor (``tf.constant``); a GradientTape can ``watch`` it."""
    array = _convert(value, dtype)
    if shape is not None:
        array = (
            ops.broadcast_to(array, tuple(shape))
            if array.ndim == 0
            else ops.reshape(array, tuple(shape))
        )
    return Tensor(array)


def convert_to_tensor(
    value: Any, dtype: Any = None, dtype_hint: Any = None, name: str | None = None
) -> Tensor:
    """``tf.convert_to_tensor``: a kerax Tensor holding ``value``."""
    if isinstance(value, Tensor) and dtype is None:
        return value
    return Tensor(_convert(value, dtype if dtype is not None else dtype_hint))


def _reduce(op: Any) -> Any:
    def reduce(
        input_tensor: Any,
        axis: Any = None,
        keepdims: bool = False,
        name: str | None = None,
    ) -> Any:
        return op(input_tensor, axis=axis, keepdims=keepdims)

    reduce.__name__ = f"reduce_{op.__name__}"
    reduce.__doc__ = f"TensorFlow's ``reduce_{op.__name__}``."
    return reduce


reduce_mean = _reduce(ops.mean)
reduce_sum = _reduce(ops.sum)
reduce_max = _reduce(ops.max)
reduce_min = _reduce(ops.min)
reduce_prod = _reduce(ops.prod)
reduce_any = _reduce(ops.any)
reduce_all = _reduce(ops.all)
reduce_logsumexp = _reduce(ops.logsumexp)


def add_n(inputs: Any, name: str | None = None) -> Any:
    """``tf.add_n``: the elementwise sum of a list of tensors."""
    inputs = list(inputs)
    if not inputs:
        raise ValueError("add_n needs at least one tensor.")
    total = inputs[0]
    for value in inputs[1:]:
        total = total + value
    return total


def concat(values: Any, axis: int, name: str | None = None) -> Any:
    """``tf.concat``."""
    return ops.concatenate(values, axis=axis)


def clip_by_value(
    t: Any, clip_value_min: Any, clip_value_max: Any, name: str | None = None
) -> Any:
    """``tf.clip_by_value``."""
    return ops.clip(t, clip_value_min, clip_value_max)


def gather(params: Any, indices: Any, axis: int = 0, name: str | None = None) -> Any:
    """``tf.gather``."""
    return ops.take(params, indices, axis=axis)


def range(
    start: Any,
    limit: Any = None,
    delta: Any = 1,
    dtype: Any = None,
    name: str | None = None,
) -> Any:  # noqa: A001
    """``tf.range``."""
    return ops.arange(start, limit, delta, dtype=dtype)


pow = ops.power  # noqa: A001
abs = ops.abs  # noqa: A001
add, subtract, multiply, divide = ops.add, ops.subtract, ops.multiply, ops.divide
maximum, minimum, matmul, square, sqrt = (
    ops.maximum,
    ops.minimum,
    ops.matmul,
    ops.square,
    ops.sqrt,
)
exp, log, sigmoid, tanh, sign = ops.exp, ops.log, ops.sigmoid, ops.tanh, ops.sign
reshape, transpose, stack, expand_dims, squeeze = (
    ops.reshape,
    ops.transpose,
    ops.stack,
    ops.expand_dims,
    ops.squeeze,
)
cast, zeros, ones, zeros_like, ones_like = (
    ops.cast,
    ops.zeros,
    ops.ones,
    ops.zeros_like,
    ops.ones_like,
)
argmax, argmin, equal, where, one_hot = (
    ops.argmax,
    ops.argmin,
    ops.equal,
    ops.where,
    ops.one_hot,
)
shape, stop_gradient, einsum, cumsum, tile = (
    ops.shape,
    ops.stop_gradient,
    ops.einsum,
    ops.cumsum,
    ops.tile,
)

nn = ops.nn
math = ops.math
linalg = ops.linalg

__all__ = [
    "abs",
    "add",
    "add_n",
    "argmax",
    "argmin",
    "cast",
    "clip_by_value",
    "concat",
    "constant",
    "convert_to_tensor",
    "cumsum",
    "divide",
    "einsum",
    "equal",
    "exp",
    "expand_dims",
    "gather",
    "linalg",
    "log",
    "math",
    "matmul",
    "maximum",
    "minimum",
    "multiply",
    "nn",
    "one_hot",
    "ones",
    "ones_like",
    "pow",
    "range",
    "reduce_all",
    "reduce_any",
    "reduce_logsumexp",
    "reduce_max",
    "reduce_mean",
    "reduce_min",
    "reduce_prod",
    "reduce_sum",
    "reshape",
    "shape",
    "sigmoid",
    "sign",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "stop_gradient",
    "subtract",
    "tanh",
    "tile",
    "transpose",
    "where",
    "zeros",
    "zeros_like",
]
