"""Pictures of a model and of its training: ``plot_model`` and ``plot_history``.

``plot_model`` needs the ``pydot`` package and the Graphviz ``dot`` program;
``plot_history`` needs ``matplotlib``. Neither is a dependency of kerax: the
functions say what to install when they are missing.
"""

from __future__ import annotations

import html
import os
import shutil
from typing import Any

_IMAGE_FORMATS = ("png", "svg", "pdf", "jpg", "jpeg", "gif", "dot")


def _import_pydot() -> Any:
    try:
        import pydot
    except ImportError as error:
        raise ImportError(
            "plot_model needs the `pydot` package: `pip install pydot`, plus the "
            "Graphviz programs (`apt-get install graphviz`, `brew install graphviz` "
            "or https://graphviz.org/download/)."
        ) from error
    if shutil.which("dot") is None:
        raise RuntimeError(
            "plot_model needs the Graphviz `dot` program on PATH; install Graphviz "
            "(`apt-get install graphviz`, `brew install graphviz` or "
            "https://graphviz.org/download/)."
        )
    return pydot


def _model_graph(model: Any) -> Any:
    return getattr(model, "_graph", None) or getattr(model, "_seq_graph", None)


def _is_model(layer: Any) -> bool:
    return hasattr(layer, "layers") and _model_graph(layer) is not None


def _format_shape(tensors: list[Any]) -> str:
    shapes = [tuple(t.shape) for t in tensors]
    text = ", ".join(str(s) for s in shapes)
    return text if len(shapes) == 1 else f"[{text}]"


def _activation_name(layer: Any) -> str | None:
    activation = getattr(layer, "activation", None)
    if activation is None:
        return None
    return getattr(activation, "__name__", type(activation).__name__)


def _label(layer: Any, outputs: list[Any], options: dict) -> str:
    title = type(layer).__name__
    if options["show_layer_names"]:
        title = f"{layer.name} ({title})"
    rows = [f"<b>{html.escape(title)}</b>"]
    if options["show_shapes"] and outputs:
        rows.append("Output shape: " + html.escape(_format_shape(outputs)))
    if options["show_dtype"] and outputs:
        dtypes = ", ".join(str(t.dtype) for t in outputs)
        rows.append("Output dtype: " + html.escape(dtypes))
    activation = _activation_name(layer)
    if options["show_layer_activations"] and activation is not None:
        rows.append("Activation: " + html.escape(activation))
    if options["show_trainable"]:
        rows.append("Trainable: " + ("yes" if layer.trainable else "no"))
    cells = "".join(f"<tr><td>{row}</td></tr>" for row in rows)
    return f'<<table border="0" cellborder="0">{cells}</table>>'


def _add_model(
    pydot: Any, container: Any, model: Any, options: dict, prefix: str
) -> tuple[list[str], list[str]]:
    """Add ``model``'s layers to ``container``; return (entry ids, exit ids)."""
    graph = _model_graph(model)
    if graph is None:
        if not model.layers:
            raise ValueError(
                f"Model {model.name!r} has no layers to plot; build or call the "
                "model on data first."
            )
        steps = [
            (layer, [], [previous] if previous else [])
            for previous, layer in zip([None, *model.layers[:-1]], model.layers)
        ]
    else:
        steps = [
            (node.operation, node.outputs, [p.operation for p in node.parent_nodes])
            for node in graph.nodes
        ]
    ends: dict[int, tuple[list[str], list[str]]] = {}
    entries: list[str] = []
    for layer, outputs, parents in steps:
        key = f"{prefix}{id(layer)}"
        if id(layer) in ends:
            pass
        elif options["expand_nested"] and _is_model(layer):
            cluster = pydot.Cluster(
                key, label=html.escape(layer.name), style="dashed", fontname="Helvetica"
            )
            container.add_subgraph(cluster)
            ends[id(layer)] = _add_model(pydot, cluster, layer, options, key + "_")
        else:
            container.add_node(
                pydot.Node(key, label=_label(layer, outputs, options), shape="box")
            )
            ends[id(layer)] = ([key], [key])
        if not parents:
            entries.extend(ends[id(layer)][0])
        for parent in parents:
            for source in ends[id(parent)][1]:
                for target in ends[id(layer)][0]:
                    container.add_edge(pydot.Edge(source, target))
    if graph is None:
        exits = ends[id(model.layers[-1])][1]
    else:
        exits = [
            name for t in graph.outputs for name in ends[id(t._keras_history[0])][1]
        ]
    return entries, list(dict.fromkeys(exits))


