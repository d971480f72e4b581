"""Symbolic calls: output specs by tracing, and masks carried by KerasTensors."""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from kerax.autodiff import state_scope
from kerax.autodiff.recording import unwrap_tensors
from kerax.backend.keras_tensor import KerasTensor, is_keras_tensor, to_shape_dtype


def _symbolic_mask(inputs: Any) -> Any:
    leaves = jax.tree_util.tree_leaves(inputs, is_leaf=is_keras_tensor)
    masks = [getattr(x, "_keras_mask", None) for x in leaves]
    if not any(m is not None for m in masks):
        return None
    if len(masks) == 1:
        return masks[0]
    return masks


def _attach_masks(outputs: Any, masks: Any) -> None:
    flat = jax.tree_util.tree_leaves(outputs, is_leaf=is_keras_tensor)
    if masks is None:
        return
    if isinstance(masks, (list, tuple)):
        flat_masks = list(masks)  # one per output, None entries kept
    else:
        flat_masks = [masks] * len(flat)
    for tensor, mask in zip(flat, flat_masks):
        tensor._keras_mask = mask


def _shapes_to_tensors(shape: Any, dtype: str) -> Any:
    def is_shape(s: Any) -> bool:
        return isinstance(s, (tuple, list)) and all(
            d is None or isinstance(d, (int, np.integer)) for d in s
        )

    return jax.tree_util.tree_map(
        lambda s: KerasTensor(tuple(s), dtype), shape, is_leaf=is_shape
    )


def trace_output_spec(fn: Any, args: tuple, kwargs: dict) -> Any:
    """Symbolic outputs of ``fn`` by tracing it with ``jax.eval_shape``.

    Unknown sizes are filled with two different values; an output size that
    changes with them is unknown (``None``) in the result.
    """
    leaves, treedef = jax.tree_util.tree_flatten(
        (args, kwargs), is_leaf=is_keras_tensor
    )
    positions = [i for i, leaf in enumerate(leaves) if isinstance(leaf, KerasTensor)]
    has_unknown = any(None in leaves[i].shape for i in positions)

    def run(fill: int) -> Any:
        specs = [to_shape_dtype(leaves[i], fill) for i in positions]

        def concrete(*values: Any) -> Any:
            call_leaves = list(leaves)
            for i, value in zip(positions, values):
                call_leaves[i] = value
            a, k = jax.tree_util.tree_unflatten(treedef, call_leaves)
            with state_scope.StateScope(track_unknown=True):
                out = fn(*a, **k)
            return unwrap_tensors(out)

        return jax.eval_shape(concrete, *specs)

    first = run(11)
    second = run(13) if has_unknown else first

    def merge(a: Any, b: Any) -> KerasTensor:
        shape = tuple(x if x == y else None for x, y in zip(a.shape, b.shape))
        return KerasTensor(shape, str(a.dtype))

    return jax.tree_util.tree_map(merge, first, second)
