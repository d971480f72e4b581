"""``model.summary()``: Keras 3's table of layers, shapes and parameter counts."""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

# Column widths (padding included) of Keras's default 76-column table.
_WIDTHS = {
    (False, False): [33, 24, 15],
    (False, True): [29, 23, 12, 7],
    (True, False): [21, 19, 12, 19],
    (True, True): [19, 17, 11, 16, 7],
}
_DEFAULT_LENGTH = 76


def readable_memory_size(num_bytes: float) -> str:
    """``1536`` -> ``"1.50 KB"`` (powers of 1024, as Keras prints)."""
    units = ["B", "KB", "MB", "GB", "TB", "PB"]
    index = 0
    while num_bytes >= 1024 and index < len(units) - 1:
        num_bytes /= 1024
        index += 1
    return f"{num_bytes:.2f} {units[index]}"


def _variables_size(variables: list[Any]) -> tuple[int, int]:
    count = 0
    size = 0
    for variable in variables:
        n = variable.size
        count += n
        size += n * np.dtype(variable.dtype).itemsize
    return count, size


def _format_shape(shape: Any) -> str:
    if shape is None:
        return "?"
    if isinstance(shape, tuple) and all(d is None or isinstance(d, int) for d in shape):
        return (
            "("
            + ", ".join("None" if d is None else str(d) for d in shape)
            + (",)" if len(shape) == 1 else ")")
        )
    if isinstance(shape, dict):
        return (
            "{" + ", ".join(f"{k}: {_format_shape(v)}" for k, v in shape.items()) + "}"
        )
    if isinstance(shape, (list, tuple)):
        return "[" + ", ".join(_format_shape(s) for s in shape) + "]"
    return str(shape)


def _output_shape(layer: Any) -> str:
    nodes = getattr(layer, "_inbound_nodes", [])
    if nodes:
        node = nodes[0]
        shapes = [t.shape for t in node.outputs]
        tree = jax.tree_util.tree_unflatten(node.output_treedef, shapes)
        return _format_shape(tree)
    shapes = getattr(layer, "_last_output_shapes", None)
    return _format_shape(shapes) if shapes is not None else "?"


def _connections(layer: Any, relevant: set[int]) -> str:
    lines = []
    for node in layer._inbound_nodes:
        if id(node) not in relevant or node.is_input:
            continue
        parts = []
        for tensor in node.input_tensors:
            source, node_index, tensor_index = tensor._keras_history
            parts.append(f"{source.name}[{node_index}][{tensor_index}]")
        lines.append(", ".join(parts))
    return "\n".join(lines) if lines else "-"


def _wrap(text: str, width: int) -> list[str]:
    """Word-wrap ``text`` into ``width`` columns; too-long words end in '…'."""
    out: list[str] = []
    for paragraph in text.split("\n"):
        indent = paragraph[: len(paragraph) - len(paragraph.lstrip(" "))]
        line = indent
        for word in paragraph.lstrip(" ").split(" "):
            if len(word) > width:
                word = word[: width - 1] + "…"
            if line == indent:
                line = indent + word
            elif len(line) + 1 + len(word) <= width:
                line += " " + word
            else:
                out.append(line)
                line = word
        out.append(line)
    return out


def _align(text: str, width: int, how: str) -> str:
    if how == "right":
        return text.rjust(width)
    if how == "center":
        return text.center(width)
    return text.ljust(width)


def _render(
    headers: list[str], rows: list[list[str]], widths: list[int], aligns: list[str]
) -> list[str]:
    inner = [w - 2 for w in widths]

    def border(left: str, fill: str, mid: str, right: str) -> str:
        return left + mid.join(fill * w for w in widths) + right

    def row_lines(cells: list[str], sep: str, aligns_: list[str]) -> list[str]:
        wrapped = [_wrap(c, w) for c, w in zip(cells, inner)]
        height = max(len(w) for w in wrapped)
        lines = []
        for i in range(height):
            parts = []
            for cell, w, a in zip(wrapped, inner, aligns_):
                text = cell[i] if i < len(cell) else ""
                parts.append(" " + _align(text, w, a) + " ")
            lines.append(sep + sep.join(parts) + sep)
        return lines

    lines = [border("┏", "━", "┳", "┓")]
    header_aligns = [a if a != "center" else "left" for a in aligns]
    lines += row_lines(headers, "┃", header_aligns)
    lines.append(border("┡", "━", "╇", "┩"))
    for index, row in enumerate(rows):
        lines += row_lines(row, "│", aligns)
        if index < len(rows) - 1:
            lines.append(border("├", "─", "┼", "┤"))
    lines.append(border("└", "─", "┴", "┘"))
    return lines


