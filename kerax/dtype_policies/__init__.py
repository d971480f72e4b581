"""Dtype policies: the dtype a layer computes in and the one it stores weights in."""

from __future__ import annotations

from typing import Any

from kerax import config

_MIXED = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}
_global_policy: DTypePolicy | None = None


class DTypePolicy:
    """A named pair (compute dtype, variable dtype), e.g. ``"mixed_bfloat16"``."""

    def __init__(self, name: str | None = None) -> None:
        if name is None:
            name = config.floatx()
        name = str(name)
        if name in _MIXED:
            self._compute, self._variable = _MIXED[name], "float32"
        else:
            from kerax.backend.dtypes import standardize_dtype

            try:
                dtype = standardize_dtype(name)
            except ValueError as error:
                raise ValueError(
                    f"Unknown dtype policy {name!r}: use a dtype name or one of "
                    f"{sorted(_MIXED)}."
                ) from error
            self._compute = self._variable = dtype
            name = dtype
        self.name = name

    @property
    def compute_dtype(self) -> str:
        return self._compute

    @property
    def variable_dtype(self) -> str:
        return self._variable

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DTypePolicy) and other.name == self.name

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f'<DTypePolicy "{self.name}">'

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> DTypePolicy:
        return cls(**config)


def get(identifier: Any) -> DTypePolicy:
    """Turn None, a name, a config dict or a policy into a policy."""
    if identifier is None:
        return dtype_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        return DTypePolicy(**identifier.get("config", identifier))
    if hasattr(identifier, "name") and not isinstance(identifier, str):
        identifier = identifier.name
    return DTypePolicy(identifier)


def dtype_policy() -> DTypePolicy:
    """The global policy (``floatx`` unless set)."""
    return (
        _global_policy if _global_policy is not None else DTypePolicy(config.floatx())
    )


def set_dtype_policy(policy: Any) -> None:
    """Set the global policy (e.g. ``"mixed_bfloat16"``)."""
    global _global_policy
    _global_policy = None if policy is None else get(policy)


__all__ = ["DTypePolicy", "dtype_policy", "get", "set_dtype_policy"]
