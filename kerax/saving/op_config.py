"""Ops inside a Functional graph (``OpLayer``) as Keras writes them.

Keras stores ``kerax.ops.sum(x, axis=1)`` in a model as an operation entry
``{"module": "keras.src.ops.numpy", "class_name": "Sum", "config": {"name":
..., "axis": 1, "keepdims": false}, "inbound_nodes": [{"args": [x]}]}``: the
op's tensor arguments are call arguments and its other arguments are
constructor arguments. Only kerax ops can be written or read this way: an
op entry names a function of ``kerax.ops`` and nothing else.
"""

from __future__ import annotations

import inspect
from typing import Any

from kerax.backend.keras_tensor import is_keras_tensor
from kerax.utils.naming import to_snake_case

# kerax op names whose Keras class is not the plain CamelCase of the name.
_CLASS_NAMES = {
    "swish": "Silu",
    "hard_swish": "HardSilu",
    "ctc_loss": "CTCLoss",
    "ctc_decode": "CTCDecode",
    "psnr": "PSNR",
    "rms_normalization": "RMSNorm",
    "rgb_to_grayscale": "RGBToGrayscale",
    "rgb_to_hsv": "RGBToHSV",
    "hsv_to_rgb": "HSVToRGB",
    "ssim": "SSIM",
    "svd": "SVD",
    "jvp": "JVP",
    "fft": "FFT",
    "fft2": "FFT2",
    "ifft2": "IFFT2",
    "rfft": "RFFT",
    "irfft": "IRFFT",
    "stft": "STFT",
    "istft": "ISTFT",
}
_OP_NAMES = {
    cls: op for op, cls in _CLASS_NAMES.items() if op not in ("swish", "hard_swish")
}
# kerax ops defined in another module than the Keras module of their class.
_MODULES = {"get_item": "numpy", "ndim": "numpy", "size": "numpy"}
_SUBMODULES = ("numpy", "nn", "image", "linalg", "math", "core", "einops")
# Parameter names of Keras op calls (everything else is a constructor argument).
CALL_PARAMETERS = frozenset(
    {
        "x", "x1", "x2", "x3", "xs", "inputs", "y", "a", "b", "q", "condition",
        "indices", "updates", "data", "segment_ids", "operands", "start_indices",
        "target", "targets", "output", "predictions", "kernel", "query", "key",
        "value", "bias", "mask", "scale", "tensor", "elements", "values", "array",
        "condlist", "choicelist", "default", "depthwise_kernel", "pointwise_kernel",
        "fill_value", "constant_values", "start", "stop", "step", "init", "weights",
        "bins", "rtol", "atol", "f", "elems", "pred", "true_fn", "false_fn",
        "sequence_lengths", "target_length", "output_length", "init_val", "fun",
        "primals", "tangents", "abs_", "angle", "pattern", "axes_lengths",
        "variable", "index", "branches", "loop_vars",
    }
)  # fmt: skip
# Ops whose Keras class takes one of those names in its constructor instead.
_CONSTRUCTOR_PARAMETERS = {
    "bincount": {"weights"},
    "histogram": {"bins"},
    "squareplus": {"b"},
    "trapezoid": {"x"},
    "unique": {"fill_value"},
}


def is_call_parameter(op_name: str, parameter: str) -> bool:
    """True if Keras passes ``parameter`` of op ``op_name`` at call time."""
    if parameter in _CONSTRUCTOR_PARAMETERS.get(op_name, ()):
        return False
    return parameter in CALL_PARAMETERS


def _kerax_op(fn: Any) -> tuple[str, Any] | None:
    """``(name, public function)`` if ``fn`` is a kerax op, else None."""
    from kerax import ops

    name = getattr(fn, "__name__", None)
    public = getattr(ops, name, None) if isinstance(name, str) else None
    if public is None or name not in ops.__all__:
        return None
    if public is fn or getattr(public, "__kerax_op__", None) is fn:
        return name, public
    return None


def keras_class_name(op_name: str) -> str:
    """The Keras operation class of a kerax op (``expand_dims`` -> ``ExpandDims``)."""
    if op_name in _CLASS_NAMES:
        return _CLASS_NAMES[op_name]
    return "".join(part[:1].upper() + part[1:] for part in op_name.split("_"))


