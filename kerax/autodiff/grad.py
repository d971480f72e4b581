"""Functional autodiff over stateful code: ``value_and_grad`` and ``grad``.

``fn`` may read and write any Variable (a model forward pass updates batch-norm
statistics, seed states and metrics). Gradients are taken with respect to the
given Variables; writes to all other Variables are carried out of the
differentiated trace and applied afterwards, so nothing leaks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax

from kerax.autodiff import state_scope
from kerax.autodiff.variable import Variable


def _is_variable(x: Any) -> bool:
    return isinstance(x, Variable)


def value_and_grad(
    fn: Callable[..., Any], variables: Any, has_aux: bool = False
) -> Callable[..., Any]:
    """Return ``f(*args) -> (value, grads)``; grads have the structure of ``variables``.

    Example:
        >>> w = Variable(2.0)
        >>> value, grad = value_and_grad(lambda: w * w, w)()
        >>> float(grad)
        4.0
    """
    flat_vars, treedef = jax.tree_util.tree_flatten(variables, is_leaf=_is_variable)
    for variable in flat_vars:
        if not isinstance(variable, Variable):
            raise TypeError(
                f"value_and_grad differentiates with respect to Variables, received "
                f"{type(variable).__name__}."
            )

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        touched: list[Variable] = []

        def inner(values: list[Any]) -> tuple[Any, tuple[Any, list[Any]]]:
            with state_scope.StateScope(
                zip(flat_vars, values), track_unknown=True
            ) as scope:
                out = fn(*args, **kwargs)
            touched[:] = list(scope.unknown.values())
            written = [scope.values[id(v)] for v in touched]
            if has_aux:
                value, aux = out
            else:
                value, aux = out, None
            value = getattr(value, "__kerax_value__", lambda: value)()
            return value, (aux, written)

        values = [v.value for v in flat_vars]
        (value, (aux, written)), grads = jax.value_and_grad(inner, has_aux=True)(values)
        for variable, new in zip(touched, written):
            variable.assign(new)
        grads = jax.tree_util.tree_unflatten(treedef, grads)
        if has_aux:
            return (value, aux), grads
        return value, grads

    return wrapped


def grad(
    fn: Callable[..., Any], variables: Any, has_aux: bool = False
) -> Callable[..., Any]:
    """Like ``value_and_grad`` but returns only the gradients (and aux)."""
    vg = value_and_grad(fn, variables, has_aux=has_aux)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        (value_or_pair, grads) = vg(*args, **kwargs)
        if has_aux:
            return grads, value_or_pair[1]
        return grads

    return wrapped
