"""``model.export``: an inference artifact that runs without the model's code.

The artifact is a zip holding the model's inference function serialized with
``jax.export`` (StableHLO, with a symbolic batch size), its weights as a
plain ``.npz`` (no pickle) and a small JSON description. ``load_exported``
reads it back (with the same archive checks as ``load_model``) into an object
whose ``serve(inputs)`` runs the function; no Python from the file is run.
Serializing needs the ``flatbuffers`` package (``pip install flatbuffers``).
"""

from __future__ import annotations

import io
import json
from typing import Any

import jax
import numpy as np

from kerax import config
from kerax.backend.keras_tensor import KerasTensor, is_keras_tensor
from kerax.saving import archive, safe_json

FUNCTION = "function.bin"
WEIGHTS = "weights.npz"
DESCRIPTION = "export.json"
_FORMAT = "kerax.export/1"


def _spec(value: Any, scope: Any, names: list[str]) -> jax.ShapeDtypeStruct:
    """A ``ShapeDtypeStruct`` for an input; unknown sizes become symbols."""
    from jax import export

    shape = tuple(getattr(value, "shape", ()))
    dims = []
    for axis, size in enumerate(shape):
        if size is None:
            name = "batch" if axis == 0 else f"d{len(names)}"
            if name != "batch":
                names.append(name)
            dims.append(name)
        else:
            dims.append(str(int(size)))
    symbolic = export.symbolic_shape(", ".join(dims), scope=scope) if dims else ()
    dtype = getattr(value, "dtype", None) or config.floatx()
    return jax.ShapeDtypeStruct(symbolic, np.dtype(str(dtype)))


def _input_structure(model: Any, input_signature: Any) -> Any:
    if input_signature is not None:
        return input_signature
    graph = getattr(model, "_graph", None) or getattr(model, "_seq_graph", None)
    if graph is not None:
        return graph.inputs_struct
    raise ValueError(
        f"Cannot infer the inputs of model {model.name!r}: pass "
        "`input_signature` (e.g. [kerax.InputSpec(shape=(None, 3))] or "
        "jax.ShapeDtypeStruct values) to export a subclassed model."
    )


def _is_input(value: Any) -> bool:
    return is_keras_tensor(value) or hasattr(value, "shape")


def input_specs(model: Any, input_signature: Any) -> tuple[list, Any, list]:
    """The model's inputs: their leaves, structure and ``ShapeDtypeStruct`` specs.

    Sizes that are unknown (None) become ``jax.export`` symbols; the batch size
    is ``batch`` in every input.
    """
    from jax import export

    structure = _input_structure(model, input_signature)
    leaves, treedef = jax.tree_util.tree_flatten(structure, is_leaf=_is_input)
    scope = export.SymbolicScope()
    names: list[str] = []
    specs = [_spec(leaf, scope, names) for leaf in leaves]
    return leaves, treedef, specs


