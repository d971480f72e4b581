"""``model.summary()``: Keras 3's table of layers, shapes and parameter counts.

Keras draws the table with the ``rich`` library. This module lays it out by the same
rules (column widths from ``positions``, word wrapping, an ellipsis for a word that
does not fit its cell, lines cropped to the console width), so the text is the same
character for character without depending on ``rich``. The colours and bold type
Keras adds on a colour terminal are not drawn.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Callable, Sequence
from typing import Any

import jax
import numpy as np

_WORD = re.compile(r"\s*\S+\s*")
_TRAILING_SPACE = re.compile(r"\s+$")
# (left, fill, joint, right) of the border lines; "head" and "body" are cell rows.
_BOX = {
    "top": ("┏", "━", "┳", "┓"),
    "head": ("┃", None, "┃", "┃"),
    "under_head": ("┡", "━", "╇", "┩"),
    "body": ("│", None, "│", "│"),
    "between": ("├", "─", "┼", "┤"),
    "bottom": ("└", "─", "┴", "┘"),
}


def readable_memory_size(num_bytes: float) -> str:
    """``1536`` -> ``"1.50 KB"`` (powers of 1024, as Keras prints)."""
    units = ["B", "KB", "MB", "GB", "TB", "PB"]
    for unit in units:
        if num_bytes / 1024 < 1:
            return f"{num_bytes:.2f} {unit}"
        num_bytes /= 1024
    return f"{num_bytes:.2f} {units[-1]}"


# ---------------------------------------------------------------- text layout


def _break_points(text: str, width: int, fold: bool) -> list[int]:
    """Offsets where ``text`` is broken into lines of at most ``width`` cells.

    A word (with the spaces after it) moves to the next line when it does not fit;
    a word longer than a whole line is cut into pieces (``fold``) or kept whole.
    """
    breaks: list[int] = []
    used = 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group(0)
        length = len(word.rstrip())
        if width - used >= length:
            used += len(word)
        elif length > width and fold:
            pieces = [word[i : i + width] for i in range(0, len(word), width)]
            for index, piece in enumerate(pieces):
                if start:
                    breaks.append(start)
                if index == len(pieces) - 1:
                    used = len(piece)
                else:
                    start += len(piece)
        elif length > width or (used and start):
            if start:
                breaks.append(start)
            used = len(word)
    return breaks


def _fit(line: str, width: int, overflow: str) -> str:
    if len(line) <= width:
        return line
    if overflow == "ellipsis":
        return line[: max(width - 1, 0)] + "…"
    return line[:width]


def wrap_text(
    text: str, width: int, justify: str | None = None, overflow: str = "fold"
) -> list[str]:
    """Lines of ``text`` word-wrapped to ``width`` and aligned by ``justify``."""
    lines = []
    for paragraph in text.split("\n"):
        cuts = [0, *_break_points(paragraph, width, overflow == "fold"), None]
        for begin, end in zip(cuts, cuts[1:]):
            line = paragraph[begin:end]
            if len(line) > width:  # drop trailing spaces beyond the width
                spaces = _TRAILING_SPACE.search(line)
                if spaces:
                    line = line[
                        : len(line) - min(len(spaces.group(0)), len(line) - width)
                    ]
            if justify == "left":
                line = _fit(line, width, overflow).ljust(width)
            elif justify == "right":
                line = _fit(line.rstrip(), width, overflow).rjust(width)
            elif justify == "center":
                line = _fit(line.rstrip(), width, overflow)
                line = " " * ((width - len(line)) // 2) + line
                line = line.ljust(width)
            lines.append(_fit(line, width, overflow))
    return lines


def _shrink(excess: int, widths: list[int]) -> list[int]:
    """Take ``excess`` cells off ``widths`` as evenly as possible, left to right."""
    result = []
    remaining, count = excess, len(widths)
    for width in widths:
        if width:
            cut = min(width, round(remaining / count))
            remaining -= cut
            count -= 1
            width -= cut
        result.append(width)
    return result


def _grow(extra: int, widths: list[int]) -> list[int]:
    """Share ``extra`` cells between ``widths`` in proportion to them (rounded up)."""
    result = []
    remaining, total = extra, sum(widths)
    for width in widths:
        share = -(-width * remaining // total) if total > 0 else remaining
        result.append(width + share)
        total -= width
        remaining -= share
    return result


def _cell_widths(requested: list[int], line_length: int) -> list[int]:
    """Widths (padding included) of cells requested ``requested`` wide plus padding."""
    inner = line_length - len(requested) - 1  # the borders take the rest
    widths = [min(w + 2, inner) for w in requested]
    if sum(widths) > inner:
        widths = _shrink(sum(widths) - inner, widths)
        widths = [w if w >= 1 else 0 for w in widths]
    elif sum(widths) < inner:
        widths = _grow(inner - sum(widths), widths)
    return widths


def render_table(
    headers: list[str],
    rows: list[list[str]],
    requested: list[int],
    justify: list[str],
    line_length: int,
) -> list[str]:
    """Box-drawn table lines: a bold-ruled header, a rule between rows."""
    widths = _cell_widths(requested, line_length)

    def rule(kind: str) -> str:
        left, fill, joint, right = _BOX[kind]
        return left + joint.join(fill * w for w in widths) + right

    def cells(texts: list[str], kind: str, header: bool) -> list[str]:
        blocks = []
        for text, width, how in zip(texts, widths, justify):
            inner = max(width - 2, 0)
            lines = [
                (" " + line + " ")[:width]
                for line in wrap_text(text, inner, how, "ellipsis")
            ]
            blocks.append(lines)
        height = max(len(block) for block in blocks)
        for block, width in zip(blocks, widths):
            blank = [" " * width] * (height - len(block))
            block[:] = blank + block if header else block + blank
        left, _, joint, right = _BOX[kind]
        return [
            left + joint.join(block[i] for block in blocks) + right
            for i in range(height)
        ]

    lines = [rule("top"), *cells(headers, "head", True), rule("under_head")]
    for index, row in enumerate(rows):
        if index:
            lines.append(rule("between"))
        lines += cells(row, "body", False)
    lines.append(rule("bottom"))
    return lines


def console_width() -> int:
    """Columns of the console Keras's ``rich`` output is cropped to."""
    shell = sys.modules.get("IPython")
    get_ipython = getattr(shell, "get_ipython", None)
    if (
        get_ipython is not None
        and type(get_ipython()).__name__ == "ZMQInteractiveShell"
    ):
        columns = os.environ.get("JUPYTER_COLUMNS", "")
        return int(columns) if columns.isdigit() else 115
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit():
        return int(columns)
    for descriptor in (0, 1, 2):
        try:
            return os.get_terminal_size(descriptor).columns or 80
        except (AttributeError, ValueError, OSError):
            continue
    return 80


