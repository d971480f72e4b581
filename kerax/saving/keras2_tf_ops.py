"""TensorFlow ops that tf.keras 2 recorded in Functional models, as kerax ops.

Applying a TensorFlow function to a Keras 2 symbolic tensor (``x + y``,
``tf.reduce_sum(x, axis=1)``, ``x[:, :4]``) added a ``TFOpLambda`` (or
``SlicingOpLambda``) layer to the model, stored with the TensorFlow API name
(``"math.reduce_sum"``) and the call's arguments. The common ones have a
``keras.ops`` twin and become Keras 3 operation entries (as Keras 3 writes
``keras.ops`` calls); an op or argument without a clear twin is refused by
name.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from kerax.saving.keras2_config import Keras2ConfigError

_BINARY = {"y": "x2"}
_REDUCE = {"axis": "axis", "keepdims": "keepdims"}
# TensorFlow API name -> (kerax op, {TF argument: kerax argument}).
_OPS: dict[str, tuple[str, dict[str, str]]] = {
    "__operators__.add": ("add", _BINARY),
    "math.add": ("add", _BINARY),
    "math.subtract": ("subtract", _BINARY),
    "math.multiply": ("multiply", _BINARY),
    "math.truediv": ("true_divide", _BINARY),
    "math.divide": ("true_divide", _BINARY),
    "math.maximum": ("maximum", _BINARY),
    "math.minimum": ("minimum", _BINARY),
    "math.pow": ("power", _BINARY),
    "math.equal": ("equal", _BINARY),
    "math.greater": ("greater", _BINARY),
    "math.less": ("less", _BINARY),
    "linalg.matmul": ("matmul", {"b": "x2"}),
    "math.negative": ("negative", {}),
    "math.abs": ("absolute", {}),
    "math.exp": ("exp", {}),
    "math.log": ("log", {}),
    "math.sqrt": ("sqrt", {}),
    "math.rsqrt": ("rsqrt", {}),
    "math.square": ("square", {}),
    "math.tanh": ("tanh", {}),
    "math.sigmoid": ("sigmoid", {}),
    "math.sin": ("sin", {}),
    "math.cos": ("cos", {}),
    "math.floor": ("floor", {}),
    "math.sign": ("sign", {}),
    "math.reciprocal": ("reciprocal", {}),
    "math.erf": ("erf", {}),
    "math.softplus": ("softplus", {}),
    "nn.relu": ("relu", {}),
    "nn.softmax": ("softmax", {"axis": "axis"}),
    "nn.log_softmax": ("log_softmax", {"axis": "axis"}),
    "math.reduce_sum": ("sum", _REDUCE),
    "math.reduce_mean": ("mean", _REDUCE),
    "math.reduce_max": ("max", _REDUCE),
    "math.reduce_min": ("min", _REDUCE),
    "math.reduce_prod": ("prod", _REDUCE),
    "concat": ("concatenate", {"axis": "axis"}),
    "stack": ("stack", {"axis": "axis"}),
    "reshape": ("reshape", {"shape": "newshape"}),
    "transpose": ("transpose", {"perm": "axes"}),
    "compat.v1.transpose": ("transpose", {"perm": "axes"}),
    "expand_dims": ("expand_dims", {"axis": "axis"}),
    "squeeze": ("squeeze", {"axis": "axis"}),
    "compat.v1.squeeze": ("squeeze", {"axis": "axis"}),
    "cast": ("cast", {"dtype": "dtype"}),
    "clip_by_value": ("clip", {"clip_value_min": "x_min", "clip_value_max": "x_max"}),
    "tile": ("tile", {"multiples": "repeats"}),
}
_IGNORED = ("name",)  # the TensorFlow op's name in the TF graph
# TensorFlow arguments that change nothing when they hold these values.
_NO_OPS = {
    "conjugate": (False,),
    "transpose_a": (False,),
    "transpose_b": (False,),
    "adjoint_a": (False,),
    "adjoint_b": (False,),
    "a_is_sparse": (False,),
    "b_is_sparse": (False,),
    "output_type": (None,),
    "squeeze_dims": (None,),
}
_NN_OPS = ("relu", "softmax", "log_softmax", "sigmoid", "softplus")


def _slice_key(spec: Any, layer: str) -> Any:
    if isinstance(spec, list):
        return [_slice_key(item, layer) for item in spec]
    if isinstance(spec, dict) and set(spec) <= {"start", "stop", "step"}:
        return {
            "class_name": "__slice__",
            "config": {k: spec.get(k) for k in ("start", "stop", "step")},
        }
    if spec is None or (isinstance(spec, int) and not isinstance(spec, bool)):
        return spec
    raise Keras2ConfigError(
        f"Keras 2 slicing layer {layer!r} uses the index {spec!r}; only integers, "
        "slices and None can be mapped onto Keras 3."
    )


def _get_item_call(name: str, call: dict[str, Any]) -> dict[str, Any]:
    kwargs = dict(call["kwargs"])
    spec = kwargs.pop("slice_spec", None)
    if kwargs or len(call["args"]) != 1:
        raise Keras2ConfigError(
            f"Keras 2 slicing layer {name!r} has unexpected arguments {kwargs}."
        )
    return {"args": [call["args"][0], _slice_key(spec, name)], "kwargs": {}}


def _op_call(name: str, function: str, call: dict[str, Any]) -> dict[str, Any]:
    from kerax import ops

    op_name, renames = _OPS[function]
    first = next(iter(inspect.signature(getattr(ops, op_name)).parameters))
    kwargs: dict[str, Any] = {}
    for key, value in call["kwargs"].items():
        if key in renames:
            kwargs[renames[key]] = value
        elif key in _IGNORED or value in _NO_OPS.get(key, ()):
            continue
        else:
            raise Keras2ConfigError(
                f"Keras 2 layer {name!r} calls tf.{function} with {key}={value!r}, "
                f"which kerax.ops.{op_name} cannot express."
            )
    if len(call["args"]) != 1:
        raise Keras2ConfigError(f"Keras 2 layer {name!r}: unexpected call {call!r}.")
    return {"args": [], "kwargs": {first: call["args"][0], **kwargs}}


def tf_op_entry(
    entry: dict[str, Any], node: Callable[[str, Any], dict[str, Any]]
) -> dict[str, Any]:
    """The Keras 3 operation entry for a Keras 2 ``TFOpLambda``/``SlicingOpLambda``.

    ``node(layer name, Keras 2 node)`` turns a node into ``{"args", "kwargs"}``.
    """
    from kerax.saving.op_config import keras_class_name

    inner = entry.get("config") or {}
    function, name = inner.get("function"), entry.get("name") or inner.get("name")
    calls = [node(name, n) for n in entry.get("inbound_nodes") or []]
    if entry.get("class_name") == "SlicingOpLambda":
        if function != "__operators__.getitem":
            raise Keras2ConfigError(
                f"Keras 2 layer {name!r} slices with tf.{function}; only x[...] "
                "(__operators__.getitem) can be mapped."
            )
        op_name, calls = "get_item", [_get_item_call(name, c) for c in calls]
    elif function in _OPS:
        op_name, calls = _OPS[function][0], [_op_call(name, function, c) for c in calls]
    else:
        raise Keras2ConfigError(
            f"Keras 2 layer {name!r} is the TensorFlow function tf.{function} "
            f"recorded by tf.keras ({entry.get('class_name')}), which has no "
            f"keras.ops twin that kerax maps (mapped: {sorted(_OPS)}). Rebuild "
            "the model with keras.ops (or a custom layer) and load the weights."
        )
    class_name = keras_class_name(op_name)
    package = "nn" if op_name in _NN_OPS else "numpy"
    return {
        "module": f"keras.src.ops.{package}",
        "class_name": class_name,
        "config": {"name": name},
        "registered_name": class_name,
        "name": name,
        "inbound_nodes": calls,
    }
