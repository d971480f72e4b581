"""Ops applied to KerasTensors become graph nodes through ``OpLayer``.

``kerax.ops.add(x, y)`` on symbolic inputs (or ``x + y``) records an ``OpLayer``
that holds the function and every non-tensor argument, so that Functional
models can contain plain ops as Keras models can.
"""

from __future__ import annotations

from typing import Any

import jax

from kerax.autodiff import recording
from kerax.backend.keras_tensor import KerasTensor, is_keras_tensor
from kerax.layers.layer import Layer, trace_output_spec


class OpLayer(Layer):
    """A layer that applies one op, its tensor arguments filled in at call time."""

    def __init__(self, fn: Any, args: tuple, kwargs: dict, **layer_kwargs: Any) -> None:
        name = getattr(fn, "__name__", "op").lstrip("_") or "op"
        from kerax.utils import naming

        super().__init__(name=naming.uniquify(name), autocast=False, **layer_kwargs)
        self.fn = fn
        leaves, self._treedef = jax.tree_util.tree_flatten(
            (args, kwargs), is_leaf=is_keras_tensor
        )
        self._positions = [
            i for i, x in enumerate(leaves) if isinstance(x, KerasTensor)
        ]
        self._constants = [None if isinstance(x, KerasTensor) else x for x in leaves]
        self.built = True

    def _fill(self, tensors: tuple) -> tuple[tuple, dict]:
        leaves = list(self._constants)
        for position, value in zip(self._positions, tensors):
            leaves[position] = value
        return jax.tree_util.tree_unflatten(self._treedef, leaves)

    def call(self, *tensors: Any) -> Any:
        args, kwargs = self._fill(tensors)
        return self.fn(*args, **kwargs)

    def compute_output_spec(self, *tensors: Any, **kwargs: Any) -> Any:
        return trace_output_spec(lambda *t: self.call(*t), tensors, {})


def _symbolic_apply(fn: Any, args: tuple, kwargs: dict) -> Any:
    leaves = jax.tree_util.tree_leaves((args, kwargs), is_leaf=is_keras_tensor)
    tensors = tuple(x for x in leaves if isinstance(x, KerasTensor))
    layer = OpLayer(fn, args, kwargs)
    return layer(*tensors)


recording.set_symbolic_hook(_symbolic_apply)