# ---------------------------------------------------------------- model rows


def _format_shape(shape: tuple) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ")"


def _output_shape(layer: Any) -> str:
    """The last call's output shape(s), as Keras prints them."""
    nodes = getattr(layer, "_inbound_nodes", [])
    if nodes:
        node = nodes[-1]
        texts = [_format_shape(tuple(t.shape)) for t in node.outputs]
        return texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
    shapes = getattr(layer, "_last_output_shapes", None)
    if shapes is None:
        return "?"
    leaves = jax.tree_util.tree_leaves(
        shapes,
        is_leaf=lambda s: (
            isinstance(s, tuple) and all(d is None or isinstance(d, int) for d in s)
        ),
    )
    texts = [_format_shape(tuple(s)) for s in leaves]
    if len(texts) == 1:
        return texts[0]
    return str(texts).replace("'", "")


def _type_name(layer: Any) -> str:
    """The class name Keras shows; an op applied to KerasTensors shows as its op class."""
    from kerax.layers.op_layer import OpLayer

    if isinstance(layer, OpLayer):
        name = getattr(layer.fn, "__name__", "op").strip("_")
        return "".join(part[:1].upper() + part[1:] for part in name.split("_"))
    return type(layer).__name__


def _operations(model: Any) -> list[Any]:
    """Rows of the table: a Functional model's layers and ops, else its layers."""
    from kerax.models.sequential import Sequential

    graph = getattr(model, "_graph", None)
    if graph is None or isinstance(model, Sequential):
        return list(model.layers)
    from kerax.models.graph_order import operations_in_keras_order

    return [op for op in operations_in_keras_order(graph) if op is not model]


