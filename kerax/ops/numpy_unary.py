"""Element-wise functions of one array (``keras.ops.numpy``)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax.autodiff.recording import op
from kerax.ops._utils import float_tensor, tensor

# -- functions that always return floats ------------------------------------


@op
def arccos(x: Any) -> jax.Array:
    """Inverse cosine, element-wise."""
    return jnp.arccos(float_tensor(x))


@op
def arccosh(x: Any) -> jax.Array:
    """Inverse hyperbolic cosine, element-wise."""
    return jnp.arccosh(float_tensor(x))


@op
def arcsin(x: Any) -> jax.Array:
    """Inverse sine, element-wise."""
    return jnp.arcsin(float_tensor(x))


@op
def arcsinh(x: Any) -> jax.Array:
    """Inverse hyperbolic sine, element-wise."""
    return jnp.arcsinh(float_tensor(x))


@op
def arctan(x: Any) -> jax.Array:
    """Inverse tangent, element-wise."""
    return jnp.arctan(float_tensor(x))


@op
def arctanh(x: Any) -> jax.Array:
    """Inverse hyperbolic tangent, element-wise."""
    return jnp.arctanh(float_tensor(x))


@op
def cbrt(x: Any) -> jax.Array:
    """Cube root, element-wise."""
    return jnp.cbrt(float_tensor(x))


@op
def ceil(x: Any) -> jax.Array:
    """Smallest integer-valued float not below ``x``, element-wise."""
    return jnp.ceil(float_tensor(x))


@op
def cos(x: Any) -> jax.Array:
    """Cosine, element-wise."""
    return jnp.cos(float_tensor(x))


@op
def cosh(x: Any) -> jax.Array:
    """Hyperbolic cosine, element-wise."""
    return jnp.cosh(float_tensor(x))


@op
def deg2rad(x: Any) -> jax.Array:
    """Degrees to radians."""
    return jnp.deg2rad(float_tensor(x))


@op
def exp(x: Any) -> jax.Array:
    """``e ** x``, element-wise."""
    return jnp.exp(float_tensor(x))


@op
def exp2(x: Any) -> jax.Array:
    """``2 ** x``, element-wise."""
    return jnp.exp2(float_tensor(x))


@op
def expm1(x: Any) -> jax.Array:
    """``exp(x) - 1``, accurate near zero."""
    return jnp.expm1(float_tensor(x))


@op
def floor(x: Any) -> jax.Array:
    """Largest integer-valued float not above ``x``, element-wise."""
    return jnp.floor(float_tensor(x))


@op
def i0(x: Any) -> jax.Array:
    """Modified Bessel function of the first kind, order 0."""
    return jnp.i0(float_tensor(x))


@op
def log(x: Any) -> jax.Array:
    """Natural logarithm, element-wise."""
    return jnp.log(float_tensor(x))


@op
def log10(x: Any) -> jax.Array:
    """Base-10 logarithm, element-wise."""
    return jnp.log10(float_tensor(x))


@op
def log1p(x: Any) -> jax.Array:
    """``log(1 + x)``, accurate near zero."""
    return jnp.log1p(float_tensor(x))


@op
def log2(x: Any) -> jax.Array:
    """Base-2 logarithm, element-wise."""
    return jnp.log2(float_tensor(x))


@op
def rad2deg(x: Any) -> jax.Array:
    """Radians to degrees."""
    return jnp.rad2deg(float_tensor(x))


@op
def reciprocal(x: Any) -> jax.Array:
    """``1 / x``, element-wise."""
    return jnp.reciprocal(float_tensor(x))


@op
def sin(x: Any) -> jax.Array:
    """Sine, element-wise."""
    return jnp.sin(float_tensor(x))


@op
def sinc(x: Any) -> jax.Array:
    """Normalized sinc, ``sin(pi x) / (pi x)``."""
    return jnp.sinc(float_tensor(x))


@op
def sinh(x: Any) -> jax.Array:
    """Hyperbolic sine, element-wise."""
    return jnp.sinh(float_tensor(x))


@op
def sqrt(x: Any) -> jax.Array:
    """Square root, element-wise."""
    return jnp.sqrt(float_tensor(x))


@op
def tan(x: Any) -> jax.Array:
    """Tangent, element-wise."""
    return jnp.tan(float_tensor(x))


@op
def tanh(x: Any) -> jax.Array:
    """Hyperbolic tangent, element-wise."""
    return jnp.tanh(float_tensor(x))


# -- functions that keep the input's dtype ------------------------------------


@op
def absolute(x: Any) -> jax.Array:
    """Absolute value, element-wise (bool stays bool)."""
    x = tensor(x)
    if x.dtype == jnp.bool_:
        return x
    return jnp.abs(x)


@op
def abs(x: Any) -> jax.Array:  # noqa: A001 - Keras's name
    """Absolute value, element-wise (alias of ``absolute``)."""
    return absolute.__kerax_op__(x)


@op
def fabs(x: Any) -> jax.Array:
    """Absolute value as a float, element-wise."""
    return jnp.fabs(float_tensor(x))


@op
def negative(x: Any) -> jax.Array:
    """``-x``, element-wise."""
    return jnp.negative(tensor(x))


@op
def square(x: Any) -> jax.Array:
    """``x * x``, element-wise (bool input gives int32)."""
    x = tensor(x)
    if x.dtype == jnp.bool_:
        x = x.astype("int32")
    return jnp.square(x)


@op
def sign(x: Any) -> jax.Array:
    """-1, 0 or 1 by the sign of ``x``."""
    x = tensor(x)
    if x.dtype == jnp.bool_:
        raise TypeError("sign does not accept bool input; cast it to a number first.")
    return jnp.sign(x)


@op
def round(x: Any, decimals: int = 0) -> jax.Array:  # noqa: A001 - Keras's name
    """Round half to even, to ``decimals`` decimal places."""
    return jnp.round(tensor(x), decimals)


@op
def trunc(x: Any) -> jax.Array:
    """Round toward zero, element-wise."""
    x = tensor(x)
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        return x
    return jnp.trunc(x)


@op
def conjugate(x: Any) -> jax.Array:
    """Complex conjugate, element-wise."""
    return jnp.conjugate(tensor(x))


@op
def conj(x: Any) -> jax.Array:
    """Complex conjugate (alias of ``conjugate``)."""
    return jnp.conjugate(tensor(x))


@op
def real(x: Any) -> jax.Array:
    """Real part, element-wise."""
    return jnp.real(tensor(x))


@op
def imag(x: Any) -> jax.Array:
    """Imaginary part, element-wise."""
    return jnp.imag(tensor(x))


@op
def angle(x: Any) -> jax.Array:
    """Angle of complex values (0 or pi for reals)."""
    return jnp.angle(float_tensor(x))


@op
def nan_to_num(
    x: Any, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
) -> jax.Array:
    """Replace NaN and infinities with finite numbers."""
    return jnp.nan_to_num(tensor(x), nan=nan, posinf=posinf, neginf=neginf)


@op
def copy(x: Any) -> jax.Array:
    """A copy of ``x``."""
    return jnp.array(tensor(x), copy=True)


# -- predicates (bool results) ------------------------------------------------


@op
def isfinite(x: Any) -> jax.Array:
    """True where ``x`` is neither infinite nor NaN."""
    return jnp.isfinite(tensor(x))


@op
def isinf(x: Any) -> jax.Array:
    """True where ``x`` is positive or negative infinity."""
    return jnp.isinf(tensor(x))


@op
def isnan(x: Any) -> jax.Array:
    """True where ``x`` is NaN."""
    return jnp.isnan(tensor(x))


@op
def isneginf(x: Any) -> jax.Array:
    """True where ``x`` is negative infinity."""
    return jnp.isneginf(tensor(x))


@op
def isposinf(x: Any) -> jax.Array:
    """True where ``x`` is positive infinity."""
    return jnp.isposinf(tensor(x))


@op
def isreal(x: Any) -> jax.Array:
    """True where ``x`` has no imaginary part."""
    return jnp.isreal(tensor(x))


@op
def signbit(x: Any) -> jax.Array:
    """True where the sign bit is set (negative numbers, -0.0)."""
    return jnp.signbit(tensor(x))


@op
def logical_not(x: Any) -> jax.Array:
    """Logical NOT, element-wise."""
    return jnp.logical_not(tensor(x))


@op
def bitwise_invert(x: Any) -> jax.Array:
    """Bitwise NOT of integers (logical NOT of bools)."""
    return jnp.invert(tensor(x))


@op
def bitwise_not(x: Any) -> jax.Array:
    """Bitwise NOT (alias of ``bitwise_invert``)."""
    return jnp.invert(tensor(x))
