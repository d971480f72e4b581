"""Per-thread call context of layers: the ``training`` flag and variable name scopes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jax

_local = threading.local()


def _context() -> list[dict[str, Any]]:
    stack = getattr(_local, "calls", None)
    if stack is None:
        stack = _local.calls = []
    return stack


def _name_scopes() -> list[str]:
    scopes = getattr(_local, "names", None)
    if scopes is None:
        scopes = _local.names = []
    return scopes


@contextmanager
def name_scope(name: str) -> Iterator[None]:
    """Prefix the paths of variables created inside with ``name/``."""
    _name_scopes().append(name)
    try:
        yield
    finally:
        _name_scopes().pop()


def current_training() -> Any:
    """The ``training`` value of the innermost layer call, or None."""
    for frame in reversed(_context()):
        if frame["training"] is not None:
            return frame["training"]
    return None


@contextmanager
def name_scope_if_nested(name: str) -> Iterator[None]:
    """Add the building layer's name to paths only under an enclosing build."""
    with name_scope(name):
        yield


@contextmanager
def state_scope_allow_creation() -> Iterator[None]:
    """Variable creation happens eagerly even inside a trace."""
    with jax.ensure_compile_time_eval():
        yield
