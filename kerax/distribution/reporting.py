"""``report``: a text table of how a model's variables are laid out."""

from __future__ import annotations

from typing import Any

from kerax.distribution.distributions import Distribution, ModelParallel, distribution


def _variables(model: Any) -> list[Any]:
    if isinstance(model, (list, tuple)):
        return list(model)
    variables = list(model.variables)
    optimizer = getattr(model, "optimizer", None)
    if getattr(optimizer, "built", False):
        variables += list(optimizer.variables)
    return variables


def _row(variable: Any, dist: Distribution) -> tuple[str, str, str, str]:
    shape = tuple(variable.shape)
    try:
        layout = dist.get_variable_layout(variable)
        layout.check_shape(shape, "layout")
    except ValueError as error:
        return variable.path, str(shape), "ERROR", str(error)
    mesh = dist.device_mesh
    shard = tuple(
        dim // mesh.axis_size(axis) if axis else dim
        for dim, axis in zip(shape, layout.axes)
    )
    spec = str(layout.partition_spec)
    return variable.path, str(shape), spec, str(shard)


def layout_report(model: Any, dist: Distribution | None = None) -> str:
    """Return a table of each variable's path, shape, PartitionSpec and shard shape.

    ``model`` is a model (its variables and built optimizer's) or a list of
    Variables; ``dist`` defaults to the active distribution. For a
    ``ModelParallel``, LayoutMap keys that matched no variable are listed as
    ``UNMATCHED`` so that a mistyped regex is visible.
    """
    dist = dist if dist is not None else distribution()
    if dist is None:
        raise ValueError(
            "report: no distribution is active; pass one or call set_distribution."
        )
    variables = _variables(model)
    rows = [("path", "shape", "spec", "per-device shard")]
    rows += [_row(v, dist) for v in variables]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [f"{type(dist).__name__} on {dist.device_mesh}"]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths)]
        lines.append("  ".join([*cells, row[3]]).rstrip())
    if isinstance(dist, ModelParallel):
        paths = [v.path for v in variables]
        for key in dist.layout_map:
            if not any(key in dist.layout_map.matching_keys(p) for p in paths):
                lines.append(
                    f"UNMATCHED LayoutMap key {key!r}: no variable path matches"
                )
    return "\n".join(lines)
