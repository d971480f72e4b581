"""Weight constraints (bootstrap)."""

from typing import Any


def get(identifier: Any) -> Any:
    if identifier is None or callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret constraint identifier: {identifier!r}")
