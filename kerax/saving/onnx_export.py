"""``model.export(path, format="onnx")``: an ONNX model through ``jax2onnx``.

The model's inference function (``training=False``) is traced with its current
weights as constants and converted by the ``jax2onnx`` package (install it
with ``pip install "kerax[onnx]"``). Unknown input sizes stay symbolic, so the
ONNX model takes any batch size. Inputs are named after the model's ``Input``
layers and outputs after its output layers.
"""

from __future__ import annotations

from typing import Any

import jax

from kerax.saving import archive
from kerax.saving.export import input_specs


def _input_names(leaves: list[Any]) -> list[str]:
    names = []
    for index, leaf in enumerate(leaves):
        name = getattr(leaf, "name", None)
        names.append(name if isinstance(name, str) and name else f"input_{index}")
    if len(set(names)) != len(names):
        return [f"input_{i}" for i in range(len(leaves))]
    return names


def _output_names(model: Any, count: int) -> list[str] | None:
    try:
        names = list(model.output_names)
    except (AttributeError, TypeError, ValueError):
        return None
    if len(names) != count or len(set(names)) != count:
        return None
    return names


def export_onnx(
    model: Any,
    filepath: Any,
    input_signature: Any = None,
    opset_version: int | None = None,
) -> None:
    """Write ``model``'s inference function as an ONNX file, atomically."""
    try:
        from jax2onnx import to_onnx
    except ImportError as error:
        raise ImportError(
            'Exporting to ONNX needs the jax2onnx package: pip install "kerax[onnx]"'
        ) from error
    if opset_version is not None and (
        not isinstance(opset_version, int) or opset_version < 13
    ):
        raise ValueError(f"opset_version must be an int >= 13, got {opset_version!r}.")
    leaves, treedef, specs = input_specs(model, input_signature)
    trainable = [v.value for v in model.trainable_variables]
    non_trainable = [v.value for v in model.non_trainable_variables]

    def serve(*flat: Any) -> tuple:
        inputs = jax.tree_util.tree_unflatten(treedef, list(flat))
        outputs, _ = model.stateless_call(
            trainable, non_trainable, inputs, training=False
        )
        return tuple(jax.tree_util.tree_leaves(outputs))

    count = len(jax.eval_shape(serve, *specs))
    options: dict[str, Any] = {}
    if opset_version is not None:
        options["opset"] = opset_version
    try:
        proto = to_onnx(
            serve,
            specs,
            model_name=model.name,
            input_names=_input_names(leaves),
            output_names=_output_names(model, count),
            **options,
        )
    except jax.errors.InconclusiveDimensionOperation as error:
        raise ValueError(
            f"Model {model.name!r} cannot be exported with unknown sizes: its code "
            f"depends on them ({error}). Pass `input_signature` with fixed sizes."
        ) from error
    data = proto.SerializeToString()
    archive.atomic_write(str(filepath), lambda stream: stream.write(data))