def _is_sequential_like(model: Any) -> bool:
    from kerax.models.sequential import Sequential

    if isinstance(model, Sequential) or model._graph is None:
        return True
    for layer in model.layers:
        nodes = [n for n in layer._inbound_nodes if not n.is_input]
        if len(nodes) > 1:
            return False
        for node in nodes:
            if len(node.input_tensors) > 1:
                return False
    outputs = model._graph.outputs
    return len(outputs) == 1 and len(model._graph.inputs) == 1


def _expanded(layers: list[Any], expand: bool, depth: int = 0) -> list[tuple[Any, int]]:
    """Layers with their nesting depth; nested models' layers follow them when expanding."""
    from kerax.layers.core.input_layer import InputLayer
    from kerax.models.model import Model

    result = []
    for layer in layers:
        if depth and isinstance(layer, InputLayer):
            continue
        result.append((layer, depth))
        if expand and isinstance(layer, Model):
            result += _expanded(list(layer.layers), expand, depth + 1)
    return result


def _widths(connected: bool, trainable: bool, line_length: int | None) -> list[int]:
    base = _WIDTHS[(connected, trainable)]
    if line_length is None or line_length == _DEFAULT_LENGTH:
        return list(base)
    available = line_length - len(base) - 1
    scale = available / sum(base)
    widths = [max(4, round(w * scale)) for w in base[:-1]]
    widths.append(max(4, available - sum(widths)))
    return widths


def print_summary(
    model: Any,
    line_length: int | None = None,
    positions: Any = None,
    print_fn: Any = None,
    expand_nested: bool = False,
    show_trainable: bool = False,
    layer_range: Any = None,
) -> None:
    """Print (or pass to ``print_fn``) the summary table of ``model``."""
    sequential_like = _is_sequential_like(model)
    layers = list(model.layers)
    if layer_range is not None:
        names = [layer.name for layer in layers]
        start, stop = layer_range
        try:
            layers = layers[names.index(start) : names.index(stop) + 1]
        except ValueError as error:
            raise ValueError(
                f"layer_range names unknown layers: {layer_range}."
            ) from error
    relevant = set()
    if model._graph is not None:
        relevant = {id(node) for node in model._graph.nodes}
    headers = ["Layer (type)", "Output Shape", "Param #"]
    aligns = ["left", "left", "right"]
    if not sequential_like:
        headers.append("Connected to")
        aligns.append("left")
    if show_trainable:
        headers.append("Trainable")
        aligns.append("center")
    rows = []
    for layer, depth in _expanded(layers, expand_nested):
        prefix = "   " * depth + "└ " if depth else ""
        name = f"{prefix}{layer.name} ({type(layer).__name__})"
        params = f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"
        row = [name, _output_shape(layer), params]
        if not sequential_like:
            row.append(_connections(layer, relevant) if depth == 0 else "")
        if show_trainable:
            row.append("-" if not layer.weights else ("Y" if layer.trainable else "N"))
        rows.append(row)
    widths = _widths(not sequential_like, show_trainable, line_length)
    lines = [f'Model: "{model.name}"']
    lines += _render(headers, rows, widths, aligns)
    trainable_count, trainable_size = _variables_size(model.trainable_weights)
    non_trainable_count, non_trainable_size = _variables_size(
        model.non_trainable_weights
    )
    optimizer = getattr(model, "optimizer", None)
    optimizer_vars = (
        list(getattr(optimizer, "variables", [])) if optimizer is not None else []
    )
    optimizer_built = bool(optimizer_vars) and getattr(optimizer, "built", True)
    opt_count, opt_size = _variables_size(optimizer_vars) if optimizer_built else (0, 0)
    total_count = trainable_count + non_trainable_count + opt_count
    total_size = trainable_size + non_trainable_size + opt_size
    lines.append(f" Total params: {total_count:,} ({readable_memory_size(total_size)})")
    lines.append(
        f" Trainable params: {trainable_count:,} ({readable_memory_size(trainable_size)})"
    )
    lines.append(
        f" Non-trainable params: {non_trainable_count:,} "
        f"({readable_memory_size(non_trainable_size)})"
    )
    if optimizer_built:
        lines.append(
            f" Optimizer params: {opt_count:,} ({readable_memory_size(opt_size)})"
        )
    text = "\n".join(lines)
    if print_fn is None:
        print(text)
    else:
        for line in lines:
            print_fn(line)
