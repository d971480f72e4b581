"""Element-wise functions of two arrays, with NumPy broadcasting."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax.autodiff.recording import op
from kerax.ops._utils import (
    binary_operands,
    is_float,
    match_ranks,
    operand,
    tensor,
    to_float,
)

# -- arithmetic ----------------------------------------------------------------


@op
def add(x1: Any, x2: Any) -> jax.Array:
    """``x1 + x2``, element-wise."""
    return jnp.add(*binary_operands(x1, x2))


@op
def subtract(x1: Any, x2: Any) -> jax.Array:
    """``x1 - x2``, element-wise."""
    return jnp.subtract(*binary_operands(x1, x2))


@op
def multiply(x1: Any, x2: Any) -> jax.Array:
    """``x1 * x2``, element-wise."""
    return jnp.multiply(*binary_operands(x1, x2))


@op
def divide(x1: Any, x2: Any) -> jax.Array:
    """True division ``x1 / x2`` (integers give floats)."""
    return jnp.true_divide(*binary_operands(x1, x2))


@op
def true_divide(x1: Any, x2: Any) -> jax.Array:
    """True division (alias of ``divide``)."""
    return jnp.true_divide(*binary_operands(x1, x2))


@op
def divide_no_nan(x1: Any, x2: Any) -> jax.Array:
    """``x1 / x2``, with 0 wherever ``x2`` is 0."""
    x1, x2 = binary_operands(x1, x2)
    safe = jnp.where(x2 == 0, jnp.ones_like(x2), x2)
    return jnp.where(x2 == 0, 0, jnp.true_divide(x1, safe))


@op
def floor_divide(x1: Any, x2: Any) -> jax.Array:
    """``x1 // x2``, element-wise."""
    return jnp.floor_divide(*binary_operands(x1, x2))


@op
def mod(x1: Any, x2: Any) -> jax.Array:
    """Remainder with the sign of the divisor (Python's ``%``)."""
    x1, x2 = binary_operands(x1, x2)
    out = jnp.mod(x1, x2)
    return out.astype("int32") if out.dtype == jnp.bool_ else out


@op
def fmod(x1: Any, x2: Any) -> jax.Array:
    """Remainder with the sign of the dividend (C's ``fmod``)."""
    return jnp.fmod(*binary_operands(x1, x2))


@op
def power(x1: Any, x2: Any) -> jax.Array:
    """``x1 ** x2``, element-wise."""
    return jnp.power(*binary_operands(x1, x2))


@op
def maximum(x1: Any, x2: Any) -> jax.Array:
    """Element-wise maximum (NaN propagates)."""
    return jnp.maximum(*binary_operands(x1, x2))


@op
def minimum(x1: Any, x2: Any) -> jax.Array:
    """Element-wise minimum (NaN propagates)."""
    return jnp.minimum(*binary_operands(x1, x2))


@op
def fmax(x1: Any, x2: Any) -> jax.Array:
    """Element-wise maximum that ignores NaN."""
    return jnp.fmax(*binary_operands(x1, x2))


@op
def fmin(x1: Any, x2: Any) -> jax.Array:
    """Element-wise minimum that ignores NaN."""
    return jnp.fmin(*binary_operands(x1, x2))


def _float_pair(x1: Any, x2: Any, strong_floats: bool = False) -> list[jax.Array]:
    """Both operands, cast to float unless already. ``strong_floats``: Python
    floats count as floatx arrays (Keras's rule for arctan2 and logaddexp)."""
    if strong_floats:
        x1, x2 = (tensor(v) if isinstance(v, float) else v for v in (x1, x2))
    x1, x2 = binary_operands(x1, x2)
    dtype = jnp.result_type(x1, x2)
    if not is_float(dtype):
        return [to_float(jnp.asarray(x1)), to_float(jnp.asarray(x2))]
    return [x1, x2]


@op
def arctan2(x1: Any, x2: Any) -> jax.Array:
    """Angle of the point ``(x2, x1)``, element-wise."""
    return jnp.arctan2(*_float_pair(x1, x2, strong_floats=True))


@op
def hypot(x1: Any, x2: Any) -> jax.Array:
    """``sqrt(x1**2 + x2**2)``, element-wise."""
    return jnp.hypot(*_float_pair(x1, x2))


@op
def logaddexp(x1: Any, x2: Any) -> jax.Array:
    """``log(exp(x1) + exp(x2))``, computed stably."""
    return jnp.logaddexp(*_float_pair(x1, x2, strong_floats=True))


@op
def logaddexp2(x1: Any, x2: Any) -> jax.Array:
    """``log2(2**x1 + 2**x2)``, computed stably."""
    return jnp.logaddexp2(*_float_pair(x1, x2, strong_floats=True))


@op
def nextafter(x1: Any, x2: Any) -> jax.Array:
    """Next representable float after ``x1`` toward ``x2``."""
    return jnp.nextafter(*_float_pair(x1, x2))


