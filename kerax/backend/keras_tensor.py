"""``KerasTensor``: a symbolic tensor (shape and dtype) used to build Functional models."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from kerax.backend.dtypes import standardize_dtype


class KerasTensor:
    """A placeholder with a shape (``None`` for unknown sizes) and a dtype.

    Calling a layer on KerasTensors records a node in a graph instead of
    computing; ``kerax.Model(inputs, outputs)`` turns that graph into a model.
    """

    def __init__(
        self,
        shape: Any,
        dtype: Any = "float32",
        sparse: bool = False,
        name: str | None = None,
        record_history: Any = None,
    ) -> None:
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = standardize_dtype(dtype)
        self.sparse = sparse
        self.name = name
        # (operation, node_index, tensor_index) once produced by a layer.
        self._keras_history = record_history
        self._keras_mask = None

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def reshape(self, *shape: Any) -> Any:
        from kerax import ops

        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return ops.reshape(self, shape)

    def __repr__(self) -> str:
        return (
            f"<KerasTensor shape={self.shape}, dtype={self.dtype}, "
            f"sparse={self.sparse}, name={self.name}>"
        )

    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(
            "A symbolic KerasTensor has no value: it stands for the input of a "
            "Functional model. Build a model with kerax.Model(inputs, outputs) "
            "and call it on data instead."
        )

    def __bool__(self) -> bool:
        raise TypeError("A symbolic KerasTensor cannot be used as a Python bool.")

    def __iter__(self) -> Any:
        if self.shape and self.shape[0] is not None:
            for i in range(self.shape[0]):
                yield self[i]
            return
        raise TypeError("Cannot iterate over a KerasTensor of unknown first dimension.")

    def __len__(self) -> int:
        if not self.shape or self.shape[0] is None:
            raise TypeError("len() of a KerasTensor with unknown first dimension.")
        return self.shape[0]

    __hash__ = object.__hash__

    def _op(self, name: str, *args: Any) -> Any:
        from kerax import ops

        return getattr(ops, name)(*args)

    def __add__(self, o: Any) -> Any:
        return self._op("add", self, o)

    def __radd__(self, o: Any) -> Any:
        return self._op("add", o, self)

    def __sub__(self, o: Any) -> Any:
        return self._op("subtract", self, o)

    def __rsub__(self, o: Any) -> Any:
        return self._op("subtract", o, self)

    def __mul__(self, o: Any) -> Any:
        return self._op("multiply", self, o)

    def __rmul__(self, o: Any) -> Any:
        return self._op("multiply", o, self)

    def __truediv__(self, o: Any) -> Any:
        return self._op("divide", self, o)

    def __rtruediv__(self, o: Any) -> Any:
        return self._op("divide", o, self)

    def __pow__(self, o: Any) -> Any:
        return self._op("power", self, o)

    def __rpow__(self, o: Any) -> Any:
        return self._op("power", o, self)

    def __matmul__(self, o: Any) -> Any:
        return self._op("matmul", self, o)

    def __rmatmul__(self, o: Any) -> Any:
        return self._op("matmul", o, self)

    def __neg__(self) -> Any:
        return self._op("negative", self)

    def __abs__(self) -> Any:
        return self._op("absolute", self)

    def __lt__(self, o: Any) -> Any:
        return self._op("less", self, o)

    def __le__(self, o: Any) -> Any:
        return self._op("less_equal", self, o)

    def __gt__(self, o: Any) -> Any:
        return self._op("greater", self, o)

    def __ge__(self, o: Any) -> Any:
        return self._op("greater_equal", self, o)

    def __getitem__(self, key: Any) -> Any:
        from kerax.ops.core import get_item

        return get_item(self, key)


def is_keras_tensor(x: Any) -> bool:
    """True for symbolic tensors."""
    return isinstance(x, KerasTensor)


def any_symbolic(tree: Any) -> bool:
    """True when a nested structure holds a KerasTensor."""
    return any(
        isinstance(leaf, KerasTensor)
        for leaf in jax.tree_util.tree_leaves(tree, is_leaf=is_keras_tensor)
    )


def to_shape_dtype(x: KerasTensor, fill: int) -> jax.ShapeDtypeStruct:
    """A concrete stand-in for ``x`` with unknown sizes set to ``fill``."""
    shape = tuple(fill if d is None else d for d in x.shape)
    return jax.ShapeDtypeStruct(shape, jnp.dtype(x.dtype))
