"""Functional ``get_config``/``from_config`` in Keras 3's schema."""

from __future__ import annotations

import importlib
import inspect
import json

import keras
import numpy as np
import pytest
from saving_models import as_list, multi_io_functional

import kerax
from kerax.layers.op_layer import OpLayer
from kerax.models import Functional
from kerax.saving import model_from_json, op_config


def _skeleton(config):
    """What must agree with Keras: layer order, classes, wiring, endpoints."""

    def histories(value):
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            return [value["config"]["keras_history"]]
        if isinstance(value, dict):
            return [h for v in value.values() for h in histories(v)]
        if isinstance(value, list):
            return [h for v in value for h in histories(v)]
        return []

    inner = config["config"]
    return {
        "class_name": config["class_name"],
        "module": config["module"],
        "layers": [
            (
                layer["name"],
                layer["class_name"],
                layer["module"] if layer["module"].startswith("keras.src.") else "",
                [histories(node["args"]) for node in layer["inbound_nodes"]],
                {
                    k: v
                    for k, v in layer["config"].items()
                    if k in ("axis", "keepdims", "newshape", "dtype")
                }
                if layer["module"].startswith("keras.src.ops")
                else None,
            )
            for layer in inner["layers"]
        ],
        "input_layers": inner["input_layers"],
        "output_layers": inner["output_layers"],
    }


def _keras_config(build):
    keras.backend.clear_session()
    model, _ = build(keras)
    return json.loads(model.to_json())


def _graph_with_ops(lib):
    x = lib.Input((3,), name="x")
    y = lib.layers.Dense(3, name="dense")(x) + 1.0
    z = y * x
    first = z[:, 0]
    sequence = lib.Sequential([lib.layers.Dense(2, name="inner_dense")], name="seq")
    return lib.Model(x, [first, lib.ops.relu(sequence(z))]), np.ones((2, 3), "float32")


@pytest.mark.parametrize("build", [multi_io_functional, _graph_with_ops])
def test_config_has_keras_schema(build):
    ours = json.loads(build(kerax)[0].to_json())
    assert _skeleton(ours) == _skeleton(_keras_config(build))


def _copy_weights(source, target):
    target.set_weights(source.get_weights())


@pytest.mark.parametrize("build", [multi_io_functional, _graph_with_ops])
def test_round_trip_predicts_the_same(build):
    model, data = build(kerax)
    rebuilt = Functional.from_config(json.loads(json.dumps(model.get_config())))
    assert [layer.name for layer in rebuilt.layers] == [
        layer.name for layer in model.layers
    ]
    _copy_weights(model, rebuilt)
    for expected, actual in zip(
        as_list(model.predict(data, verbose=0)),
        as_list(rebuilt.predict(data, verbose=0)),
    ):
        np.testing.assert_allclose(actual, expected, rtol=1e-6)


def test_keras_json_builds_an_equivalent_kerax_model():
    keras.backend.clear_session()
    source, data = _graph_with_ops(keras)
    model = model_from_json(source.to_json())
    assert isinstance(model, Functional)
    _copy_weights(source, model)
    for expected, actual in zip(
        as_list(source.predict(data, verbose=0)),
        as_list(model.predict(data, verbose=0)),
    ):
        np.testing.assert_allclose(actual, expected, rtol=1e-6)


def test_shared_layer_keeps_one_set_of_weights():
    x = kerax.Input((2,))
    shared = kerax.layers.Dense(2, name="shared")
    model = kerax.Model(x, shared(shared(x)))
    rebuilt = Functional.from_config(model.get_config())
    assert len(rebuilt.get_layer("shared")._inbound_nodes) == 2
    assert len(rebuilt.weights) == 2


def test_non_kerax_op_is_refused_with_a_clear_error():
    def private_op(x):
        return x * 2.0

    x = kerax.Input((2,))
    y = OpLayer(private_op, (x,), {})(x)
    model = kerax.Model(x, y)
    with pytest.raises(ValueError, match="private_op.*not a kerax op"):
        model.get_config()


def test_unknown_keras_op_is_refused():
    config = _keras_config(_graph_with_ops)
    relu = next(e for e in config["config"]["layers"] if e["class_name"] == "Relu")
    relu["class_name"] = "Mystery"
    with pytest.raises(ValueError, match="'Mystery'.*does not provide"):
        model_from_json(json.dumps(config))


def test_keras2_node_lists_are_read():
    """Keras 2.x wrote inbound nodes as ``[[layer, node, tensor, kwargs]]``."""
    config = {
        "module": "keras.src.engine.functional",
        "class_name": "Functional",
        "config": {
            "name": "old",
            "layers": [
                {"module": "keras.layers", "class_name": "InputLayer", "name": "a", "inbound_nodes": [], "config": {"batch_shape": [None, 2], "name": "a"}},
                {"module": "keras.layers", "class_name": "InputLayer", "name": "b", "inbound_nodes": [], "config": {"batch_shape": [None, 2], "name": "b"}},
                {"module": "keras.layers", "class_name": "Add", "name": "add", "config": {"name": "add"}, "inbound_nodes": [[["a", 0, 0, {}], ["b", 0, 0, {}]]]},
                {"module": "keras.layers", "class_name": "Dense", "name": "d", "config": {"name": "d", "units": 1}, "inbound_nodes": [[["add", 0, 0, {}]]]},
            ],
            "input_layers": [["a", 0, 0], ["b", 0, 0]],
            "output_layers": [["d", 0, 0]],
        },
    }  # fmt: skip
    model = model_from_json(json.dumps(config))
    assert [layer.name for layer in model.layers] == ["a", "b", "add", "d"]
    assert [t.shape for t in model.outputs] == [(None, 1)]


@pytest.mark.parametrize(
    "mutate,message",
    [
        (lambda c: c["config"]["layers"][1]["inbound_nodes"][0]["args"][0]["config"].update(keras_history=["ghost", 0, 0]), "cannot be rebuilt"),
        (lambda c: c["config"].update(output_layers=["ghost", 0, 0]), "unknown tensor"),
        (lambda c: c["config"]["layers"].append(dict(c["config"]["layers"][1])), "unique"),
        (lambda c: c["config"].update(layers={}), "'layers' list"),
    ],
    ids=["dangling-node", "dangling-output", "duplicate-name", "no-layers"],
)  # fmt: skip
def test_malformed_graph_configs_raise(mutate, message):
    x = kerax.Input((2,), name="x")
    config = json.loads(kerax.Model(x, kerax.layers.Dense(1)(x)).to_json())
    mutate(config)
    with pytest.raises(ValueError, match=message):
        model_from_json(json.dumps(config))


def test_op_classes_and_arguments_match_keras():
    """Every kerax op with a Keras operation class: same class, module and split
    of arguments into constructor and call arguments."""
    checked = 0
    for name in kerax.ops.__all__:
        public = getattr(kerax.ops, name)
        raw = getattr(public, "__kerax_op__", public)
        if inspect.ismodule(raw) or not callable(raw):
            continue
        module = importlib.import_module(op_config._keras_module(name, public))
        cls = vars(module).get(op_config.keras_class_name(name))
        if not inspect.isclass(cls):
            continue
        call = set(inspect.signature(cls.call).parameters)
        init = set(inspect.signature(cls.__init__).parameters)
        for parameter, spec in inspect.signature(raw).parameters.items():
            if spec.kind in (spec.VAR_POSITIONAL, spec.VAR_KEYWORD):
                continue
            expected = call if op_config.is_call_parameter(name, parameter) else init
            assert parameter in expected, (name, parameter)
        checked += 1
    assert checked > 250