@op
def heaviside(x1: Any, x2: Any) -> jax.Array:
    """Step function: 0 below zero, ``x2`` at zero, 1 above."""
    x1, x2 = binary_operands(x1, x2)
    dtype = jnp.result_type(x1, x2)
    if not is_float(dtype):
        dtype = "float32"
    return jnp.heaviside(x1, x2).astype(dtype)


@op
def ldexp(x1: Any, x2: Any) -> jax.Array:
    """``x1 * 2 ** x2`` for integer ``x2``."""
    x1, x2 = binary_operands(x1, x2)
    x2 = jnp.asarray(x2)
    if not jnp.issubdtype(x2.dtype, jnp.integer):
        raise TypeError(f"ldexp expects an integer exponent, received {x2.dtype}.")
    return jnp.ldexp(to_float(jnp.asarray(x1)), x2)


@op
def gcd(x1: Any, x2: Any) -> jax.Array:
    """Greatest common divisor of integers."""
    return jnp.gcd(*binary_operands(x1, x2))


@op
def lcm(x1: Any, x2: Any) -> jax.Array:
    """Least common multiple of integers."""
    return jnp.lcm(*binary_operands(x1, x2))


@op
def clip(x: Any, x_min: Any, x_max: Any) -> jax.Array:
    """Limit values to ``[x_min, x_max]`` (bool input gives int32)."""
    x = operand(x)
    if jnp.asarray(x).dtype == jnp.bool_:
        x = jnp.asarray(x).astype("int32")
    x, x_min, x_max = match_ranks(x, operand(x_min), operand(x_max))
    return jnp.clip(x, x_min, x_max)


# -- comparisons and logic -----------------------------------------------------


@op
def equal(x1: Any, x2: Any) -> jax.Array:
    """``x1 == x2``, element-wise."""
    return jnp.equal(*binary_operands(x1, x2))


@op
def not_equal(x1: Any, x2: Any) -> jax.Array:
    """``x1 != x2``, element-wise."""
    return jnp.not_equal(*binary_operands(x1, x2))


@op
def greater(x1: Any, x2: Any) -> jax.Array:
    """``x1 > x2``, element-wise."""
    return jnp.greater(*binary_operands(x1, x2))


@op
def greater_equal(x1: Any, x2: Any) -> jax.Array:
    """``x1 >= x2``, element-wise."""
    return jnp.greater_equal(*binary_operands(x1, x2))


@op
def less(x1: Any, x2: Any) -> jax.Array:
    """``x1 < x2``, element-wise."""
    return jnp.less(*binary_operands(x1, x2))


@op
def less_equal(x1: Any, x2: Any) -> jax.Array:
    """``x1 <= x2``, element-wise."""
    return jnp.less_equal(*binary_operands(x1, x2))


@op
def logical_and(x1: Any, x2: Any) -> jax.Array:
    """Logical AND, element-wise."""
    return jnp.logical_and(*binary_operands(x1, x2))


@op
def logical_or(x1: Any, x2: Any) -> jax.Array:
    """Logical OR, element-wise."""
    return jnp.logical_or(*binary_operands(x1, x2))


@op
def logical_xor(x1: Any, x2: Any) -> jax.Array:
    """Logical XOR, element-wise."""
    return jnp.logical_xor(*binary_operands(x1, x2))


@op
def isclose(
    x1: Any, x2: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> jax.Array:
    """True where ``|x1 - x2| <= atol + rtol * |x2|``."""
    x1, x2 = binary_operands(x1, x2)
    return jnp.isclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan)


@op
def allclose(
    x1: Any, x2: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> jax.Array:
    """True when ``isclose`` holds everywhere."""
    x1, x2 = binary_operands(x1, x2)
    return jnp.allclose(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan)


# -- bitwise -------------------------------------------------------------------


@op
def bitwise_and(x: Any, y: Any) -> jax.Array:
    """Bitwise AND of integers or bools."""
    return jnp.bitwise_and(*binary_operands(x, y))


@op
def bitwise_or(x: Any, y: Any) -> jax.Array:
    """Bitwise OR of integers or bools."""
    return jnp.bitwise_or(*binary_operands(x, y))


@op
def bitwise_xor(x: Any, y: Any) -> jax.Array:
    """Bitwise XOR of integers or bools."""
    return jnp.bitwise_xor(*binary_operands(x, y))


@op
def bitwise_left_shift(x: Any, y: Any) -> jax.Array:
    """Shift the bits of ``x`` left by ``y``."""
    return jnp.left_shift(*binary_operands(x, y))


@op
def left_shift(x: Any, y: Any) -> jax.Array:
    """Shift the bits of ``x`` left by ``y`` (alias)."""
    return jnp.left_shift(*binary_operands(x, y))


@op
def bitwise_right_shift(x: Any, y: Any) -> jax.Array:
    """Shift the bits of ``x`` right by ``y``."""
    return jnp.right_shift(*binary_operands(x, y))


@op
def right_shift(x: Any, y: Any) -> jax.Array:
    """Shift the bits of ``x`` right by ``y`` (alias)."""
    return jnp.right_shift(*binary_operands(x, y))
