"""Python operators for array-like wrappers (Variable, tape Tensor).

Every operator goes through ``recording.apply`` so that a GradientTape sees it.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp


def _apply(fn: Any, *args: Any) -> Any:
    from kerax.autodiff.recording import apply

    return apply(fn, *args)


def _binary(fn: Any, reflected: bool = False) -> Any:
    if reflected:

        def method(self: Any, other: Any) -> Any:
            return _apply(fn, other, self)

    else:

        def method(self: Any, other: Any) -> Any:
            return _apply(fn, self, other)

    return method


def _unary(fn: Any) -> Any:
    def method(self: Any) -> Any:
        return _apply(fn, self)

    return method


def _getitem(x: Any, key: Any) -> Any:
    return x[key]


class ArrayArithmetic:
    """Mixin giving numpy-style operators; subclasses define ``__kerax_value__``."""

    # numpy arrays defer their operators to ours (so ``x @ w`` is recorded).
    __array_priority__ = 100

    __add__ = _binary(jnp.add)
    __radd__ = _binary(jnp.add, True)
    __sub__ = _binary(jnp.subtract)
    __rsub__ = _binary(jnp.subtract, True)
    __mul__ = _binary(jnp.multiply)
    __rmul__ = _binary(jnp.multiply, True)
    __truediv__ = _binary(jnp.true_divide)
    __rtruediv__ = _binary(jnp.true_divide, True)
    __floordiv__ = _binary(jnp.floor_divide)
    __rfloordiv__ = _binary(jnp.floor_divide, True)
    __mod__ = _binary(jnp.mod)
    __rmod__ = _binary(jnp.mod, True)
    __pow__ = _binary(jnp.power)
    __rpow__ = _binary(jnp.power, True)
    __matmul__ = _binary(jnp.matmul)
    __rmatmul__ = _binary(jnp.matmul, True)
    __and__ = _binary(jnp.logical_and)
    __rand__ = _binary(jnp.logical_and, True)
    __or__ = _binary(jnp.logical_or)
    __ror__ = _binary(jnp.logical_or, True)
    __xor__ = _binary(jnp.logical_xor)
    __rxor__ = _binary(jnp.logical_xor, True)
    __lt__ = _binary(jnp.less)
    __le__ = _binary(jnp.less_equal)
    __gt__ = _binary(jnp.greater)
    __ge__ = _binary(jnp.greater_equal)
    __neg__ = _unary(jnp.negative)
    __pos__ = _unary(jnp.positive)
    __abs__ = _unary(jnp.abs)
    __invert__ = _unary(jnp.invert)

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        return _apply(jnp.equal, self, other)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return _apply(jnp.not_equal, self, other)

    __hash__ = object.__hash__

    def __getitem__(self, key: Any) -> Any:
        return _apply(_getitem, self, key)

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        import numpy as np

        array = np.asarray(self.__kerax_value__())
        return array if dtype is None else array.astype(dtype)

    def __float__(self) -> float:
        return float(self.__kerax_value__())

    def __int__(self) -> int:
        return int(self.__kerax_value__())

    def __index__(self) -> int:
        return int(self.__kerax_value__())

    def __bool__(self) -> bool:
        return bool(self.__kerax_value__())

    def __len__(self) -> int:
        return len(self.__kerax_value__())

    def __iter__(self) -> Any:
        for i in range(len(self)):
            yield self[i]

    def numpy(self) -> Any:
        """Return the value as a numpy array."""
        import numpy as np

        return np.asarray(self.__kerax_value__())

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def T(self) -> Any:  # noqa: N802 - numpy's name
        return _apply(jnp.transpose, self)

    def astype(self, dtype: Any) -> Any:
        from kerax.backend.dtypes import standardize_dtype

        return _apply(lambda x: x.astype(standardize_dtype(dtype)), self)

    def reshape(self, *shape: Any) -> Any:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _apply(lambda x: jnp.reshape(x, shape), self)