def _keras_module(op_name: str, fn: Any) -> str:
    if op_name in _MODULES:
        return f"keras.src.ops.{_MODULES[op_name]}"
    raw = getattr(fn, "__kerax_op__", fn)
    last = (getattr(raw, "__module__", "") or "").rsplit(".", 1)[-1]
    sub = next((s for s in _SUBMODULES if last.startswith(s)), "numpy")
    return f"keras.src.ops.{sub}"


def split_arguments(fn: Any, args: tuple, kwargs: dict) -> tuple[list, dict]:
    """``(call args, constructor kwargs)`` of a call ``fn(*args, **kwargs)``."""
    signature = inspect.signature(fn)
    bound = signature.bind(*args, **kwargs)
    call: list[Any] = []
    constructor: dict[str, Any] = {}
    for name, value in bound.arguments.items():
        kind = signature.parameters[name].kind
        if kind is inspect.Parameter.VAR_POSITIONAL:
            call.extend(value)
        elif kind is inspect.Parameter.VAR_KEYWORD:
            constructor.update(value)
        elif is_call_parameter(fn.__name__, name) or _has_tensor(value):
            call.append(value)
        else:
            constructor[name] = value
    return call, constructor


def _has_tensor(value: Any) -> bool:
    import jax

    return any(
        is_keras_tensor(x)
        for x in jax.tree_util.tree_leaves(value, is_leaf=is_keras_tensor)
    )


def serialize_op(layer: Any, args: tuple, kwargs: dict) -> dict[str, Any]:
    """The Keras operation entry (without ``name``/``inbound_nodes``) of ``layer``.

    Returns ``{"module", "class_name", "config", "registered_name", "call_args"}``
    where ``call_args`` still holds KerasTensors for the caller to encode.
    """
    found = _kerax_op(layer.fn)
    if found is None:
        raise ValueError(
            f"Cannot serialize the graph node {layer.name!r}: it applies "
            f"{layer.fn!r}, which is not a kerax op. Only kerax.ops functions (and "
            "tensor operators) can be saved inside a Functional model; wrap other "
            "code in a Layer subclass registered with "
            "`kerax.saving.register_keras_serializable()`."
        )
    op_name, public = found
    call, constructor = split_arguments(layer.fn, args, kwargs)
    class_name = keras_class_name(op_name)
    from kerax.saving.serialization import serialize_keras_object

    return {
        "module": _keras_module(op_name, public),
        "class_name": class_name,
        "config": {"name": layer.name, **serialize_keras_object(constructor)},
        "registered_name": class_name,
        "call_args": call,
    }


def resolve_op(entry: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """``(kerax op function, constructor kwargs)`` named by an operation entry."""
    from kerax import ops

    class_name = entry.get("class_name")
    if not isinstance(class_name, str):
        raise ValueError(f"An operation entry needs a 'class_name': {entry!r}")
    op_name = _OP_NAMES.get(class_name, to_snake_case(class_name))
    if op_name not in ops.__all__:
        raise ValueError(
            f"The model uses the Keras operation {class_name!r} (module "
            f"{entry.get('module')!r}), which kerax.ops does not provide."
        )
    config = dict(entry.get("config") or {})
    config.pop("name", None)
    return getattr(ops, op_name), config


def call_op(
    fn: Any, args: list[Any], kwargs: dict[str, Any], constructor: dict[str, Any]
) -> Any:
    """Apply a resolved op to its decoded call arguments.

    JSON has no tuples: an index key read back as a list is a tuple again.
    """
    if fn.__name__ == "get_item" and len(args) == 2 and isinstance(args[1], list):
        args = [args[0], tuple(args[1])]
    return fn(*args, **kwargs, **constructor)


def op_call_signature_ok(fn: Any, constructor: dict[str, Any]) -> None:
    """Raise a clear error if ``fn`` takes none of the stored constructor arguments."""
    parameters = inspect.signature(fn).parameters
    accepts_any = any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )
    unknown = [k for k in constructor if k not in parameters and not accepts_any]
    if unknown:
        raise ValueError(
            f"kerax.ops.{fn.__name__} does not take the stored arguments {unknown}; "
            f"it accepts {list(parameters)}."
        )