def _connections(layer: Any, relevant: set[int]) -> str:
    parts = []
    for node in layer._inbound_nodes:
        if relevant and id(node) not in relevant:
            continue
        for tensor in node.input_tensors:
            source, node_index, tensor_index = tensor._keras_history
            parts.append(f"{source.name}[{node_index}][{tensor_index}]")
    return ", ".join(parts) or "-"


def _is_sequential_like(model: Any) -> bool:
    """Keras's rule: one node per depth, one input per node, no shared layer."""
    from kerax.models.sequential import Sequential

    graph = getattr(model, "_graph", None)
    if isinstance(model, Sequential) or graph is None:
        return True
    relevant = {id(node) for node in graph.nodes}
    depth: dict[int, int] = {}
    for node in reversed(graph.nodes):
        depth.setdefault(id(node), 0)
        for parent in node.parent_nodes:
            if id(parent) in relevant:
                depth[id(parent)] = max(depth.get(id(parent), 0), depth[id(node)] + 1)
    per_depth: dict[int, int] = {}
    for node in graph.nodes:
        if len(node.input_tensors) > 1:
            return False
        per_depth[depth[id(node)]] = per_depth.get(depth[id(node)], 0) + 1
    if any(count > 1 for count in per_depth.values()):
        return False
    for layer in model.layers:
        if sum(id(node) in relevant for node in layer._inbound_nodes) > 1:
            return False
    return True


def _layer_slice(layers: list[Any], layer_range: Any) -> list[Any]:
    """Layers from the first match of ``layer_range[0]`` to the last of ``[1]``."""
    if layer_range is None:
        return layers
    if len(layer_range) != 2:
        raise ValueError(
            "layer_range must be a list or tuple of two layer names, received "
            f"layer_range={layer_range} of length {len(layer_range)}."
        )
    if not all(isinstance(name, str) for name in layer_range):
        raise ValueError(
            f"layer_range must hold two strings (names or regexes), received {layer_range}."
        )
    starts = [
        i for i, layer in enumerate(layers) if re.match(layer_range[0], layer.name)
    ]
    stops = [
        i for i, layer in enumerate(layers) if re.match(layer_range[1], layer.name)
    ]
    if not starts or not stops:
        raise ValueError(
            f"layer_range {layer_range} matches no layer of the model; its layers "
            f"are {[layer.name for layer in layers]}."
        )
    if min(starts) > max(stops):
        return layers[min(stops) : max(starts) + 1]
    return layers[min(starts) : max(stops) + 1]


def _rows(
    layer: Any, relevant: set[int], columns: dict[str, bool], expand: bool, depth=0
) -> list[list[str]]:
    prefix = "   " * depth + "└ " if depth else ""
    if not hasattr(layer, "built"):
        params = "0"
    elif not layer.built:
        params = "0 (unbuilt)"
    else:
        params = f"{layer.count_params():,}"
    row = [
        f"{prefix}{layer.name} ({_type_name(layer)})",
        _output_shape(layer),
        params,
    ]
    if columns["connections"]:
        row.append(_connections(layer, relevant))
    if columns["trainable"]:
        weights = getattr(layer, "weights", [])
        row.append("-" if not weights else ("Y" if layer.trainable else "N"))
    rows = [row]
    inner = getattr(layer, "layers", None) if expand else None
    for sublayer in inner or []:
        rows += _rows(sublayer, relevant, columns, expand, depth + 1)
    return rows


