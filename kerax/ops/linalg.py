"""Linear algebra ops (``keras.ops.linalg``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import jax.scipy.linalg as scipy_linalg

from kerax.autodiff.recording import op
from kerax.ops._utils import axis_arg, float_tensor

__all__ = [
    "cholesky",
    "cholesky_inverse",
    "det",
    "eig",
    "eigh",
    "inv",
    "jvp",
    "lstsq",
    "lu_factor",
    "matrix_rank",
    "norm",
    "pinv",
    "qr",
    "solve",
    "solve_triangular",
    "svd",
]


def _square(x: Any, name: str) -> jax.Array:
    x = float_tensor(x)
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(
            f"{name} expects square matrices of shape (..., M, M), received {x.shape}."
        )
    return x


@op
def cholesky(x: Any, upper: bool = False) -> jax.Array:
    """Cholesky factor of a positive definite matrix (lower unless ``upper``)."""
    factor = jnp.linalg.cholesky(_square(x, "cholesky"))
    return jnp.conjugate(jnp.swapaxes(factor, -1, -2)) if upper else factor


@op
def cholesky_inverse(x: Any, upper: bool = False) -> jax.Array:
    """Inverse of ``A`` given its Cholesky factor ``x``."""
    factor = _square(x, "cholesky_inverse")
    identity = jnp.broadcast_to(
        jnp.eye(factor.shape[-1], dtype=factor.dtype), factor.shape
    )
    inverse_factor = scipy_linalg.solve_triangular(factor, identity, lower=not upper)
    if upper:
        return inverse_factor @ jnp.swapaxes(inverse_factor, -1, -2)
    return jnp.swapaxes(inverse_factor, -1, -2) @ inverse_factor


@op
def det(x: Any) -> jax.Array:
    """Determinant of square matrices."""
    return jnp.linalg.det(_square(x, "det"))


@op
def eig(x: Any) -> tuple[jax.Array, jax.Array]:
    """Eigenvalues and right eigenvectors of general square matrices (complex)."""
    values, vectors = jnp.linalg.eig(_square(x, "eig"))
    return values, vectors


@op
def eigh(x: Any) -> tuple[jax.Array, jax.Array]:
    """Eigenvalues (ascending) and eigenvectors of symmetric matrices."""
    values, vectors = jnp.linalg.eigh(_square(x, "eigh"))
    return values, vectors


@op
def inv(x: Any) -> jax.Array:
    """Inverse of square matrices."""
    return jnp.linalg.inv(_square(x, "inv"))


@op
def pinv(x: Any, rcond: Any = None) -> jax.Array:
    """Moore-Penrose pseudo-inverse (singular values below ``rcond`` dropped)."""
    return jnp.linalg.pinv(float_tensor(x), rtol=rcond)


@op
def matrix_rank(x: Any, tol: Any = None) -> jax.Array:
    """Number of singular values above ``tol`` (int32)."""
    return jnp.linalg.matrix_rank(float_tensor(x), tol=tol).astype("int32")


@op
def lu_factor(x: Any) -> tuple[jax.Array, jax.Array]:
    """LU factorization with partial pivoting: packed ``lu`` and ``pivots``."""
    return scipy_linalg.lu_factor(_square(x, "lu_factor"))


@op
def norm(
    x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False
) -> jax.Array:  # noqa: A002
    """Vector or matrix norm (``ord`` as in ``numpy.linalg.norm``)."""
    return jnp.linalg.norm(
        float_tensor(x), ord=ord, axis=axis_arg(axis), keepdims=keepdims
    )


@op
def qr(x: Any, mode: str = "reduced") -> tuple[jax.Array, jax.Array]:
    """QR decomposition (``mode``: ``"reduced"`` or ``"complete"``)."""
    if mode not in ("reduced", "complete"):
        raise ValueError(
            f"qr: `mode` must be 'reduced' or 'complete', received {mode!r}."
        )
    q, r = jnp.linalg.qr(float_tensor(x), mode=mode)
    return q, r


@op
def solve(a: Any, b: Any) -> jax.Array:
    """Solve ``a @ x = b`` for ``x``."""
    return jnp.linalg.solve(_square(a, "solve"), float_tensor(b))


@op
def solve_triangular(a: Any, b: Any, lower: bool = False) -> jax.Array:
    """Solve ``a @ x = b`` for triangular ``a``."""
    return scipy_linalg.solve_triangular(
        _square(a, "solve_triangular"), float_tensor(b), lower=lower
    )


@op
def lstsq(a: Any, b: Any, rcond: Any = None) -> jax.Array:
    """Least-squares solution of ``a @ x = b``."""
    a, b = float_tensor(a), float_tensor(b)
    if a.ndim != 2:
        raise ValueError(f"lstsq expects a 2-D `a`, received shape {a.shape}.")
    return jnp.linalg.lstsq(a, b, rcond=rcond)[0]


@op
def svd(x: Any, full_matrices: bool = True, compute_uv: bool = True) -> Any:
    """Singular value decomposition: ``(u, s, vh)``, or ``s`` only."""
    out = jnp.linalg.svd(
        float_tensor(x), full_matrices=full_matrices, compute_uv=compute_uv
    )
    return tuple(out) if compute_uv else out


@op
def jvp(
    fun: Callable[..., Any], primals: Any, tangents: Any, has_aux: bool = False
) -> Any:
    """Forward-mode derivative: ``(fun(*primals), J @ tangents)`` (and aux)."""
    return jax.jvp(fun, tuple(primals), tuple(tangents), has_aux=has_aux)