def export_model(
    model: Any,
    filepath: Any,
    format: str = "jax",  # noqa: A002 - Keras's argument name
    input_signature: Any = None,
    **kwargs: Any,
) -> None:
    """Write the inference function of ``model`` and its weights to ``filepath``.

    Args:
        model: a built model.
        filepath: where the artifact (a zip file) is written, atomically.
        format: ``"jax"`` (``jax.export``/StableHLO, read by
            ``load_exported``) or ``"onnx"`` (through ``jax2onnx``; takes
            ``opset_version``).
        input_signature: the inputs (``kerax.InputSpec``, ``kerax.Input(...)``
            tensors or anything with ``shape`` and ``dtype``; None sizes are
            symbolic); by default the model's ``Input`` tensors.
    """
    kwargs.pop("verbose", None)
    opset_version = kwargs.pop("opset_version", None) if format == "onnx" else None
    if kwargs:
        raise TypeError(f"export got unexpected arguments: {sorted(kwargs)}.")
    if format == "onnx":
        from kerax.saving.onnx_export import export_onnx

        export_onnx(model, filepath, input_signature, opset_version)
        return
    if format != "jax":
        raise ValueError(
            f"Unsupported export format {format!r}: kerax exports format='jax' "
            "(a jax.export/StableHLO artifact) and format='onnx'. Keras's "
            "TensorFlow, LiteRT and OpenVINO formats are not available."
        )
    from jax import export

    _, treedef, flat_specs = input_specs(model, input_signature)
    specs = jax.tree_util.tree_unflatten(treedef, flat_specs)
    trainable = list(model.trainable_variables)
    non_trainable = list(model.non_trainable_variables)

    def serve(trainable_values: list, non_trainable_values: list, inputs: Any) -> Any:
        outputs, _ = model.stateless_call(
            trainable_values, non_trainable_values, inputs, training=False
        )
        return outputs

    weight_specs = [
        [jax.ShapeDtypeStruct(v.shape, np.dtype(v.dtype)) for v in group]
        for group in (trainable, non_trainable)
    ]
    try:
        exported = export.export(jax.jit(serve))(*weight_specs, specs)
        function = bytes(exported.serialize())
    except jax.errors.InconclusiveDimensionOperation as error:
        raise ValueError(
            f"Model {model.name!r} cannot be exported with unknown sizes: its code "
            f"depends on them ({error}). Pass `input_signature` with fixed sizes."
        ) from error
    except ImportError as error:
        raise ImportError(
            "Exporting needs the `flatbuffers` package: pip install flatbuffers"
        ) from error
    weights = io.BytesIO()
    arrays = {f"t{i}": np.asarray(v.value) for i, v in enumerate(trainable)}
    arrays.update({f"n{i}": np.asarray(v.value) for i, v in enumerate(non_trainable)})
    np.savez(weights, **arrays)
    description = {
        "format": _FORMAT,
        "model": model.name,
        "trainable": len(trainable),
        "non_trainable": len(non_trainable),
        "inputs": [
            str(a) for a in exported.in_avals[len(trainable) + len(non_trainable) :]
        ],
        "outputs": [str(a) for a in exported.out_avals],
    }
    data = archive.archive_bytes(
        {
            DESCRIPTION: json.dumps(description).encode("utf-8"),
            FUNCTION: function,
            WEIGHTS: weights.getvalue(),
        }
    )
    archive.atomic_write(str(filepath), lambda stream: stream.write(data))


class ExportedModel:
    """An exported inference function with its weights; call ``serve(inputs)``."""

    def __init__(self, exported: Any, trainable: list, non_trainable: list, info: dict):
        self._exported = exported
        self._trainable = trainable
        self._non_trainable = non_trainable
        self.description = info

    def serve(self, inputs: Any) -> Any:
        """Run the model on ``inputs`` (structured like the exported inputs)."""
        if isinstance(inputs, KerasTensor):
            raise TypeError("serve() runs on arrays, not on symbolic tensors.")
        return self._exported.call(self._trainable, self._non_trainable, inputs)

    __call__ = serve


def _arrays(data: bytes, count: int, prefix: str, label: str) -> list[np.ndarray]:
    with np.load(io.BytesIO(data), allow_pickle=False) as stored:
        missing = [f"{prefix}{i}" for i in range(count) if f"{prefix}{i}" not in stored]
        if missing:
            raise ValueError(f"{label}: the weights {missing} are missing.")
        return [stored[f"{prefix}{i}"] for i in range(count)]


def load_exported(filepath: Any) -> ExportedModel:
    """Read an artifact written by ``export_model``."""
    from jax import export

    label = str(filepath)
    entries = archive.read_archive(filepath, required=(DESCRIPTION, FUNCTION, WEIGHTS))
    info = safe_json.loads(entries[DESCRIPTION], f"{label}: {DESCRIPTION}")
    if not isinstance(info, dict) or info.get("format") != _FORMAT:
        raise ValueError(f"{label} is not a kerax export artifact.")
    counts = (info.get("trainable"), info.get("non_trainable"))
    if not all(isinstance(c, int) and c >= 0 for c in counts):
        raise ValueError(f"{label}: bad weight counts in {DESCRIPTION}.")
    try:
        exported = export.deserialize(bytearray(entries[FUNCTION]))
    except ImportError as error:
        raise ImportError(
            "Loading an export needs the `flatbuffers` package: pip install flatbuffers"
        ) from error
    except Exception as error:
        raise ValueError(
            f"{label}: the exported function cannot be read: {error}"
        ) from error
    trainable = _arrays(entries[WEIGHTS], counts[0], "t", label)
    non_trainable = _arrays(entries[WEIGHTS], counts[1], "n", label)
    expected = exported.in_avals[: counts[0] + counts[1]]
    for array, aval in zip(trainable + non_trainable, expected):
        if tuple(array.shape) != tuple(aval.shape) or array.dtype != aval.dtype:
            raise ValueError(
                f"{label}: a stored weight of shape {array.shape} ({array.dtype}) does "
                f"not match the function's {aval}."
            )
    return ExportedModel(exported, trainable, non_trainable, info)
