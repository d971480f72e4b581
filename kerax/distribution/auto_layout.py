"""``auto_layout_map``: tensor-parallel layouts for common kernels from their shapes."""

from __future__ import annotations

import re
from typing import Any

from kerax.distribution.devices import DeviceMesh
from kerax.distribution.layout_map import LayoutMap


def _kernel_axes(path: str, shape: tuple[int, ...], model: str) -> tuple | None:
    """The layout of a kernel or embedding table, or None to replicate it.

    Multi-head attention kernels are recognised by their sublayer names
    (``query``, ``key``, ``value``, ``attention_output``), as Keras names them.
    """
    parent, _, name = path.rpartition("/")
    if name == "embeddings" and len(shape) == 2:
        return (None, model)  # split the embedding features
    if name != "kernel":
        return None
    if len(shape) == 2:
        return (None, model)  # Dense: column parallel
    layer = parent.rpartition("/")[2]
    if len(shape) == 3 and layer == "attention_output":
        return (model, None, None)  # (heads, head_dim, features)
    if len(shape) == 3 and layer in ("query", "key", "value"):
        return (None, model, None)  # (features, heads, head_dim)
    return None


def _bias_axes(kernel_axes: tuple | None, ndim: int) -> tuple | None:
    """A bias follows its kernel when the kernel's output dims are split."""
    if kernel_axes is None or kernel_axes[0] is not None:
        return None  # no kernel, or an output projection (bias stays whole)
    return kernel_axes[1:] if len(kernel_axes) - 1 == ndim else None


def auto_layout_map(
    model: Any, device_mesh: DeviceMesh, model_dim_name: str = "model"
) -> LayoutMap:
    """Build a ``LayoutMap`` that splits common kernels over ``model_dim_name``.

    Dense kernels and biases are split on their output units (column
    parallel); embeddings on their features; multi-head attention on its heads
    (query/key/value kernels and biases, and the output projection's kernel).
    A variable is split only where the dimension divides evenly by the axis
    size; everything else stays replicated. Keys are the exact variable paths,
    so ``report`` shows the result and the map can be edited before use.

    Args:
        model: a built model (or a list of Variables).
        device_mesh: the mesh; must have an axis ``model_dim_name``.
        model_dim_name: the mesh axis to split over.
    """
    if model_dim_name not in device_mesh.axis_names:
        raise ValueError(
            f"auto_layout_map: model_dim_name {model_dim_name!r} is not an axis of "
            f"the mesh {device_mesh.axis_names}."
        )
    size = device_mesh.axis_size(model_dim_name)
    variables = model if isinstance(model, (list, tuple)) else model.variables
    layout_map = LayoutMap(device_mesh)
    kernels: dict[str, tuple | None] = {}
    for variable in variables:
        kernels[variable.path] = _kernel_axes(
            variable.path, tuple(variable.shape), model_dim_name
        )
    for variable in variables:
        shape = tuple(variable.shape)
        parent, _, name = variable.path.rpartition("/")
        axes = kernels[variable.path]
        if name == "bias":
            axes = _bias_axes(kernels.get(f"{parent}/kernel"), len(shape))
        if axes is None:
            continue
        if all(dim % size == 0 for dim, axis in zip(shape, axes) if axis):
            layout_map[re.escape(variable.path)] = axes
    return layout_map