def model_to_dot(
    model: Any,
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = True,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: int = 200,
    show_layer_activations: bool = False,
    show_trainable: bool = False,
) -> Any:
    """Build a ``pydot.Dot`` graph of the model's layers.

    Args:
        model: a built kerax ``Model`` (Sequential, Functional or subclassed).
        show_shapes: print each layer's output shape.
        show_dtype: print each layer's output dtype.
        show_layer_names: print layer names beside class names.
        rankdir: Graphviz direction, ``"TB"`` (top to bottom) or ``"LR"``.
        expand_nested: draw nested models' layers inside a dashed box.
        dpi: image resolution.
        show_layer_activations: print the ``activation`` of layers that have one.
        show_trainable: print whether each layer is trainable.
    """
    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise ValueError(
            f"plot_model: rankdir must be one of 'TB', 'LR', 'BT', 'RL'; "
            f"received {rankdir!r}."
        )
    pydot = _import_pydot()
    options = {
        "show_shapes": show_shapes,
        "show_dtype": show_dtype,
        "show_layer_names": show_layer_names,
        "expand_nested": expand_nested,
        "show_layer_activations": show_layer_activations,
        "show_trainable": show_trainable,
    }
    dot = pydot.Dot(graph_type="digraph", rankdir=rankdir, dpi=str(dpi))
    dot.set_node_defaults(fontname="Helvetica", fontsize="12")
    _add_model(pydot, dot, model, options, "n")
    return dot


def plot_model(
    model: Any,
    to_file: str | os.PathLike = "model.png",
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = True,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: int = 200,
    show_layer_activations: bool = False,
    show_trainable: bool = False,
) -> None:
    """Draw the model's layer graph to an image file (format from the extension).

    Needs ``pydot`` and Graphviz. Arguments are those of :func:`model_to_dot`;
    ``to_file`` ends in ``.png``, ``.svg``, ``.pdf``, ``.jpg``, ``.gif`` or ``.dot``.

    Example:
        >>> model = kerax.Sequential([kerax.Input((4,)), kerax.layers.Dense(2)])
        >>> kerax.utils.plot_model(model, "model.svg", show_shapes=True)  # doctest: +SKIP
    """
    path = os.fspath(to_file)
    extension = os.path.splitext(path)[1].lstrip(".").lower() or "png"
    if extension not in _IMAGE_FORMATS:
        raise ValueError(
            f"plot_model: to_file must end in one of {list(_IMAGE_FORMATS)}; "
            f"received {path!r}."
        )
    dot = model_to_dot(
        model,
        show_shapes=show_shapes,
        show_dtype=show_dtype,
        show_layer_names=show_layer_names,
        rankdir=rankdir,
        expand_nested=expand_nested,
        dpi=dpi,
        show_layer_activations=show_layer_activations,
        show_trainable=show_trainable,
    )
    dot.write(path, format="raw" if extension == "dot" else extension)


def plot_history(
    history: Any,
    to_file: str | os.PathLike = "history.png",
    metrics: list[str] | None = None,
    dpi: int = 100,
) -> Any:
    """Draw per-epoch loss and metric curves (training and validation) to an image.

    Args:
        history: the ``History`` that ``fit`` returns, or its ``.history`` dict.
        to_file: image path; the format follows the extension (``.png``, ``.svg``…).
        metrics: names to draw (without ``val_``); default: every recorded one.
        dpi: image resolution.

    Returns:
        The matplotlib ``Figure`` (one panel per metric).
    """
    try:
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ImportError(
            "plot_history needs matplotlib: `pip install matplotlib`."
        ) from error
    logs = history.history if hasattr(history, "history") else history
    if not isinstance(logs, dict) or not logs:
        raise ValueError(
            "plot_history expects a History (from fit) or a non-empty "
            f"{{name: [values]}} dict; received {type(history).__name__}."
        )
    names = metrics or [k for k in logs if not k.startswith("val_")] or list(logs)
    unknown = [n for n in names if n not in logs and f"val_{n}" not in logs]
    if unknown:
        raise ValueError(
            f"plot_history: unknown metrics {unknown}; recorded: {sorted(logs)}."
        )
    figure = Figure(figsize=(4.5 * len(names), 3.5), dpi=dpi)
    for index, name in enumerate(names):
        axes = figure.add_subplot(1, len(names), index + 1)
        for key, label in ((name, "train"), (f"val_{name}", "validation")):
            if key in logs:
                values = [float(v) for v in logs[key]]
                axes.plot(range(1, len(values) + 1), values, marker="o", label=label)
        axes.set_title(name)
        axes.set_xlabel("epoch")
        axes.legend()
    figure.tight_layout()
    figure.savefig(os.fspath(to_file))
    return figure
