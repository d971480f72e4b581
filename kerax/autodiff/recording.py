"""What GradientTapes see: the ``op`` decorator, tape tensors and recording.

Outside a tape an op is its plain function (Variables and tape tensors in the
arguments are unwrapped to arrays). While a tape records, an op whose inputs the
tape tracks is stored as a node: a pure function of its array inputs, which the
tape replays under ``jax.vjp`` to compute gradients. Replay makes higher-order
gradients (a tape recording another tape's gradient) plain JAX autodiff.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import jax
import numpy as np

from kerax.autodiff.arithmetic import ArrayArithmetic
from kerax.backend.keras_tensor import KerasTensor

_local = threading.local()


def active_tapes() -> list[Any]:
    """The tapes recording on this thread (innermost last)."""
    tapes = getattr(_local, "tapes", None)
    if tapes is None:
        tapes = _local.tapes = []
    return tapes


_symbolic_hook: Callable[..., Any] | None = None


def set_symbolic_hook(hook: Callable[..., Any]) -> None:
    """Register how an op applied to KerasTensors becomes a graph node."""
    global _symbolic_hook
    _symbolic_hook = hook


def _paused() -> int:
    return getattr(_local, "paused", 0)


@contextmanager
def paused() -> Iterator[None]:
    """Run a block without recording (used while an op or a replay executes)."""
    _local.paused = _paused() + 1
    try:
        yield
    finally:
        _local.paused -= 1


def recording_tapes() -> list[Any]:
    """Tapes that would record an op issued now."""
    if _paused():
        return []
    return [tape for tape in active_tapes() if tape._recording]


class Tensor(ArrayArithmetic):
    """An array value produced while a GradientTape recorded, or by ``constant``.

    It behaves like an array (operators, ``numpy()``, ``shape``, ``dtype``) and
    every kerax op accepts it. Use ``numpy()`` or ``jax.numpy.asarray`` to hand it
    to code outside kerax: plain ``jax.numpy`` functions are not recorded.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __kerax_value__(self) -> Any:
        return self.value

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.value.shape)

    @property
    def dtype(self) -> str:
        return str(self.value.dtype)

    def __repr__(self) -> str:
        return f"<kerax.Tensor shape={self.shape} dtype={self.dtype}\n{self.value}>"


# Deliberately not a pytree node: tree utilities must see a Tensor as a leaf,
# or structure-walking code (losses, metrics, trainers) would strip it from the
# tape. ``kerax.function`` unwraps Tensors it returns to JAX itself.


def unwrap_tensors(tree: Any) -> Any:
    """Replace every tape ``Tensor`` in a pytree by its array."""
    return jax.tree_util.tree_map(
        lambda x: x.value if isinstance(x, Tensor) else x,
        tree,
        is_leaf=lambda x: isinstance(x, Tensor),
    )


def _is_wrapper(x: Any) -> bool:
    return hasattr(x, "__kerax_value__")


def _unwrap_leaf(leaf: Any) -> Any:
    unwrap = getattr(leaf, "__kerax_value__", None)
    return leaf if unwrap is None else unwrap()


def apply(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``fn`` on unwrapped arguments, recording it on tapes that track them."""
    leaves, treedef = jax.tree_util.tree_flatten((args, kwargs), is_leaf=_is_wrapper)
    has_wrapper = False
    has_tensor = False
    for leaf in leaves:
        if _is_wrapper(leaf):
            has_wrapper = True
            if isinstance(leaf, Tensor):
                has_tensor = True
        elif isinstance(leaf, KerasTensor):
            if _symbolic_hook is None:  # pragma: no cover - set when layers import
                raise TypeError("Symbolic tensors need kerax.layers to be imported.")
            return _symbolic_hook(fn, args, kwargs)
    tapes = recording_tapes()
    if not has_wrapper and not tapes:
        return fn(*args, **kwargs)
    values = [_unwrap_leaf(leaf) for leaf in leaves]

    def pure(*leaf_values: Any) -> Any:
        call_args, call_kwargs = jax.tree_util.tree_unflatten(treedef, leaf_values)
        return fn(*call_args, **call_kwargs)

    if tapes:
        tracking = [tape for tape in tapes if tape._tracks_any(leaves)]
        if tracking:
            with paused():
                out = pure(*values)
            return _record(tracking, pure, leaves, values, out)
    with paused():
        out = pure(*values)
    if has_tensor:
        return jax.tree_util.tree_map(_wrap_array, out)
    return out


def _wrap_array(x: Any) -> Any:
    if isinstance(x, (jax.Array, np.ndarray)):
        return Tensor(x)
    return x


def _record(
    tapes: list[Any],
    pure: Callable[..., Any],
    leaves: list[Any],
    values: list[Any],
    out: Any,
) -> Any:
    out_leaves, out_treedef = jax.tree_util.tree_flatten(out)
    wrapped = [_wrap_array(x) for x in out_leaves]
    for tape in tapes:
        tape._add_node(pure, leaves, values, out_treedef, wrapped)
    return jax.tree_util.tree_unflatten(out_treedef, wrapped)


def op(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Make ``fn`` (a function of arrays) a kerax op: unwraps, and is taped."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return apply(fn, *args, **kwargs)

    wrapper.__kerax_op__ = fn  # type: ignore[attr-defined]
    return wrapper
