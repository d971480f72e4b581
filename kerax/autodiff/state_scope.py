"""The state scope: the one mechanism that lets stateful Python run as pure code.

Inside a scope, reading a ``Variable`` returns the value the scope holds for it
and assigning to it stores the new value in the scope. ``run_stateless`` is the
only helper the rest of kerax uses to lift state in and out.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

_local = threading.local()


def _stack() -> list[StateScope]:
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


class StateScope:
    """Holds values for a set of variables while Python code runs.

    Args:
        values: pairs of (variable, value) the scope owns.
        track_unknown: when True the scope also takes over variables it does not
            own: it records them in ``unknown`` and keeps their writes to itself.
            ``kerax.function`` uses this to discover what a function touches.
        allow_creation: when False, creating a Variable inside the scope raises
            (a compiled trace cannot create state).
    """

    def __init__(
        self,
        values: Sequence[tuple[Any, Any]] = (),
        track_unknown: bool = False,
        allow_creation: bool = True,
    ) -> None:
        self.values: dict[int, Any] = {}
        self.variables: dict[int, Any] = {}
        for variable, value in values:
            self.values[id(variable)] = value
            self.variables[id(variable)] = variable
        self.track_unknown = track_unknown
        self.allow_creation = allow_creation
        self.unknown: dict[int, Any] = {}
        self.created: list[Any] = []
        # Losses added by layers (``add_loss``) while this scope is active, by
        # layer id: traced values stay with the scope instead of leaking.
        self.losses: dict[int, list[Any]] = {}

    def __enter__(self) -> StateScope:
        _stack().append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        stack = _stack()
        if stack and stack[-1] is self:
            stack.pop()
        else:  # pragma: no cover - scopes are strictly nested
            stack.remove(self)

    def new_values(self, variables: Sequence[Any]) -> list[Any]:
        """Return the current values of ``variables`` as held by this scope."""
        return [self.values[id(v)] for v in variables]


def _lookup(variable: Any, stack: list[StateScope]) -> Any:
    """The value of ``variable`` as seen from the top of ``stack``."""
    key = id(variable)
    for depth in range(len(stack) - 1, -1, -1):
        scope = stack[depth]
        if key in scope.values:
            return scope.values[key]
        if scope.track_unknown:
            value = _lookup(variable, stack[:depth])
            scope.unknown[key] = variable
            scope.variables[key] = variable
            scope.values[key] = value
            return value
    return variable._value


def read(variable: Any) -> Any:
    """Return the value of ``variable`` as seen by the innermost scope holding it."""
    return _lookup(variable, _stack())


def write(variable: Any, value: Any) -> bool:
    """Store ``value`` for ``variable`` in a scope; False when no scope took it."""
    key = id(variable)
    for scope in reversed(_stack()):
        if key in scope.values or scope.track_unknown:
            if key not in scope.values:
                scope.unknown[key] = variable
                scope.variables[key] = variable
            scope.values[key] = value
            return True
    return False


def on_create(variable: Any) -> None:
    """Tell the active scopes that ``variable`` was just created."""
    for scope in reversed(_stack()):
        if not scope.allow_creation:
            raise RuntimeError(
                f"Variable {variable.path!r} was created inside a compiled "
                "function after its first call. Create layers, optimizer slots "
                "and other variables before compiling (call the function or "
                "build the model once eagerly), or create them outside."
            )
        scope.created.append(variable)


def current() -> StateScope | None:
    """The innermost active scope, or None."""
    stack = _stack()
    return stack[-1] if stack else None


def in_scope() -> bool:
    """True while any state scope is active on this thread."""
    return bool(_stack())


def run_stateless(
    fn: Callable[..., Any],
    variables: Sequence[Any],
    values: Sequence[Any],
    *args: Any,
    **kwargs: Any,
) -> tuple[Any, list[Any]]:
    """Run ``fn(*args, **kwargs)`` with ``variables`` holding ``values``.

    Returns ``(output, new_values)`` where ``new_values`` lists the values the
    variables hold after ``fn`` ran, in the order of ``variables``. The
    variables themselves are left untouched.
    """
    if len(variables) != len(values):
        raise ValueError(
            f"run_stateless got {len(variables)} variables but {len(values)} values."
        )
    with StateScope(zip(variables, values)) as scope:
        out = fn(*args, **kwargs)
    return out, scope.new_values(variables)
