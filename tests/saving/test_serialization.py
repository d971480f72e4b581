"""``serialize_keras_object``/``deserialize_keras_object`` and object registration."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest

import kerax
from kerax.saving import (
    CustomObjectScope,
    custom_object_scope,
    deserialize_keras_object,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    serialize_keras_object,
)


@register_keras_serializable(package="SerTest")
class Scaled(kerax.initializers.Initializer):
    """A user initializer (constant times ``scale``)."""

    def __init__(self, scale=2.0):
        self.scale = scale

    def __call__(self, shape, dtype=None):
        return kerax.ops.ones(shape, dtype=dtype or "float32") * self.scale

    def get_config(self):
        return {"scale": self.scale}


@register_keras_serializable(package="SerTest")
def doubled(x):
    return 2.0 * x


def _kerax_and_keras_objects():
    return [
        (
            kerax.initializers.GlorotUniform(seed=1),
            keras.initializers.GlorotUniform(seed=1),
        ),
        (
            kerax.regularizers.L1L2(l1=0.1, l2=0.2),
            keras.regularizers.L1L2(l1=0.1, l2=0.2),
        ),
        (kerax.constraints.MaxNorm(2.0), keras.constraints.MaxNorm(2.0)),
        (kerax.optimizers.Adam(0.01), keras.optimizers.Adam(0.01)),
        (kerax.losses.MeanSquaredError(), keras.losses.MeanSquaredError()),
        (kerax.metrics.MeanAbsoluteError(), keras.metrics.MeanAbsoluteError()),
        (kerax.layers.Dense(3), keras.layers.Dense(3)),
    ]


@pytest.mark.parametrize(
    "pair", _kerax_and_keras_objects(), ids=lambda p: type(p[0]).__name__
)
def test_envelope_matches_keras(pair):
    ours, theirs = (serialize_keras_object(obj) for obj in pair)
    assert ours["class_name"] == theirs["class_name"]
    assert ours["module"].startswith("keras.") and ours["registered_name"] is None
    assert set(ours["config"]) == set(theirs["config"])


@pytest.mark.parametrize(
    "obj", [o for o, _ in _kerax_and_keras_objects()], ids=lambda o: type(o).__name__
)
def test_round_trip_through_json(obj):
    config = json.loads(json.dumps(serialize_keras_object(obj)))
    rebuilt = deserialize_keras_object(config)
    assert type(rebuilt) is type(obj)
    assert serialize_keras_object(rebuilt) == config


def test_keras_serialized_objects_deserialize_to_kerax():
    for _, theirs in _kerax_and_keras_objects():
        config = json.loads(json.dumps(keras.saving.serialize_keras_object(theirs)))
        rebuilt = deserialize_keras_object(config)
        assert type(rebuilt).__name__ == type(theirs).__name__
        assert type(rebuilt).__module__.startswith("kerax.")


@pytest.mark.parametrize(
    "value",
    [
        np.arange(6, dtype="int16").reshape(2, 3),
        kerax.ops.ones((2,)),
        b"bytes",
        slice(1, None, 2),
        Ellipsis,
        {"nested": [1, 2.5, None, "s", True]},
    ],
    ids=["numpy", "tensor", "bytes", "slice", "ellipsis", "plain"],
)
def test_special_values_round_trip_like_keras(value):
    ours = serialize_keras_object(value)
    assert json.loads(json.dumps(ours)) == json.loads(
        json.dumps(keras.saving.serialize_keras_object(value))
    )
    rebuilt = deserialize_keras_object(json.loads(json.dumps(ours)))
    if isinstance(value, (np.ndarray,)) or hasattr(value, "dtype"):
        np.testing.assert_array_equal(np.asarray(rebuilt), np.asarray(value))
        assert np.asarray(rebuilt).dtype == np.asarray(value).dtype
    else:
        assert rebuilt == value


def test_functions_serialize_by_name_and_resolve():
    assert serialize_keras_object(kerax.activations.relu) == {
        "module": "builtins",
        "class_name": "function",
        "config": "relu",
        "registered_name": "function",
    }
    assert deserialize_keras_object(serialize_keras_object(kerax.activations.relu)) is (
        kerax.activations.relu
    )
    assert serialize_keras_object(doubled)["config"] == "SerTest>doubled"
    assert deserialize_keras_object(serialize_keras_object(doubled)) is doubled
    with pytest.raises(ValueError, match="lambda"):
        serialize_keras_object(lambda x: x)


def test_registration_names_and_lookup():
    assert get_registered_name(Scaled) == "SerTest>Scaled"
    assert get_registered_name(kerax.layers.Dense) == "Dense"
    assert get_registered_object("SerTest>Scaled") is Scaled
    assert get_registered_object("Nope") is None
    config = serialize_keras_object(Scaled(3.0))
    assert config["registered_name"] == "SerTest>Scaled"
    assert deserialize_keras_object(config).scale == 3.0
    with pytest.raises(ValueError, match="already been registered"):
        register_keras_serializable(package="SerTest", name="Scaled")(Scaled)
    with pytest.raises(ValueError, match="get_config"):
        register_keras_serializable(package="SerTest")(type("NoConfig", (), {}))


def test_user_initializer_inside_a_builtin_layer():
    layer = kerax.layers.Dense(2, kernel_initializer=Scaled(4.0))
    config = json.loads(json.dumps(serialize_keras_object(layer)))
    assert config["config"]["kernel_initializer"]["class_name"] == "Scaled"
    rebuilt = deserialize_keras_object(config)
    rebuilt.build((None, 3))
    np.testing.assert_allclose(np.asarray(rebuilt.kernel.value), np.full((3, 2), 4.0))


def test_custom_objects_and_scopes():
    class Local(kerax.layers.Layer):
        def call(self, x):
            return x

    config = serialize_keras_object(Local(name="local"))
    assert config["registered_name"] == "Local"
    with pytest.raises(TypeError, match="Could not locate class 'Local'"):
        deserialize_keras_object(config)
    assert (
        type(deserialize_keras_object(config, custom_objects={"Local": Local})) is Local
    )
    with custom_object_scope({"Local": Local}):
        assert type(deserialize_keras_object(config)) is Local
        assert get_registered_object("Local") is Local
    with CustomObjectScope({"Other": int}):
        assert get_registered_object("Local") is None
    with pytest.raises(TypeError, match="dicts of name"):
        CustomObjectScope(["Local"])


@pytest.mark.parametrize(
    "config,error,message",
    [
        ({"module": "os", "class_name": "system", "config": {}}, TypeError, "Could not locate"),
        ({"module": "builtins", "class_name": "function", "config": "eval"}, TypeError, "eval"),
        ({"module": "keras.callbacks", "class_name": "TensorBoard", "config": {}}, TypeError, "TensorBoard"),
        ({"module": "keras.layers", "class_name": "NoSuchLayer", "config": {}}, TypeError, "Known names"),
        ({"class_name": "__lambda__", "config": {"value": ["AA==", None, None]}}, ValueError, "safe_mode"),
        ({"class_name": "__numpy__", "config": {"value": [1], "dtype": "object"}}, ValueError, "numeric"),
        ({"class_name": 3, "config": {}}, TypeError, "class_name"),
        ({"module": "keras.layers", "class_name": "Dense", "config": [1]}, TypeError, "dict"),
        ({"module": "keras.layers", "class_name": "Dense", "config": {"units": 2, "bogus": 1}}, TypeError, "bogus"),
    ],
    ids=["module", "builtin-eval", "callback", "unknown", "lambda", "object", "bad-name", "bad-config", "bad-arg"],
)  # fmt: skip
def test_bad_configs_raise_clear_errors(config, error, message):
    with pytest.raises(error, match=message):
        deserialize_keras_object(config)


def test_keras_module_names_map_to_kerax():
    base = {"class_name": "Dense", "config": {"units": 2}}
    for module in ("keras.layers", "keras.src.layers.core.dense", "keras.src.layers"):
        assert (
            type(deserialize_keras_object({**base, "module": module}))
            is kerax.layers.Dense
        )
    sequential = {"module": "keras.src.engine.sequential", "class_name": "Sequential"}
    model = deserialize_keras_object(
        {**sequential, "config": {"name": "s", "layers": []}}
    )
    assert type(model) is kerax.Sequential
    policy = {
        "module": "keras",
        "class_name": "DTypePolicy",
        "config": {"name": "mixed_float16"},
    }
    assert deserialize_keras_object(policy).compute_dtype == "float16"


def test_docstring_examples():
    import doctest

    from kerax.saving import object_registration, serialization

    for module in (object_registration, serialization):
        result = doctest.testmod(module, extraglobs={"kerax": kerax})
        assert result.failed == 0 and result.attempted > 0
