"""``Initializer``: the base of every weight initializer."""

from __future__ import annotations

from typing import Any

import jax

from kerax.registry import register


@register("keras.initializers")
class Initializer:
    """Base class of initializers: a callable ``(shape, dtype=None) -> array``.

    Subclasses implement ``__call__`` and, when their constructor takes
    arguments, ``get_config`` returning them so that ``from_config`` can rebuild
    the initializer.

    Example:
        >>> class Twos(Initializer):
        ...     def __call__(self, shape, dtype=None):
        ...         return jax.numpy.full(shape, 2.0, dtype)
        >>> Twos()((2,)).tolist()
        [2.0, 2.0]
    """

    def __call__(self, shape: Any, dtype: Any = None) -> jax.Array:
        raise NotImplementedError(
            f"{type(self).__name__} must implement `__call__(shape, dtype=None)`."
        )

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, as a JSON-friendly dict."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Initializer:
        """Rebuild an initializer from ``get_config()`` output."""
        return cls(**config)

    def clone(self) -> Initializer:
        """A new initializer with the same configuration."""
        return type(self).from_config(self.get_config())
