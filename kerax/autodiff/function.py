"""``kerax.function``: compile a Python function that reads and writes Variables.

The first call for an input signature runs the function eagerly in a scope that
discovers every Variable it touches (so layers build and optimizer slots get
created) while keeping its writes aside; the function is then traced into one
``jax.jit`` step ``(state, args) -> (state, out)`` and that compiled step runs
for real. Later calls with the same signature run only the compiled step.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax
import numpy as np

from kerax.autodiff import state_scope
from kerax.autodiff.recording import Tensor, unwrap_tensors
from kerax.autodiff.variable import Variable
from kerax.backend import cpu_tuning


def _is_wrapper(x: Any) -> bool:
    return isinstance(x, (Tensor, Variable))


def _leaf_key(leaf: Any, relax: bool) -> Any:
    if isinstance(leaf, Variable):
        return ("var", id(leaf))
    if isinstance(leaf, Tensor):
        leaf = leaf.value
    if isinstance(leaf, (jax.Array, np.ndarray)):
        shape = tuple(None for _ in leaf.shape) if relax else tuple(leaf.shape)
        return ("array", shape, str(leaf.dtype))
    if isinstance(leaf, (np.generic,)):
        return ("array", (), str(leaf.dtype))
    try:
        hash(leaf)
    except TypeError:
        return ("object", id(leaf))
    return ("py", type(leaf).__name__, leaf)


def _is_array_leaf(leaf: Any) -> bool:
    return isinstance(leaf, (jax.Array, np.ndarray, Tensor, np.generic))


class Function:
    """A compiled, state-aware wrapper around a Python function."""

    def __init__(
        self,
        fn: Callable[..., Any],
        jit_compile: bool | None = None,
        reduce_retracing: bool = False,
        input_signature: Any = None,
        autograph: bool = True,
    ) -> None:
        functools.update_wrapper(self, fn)
        self.python_function = fn
        self._jit = jit_compile is not False
        self._reduce_retracing = reduce_retracing
        self._cache: dict[Any, tuple[Any, list[Variable]]] = {}
        self.trace_count = 0

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        bound = self.__dict__.setdefault("_bound", {})
        key = id(instance)
        if key not in bound:
            bound[key] = Function(
                self.python_function.__get__(instance, owner),
                jit_compile=self._jit,
                reduce_retracing=self._reduce_retracing,
            )
        return bound[key]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not self._jit or state_scope.in_scope():
            # Not compiled, or called from inside another compiled function or
            # scope: run inline so that the outer trace sees the state.
            return self.python_function(*args, **kwargs)
        leaves, treedef = jax.tree_util.tree_flatten(
            (args, kwargs), is_leaf=_is_wrapper
        )
        key = (treedef, tuple(_leaf_key(leaf, False) for leaf in leaves))
        entry = self._cache.get(key)
        if entry is None:
            entry = self._build(leaves, treedef)
            self._cache[key] = entry
        compiled, variables = entry
        dynamic = [
            (leaf.value if isinstance(leaf, Tensor) else leaf)
            for leaf in leaves
            if _is_array_leaf(leaf)
        ]
        state = [v._value for v in variables]
        new_state, out = compiled(state, dynamic)
        for variable, value in zip(variables, new_state):
            variable._value = value
        return out

    def _build(self, leaves: list[Any], treedef: Any) -> tuple[Any, list[Variable]]:
        """Discover the Variables the function touches, then trace it."""
        raw = [(leaf.value if isinstance(leaf, Tensor) else leaf) for leaf in leaves]
        call_args, call_kwargs = jax.tree_util.tree_unflatten(treedef, raw)
        with state_scope.StateScope(track_unknown=True) as scope:
            self.python_function(*call_args, **call_kwargs)
        variables = list(scope.unknown.values())
        # Variables created during discovery that the function then used.
        variables = [v for v in variables if isinstance(v, Variable)]
        array_positions = [i for i, leaf in enumerate(leaves) if _is_array_leaf(leaf)]
        fn = self.python_function

        def step(state: list[Any], dynamic: list[Any]) -> tuple[list[Any], Any]:
            call_leaves = list(raw)
            for position, value in zip(array_positions, dynamic):
                call_leaves[position] = value
            a, k = jax.tree_util.tree_unflatten(treedef, call_leaves)
            with state_scope.StateScope(
                zip(variables, state), track_unknown=True, allow_creation=False
            ) as scope:
                out = fn(*a, **k)
            if scope.unknown:
                names = ", ".join(v.path for v in scope.unknown.values())
                raise RuntimeError(
                    f"kerax.function: variables {names} were touched while tracing "
                    "but not on the first call. Make the function touch the same "
                    "variables on every call."
                )
            out = unwrap_tensors(out)
            return scope.new_values(variables), out

        self.trace_count += 1
        cpu_tuning.tune_allocator()
        compiled = jax.jit(
            step, donate_argnums=(0,), compiler_options=cpu_tuning.compiler_options()
        )
        return compiled, variables


def function(
    func: Callable[..., Any] | None = None,
    input_signature: Any = None,
    autograph: bool = True,
    jit_compile: bool | None = None,
    reduce_retracing: bool = False,
    **kwargs: Any,
) -> Any:
    """Compile ``func`` into one jitted step over the Variables it touches.

    Usable as ``@kerax.function`` or ``@kerax.function(jit_compile=True)``.
    Python side effects (``print``) happen when the function is traced: on the
    first call for each new input signature (twice then: once while discovering
    variables, once while tracing), not on every call.
    """

    def wrap(fn: Callable[..., Any]) -> Function:
        return Function(
            fn,
            jit_compile=jit_compile,
            reduce_retracing=reduce_retracing,
            input_signature=input_signature,
            autograph=autograph,
        )

    if func is None:
        return wrap
    return wrap(func)