def _column_requests(line_length: int, positions: Sequence[float]) -> list[int]:
    widths, used = [], 0
    for position in positions:
        width = int(position * line_length) - used
        if width < 4:
            raise ValueError(
                "Insufficient console width to print summary: a column of "
                f"line_length={line_length} at positions={list(positions)} would be "
                f"{width} characters wide (at least 4 needed). Pass a larger "
                "line_length or other positions."
            )
        widths.append(width)
        used += width
    return widths


def _variables_size(variables: list[Any]) -> tuple[int, int]:
    """Parameter count and bytes (a variable listed twice is stored once)."""
    count = sum(int(np.prod(v.shape)) for v in variables)
    unique = {id(v): v for v in variables}.values()
    size = sum(int(np.prod(v.shape)) * np.dtype(v.dtype).itemsize for v in unique)
    return count, size


def print_summary(
    model: Any,
    line_length: int | None = None,
    positions: Sequence[float] | None = None,
    print_fn: Callable[..., Any] | None = None,
    expand_nested: bool = False,
    show_trainable: bool = False,
    layer_range: Sequence[str] | None = None,
) -> None:
    """Print the summary table of ``model`` as Keras 3 does.

    ``print_fn``, when given, is called once with the whole text (lines ending in
    ``"\\n"``), as Keras calls it; otherwise the text goes to ``sys.stdout``.
    ``positions`` are fractions of ``line_length`` where each column ends.
    """
    sequential_like = _is_sequential_like(model)
    if sequential_like:
        default_length = 88
        positions = positions or [0.45, 0.80, 1.0]
        headers = ["Layer (type)", "Output Shape", "Param #"]
        justify = ["left", "left", "right"]
    else:
        default_length = 108
        positions = positions or [0.3, 0.56, 0.74, 1.0]
        headers = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        justify = ["left", "left", "right", "left"]
    if show_trainable:
        default_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        headers.append("Trainable")
        justify.append("center")
    default_length = min(default_length, shutil.get_terminal_size().columns - 4)
    line_length = line_length or default_length
    requested = _column_requests(line_length, positions)
    if len(requested) < len(headers):
        raise ValueError(
            f"positions must give the end of each of the {len(headers)} columns "
            f"{headers}, received {len(requested)} positions: {list(positions)}."
        )

    relevant = set()
    if not sequential_like:
        relevant = {id(node) for node in model._graph.nodes}
    columns = {"connections": not sequential_like, "trainable": show_trainable}
    rows = []
    for layer in _layer_slice(_operations(model), layer_range):
        rows += _rows(layer, relevant, columns, expand_nested)
    table = render_table(headers, rows, requested[: len(headers)], justify, line_length)

    trainable = _variables_size(model.trainable_weights)
    non_trainable = _variables_size(model.non_trainable_weights)
    optimizer = getattr(model, "optimizer", None)
    optimizer_vars = list(getattr(optimizer, "variables", None) or [])
    optimizer_built = bool(optimizer_vars) and getattr(optimizer, "built", True)
    counts = [("Trainable", trainable), ("Non-trainable", non_trainable)]
    if optimizer_built:
        counts.append(("Optimizer", _variables_size(optimizer_vars)))
    total = (sum(c for _, (c, _) in counts), sum(s for _, (_, s) in counts))
    footer = [
        f" {label} params: {count:,} ({readable_memory_size(size)})"
        for label, (count, size) in [("Total", total), *counts]
    ]

    width = console_width()
    lines = wrap_text(f'Model: "{model.name}"', width)
    lines += [line[:width] for line in table]
    for text in footer:
        lines += wrap_text(text, width)
    text = "".join(line + "\n" for line in lines)
    if print_fn is None:
        sys.stdout.write(text)
    else:
        print_fn(text)
