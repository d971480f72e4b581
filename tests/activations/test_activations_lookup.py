"""activations.get / serialize / deserialize, against Keras's forms."""

from __future__ import annotations

import pytest

from kerax import activations, registry

NAMES = sorted(registry.names("keras.activations"))


def test_registered_names_are_keras_names():
    from keras.src.activations import ALL_OBJECTS_DICT

    assert set(NAMES) == set(ALL_OBJECTS_DICT)


@pytest.mark.parametrize("name", NAMES)
def test_get_and_serialize_round_trip(name):
    import keras

    fn = activations.get(name)
    assert fn is getattr(activations, name)
    assert activations.serialize(fn) == keras.activations.serialize(
        keras.activations.get(name)
    )
    assert activations.deserialize(activations.serialize(fn)) is fn


def test_aliases_serialize_to_the_canonical_name():
    assert activations.swish is activations.silu
    assert activations.hard_swish is activations.hard_silu
    assert activations.serialize(activations.get("swish")) == "silu"
    assert activations.serialize(activations.get("hard_swish")) == "hard_silu"


def test_get_none_and_callables():
    assert activations.get(None) is activations.linear

    def double(x):
        return 2 * x

    assert activations.get(double) is double


def test_keras_function_dict():
    config = {
        "module": "keras.activations",
        "class_name": "function",
        "config": "relu",
        "registered_name": "relu",
    }
    assert activations.get(config) is activations.relu
    assert activations.deserialize(config) is activations.relu


def test_custom_function_serializes_by_name_and_loads_with_custom_objects():
    def double(x):
        return 2 * x

    config = activations.serialize(double)
    assert config["class_name"] == "function"
    assert config["config"] == "double"
    assert activations.deserialize(config, custom_objects={"double": double}) is double
    assert (
        activations.deserialize("double", custom_objects={"double": double}) is double
    )


@pytest.mark.parametrize("identifier", ["nope", "ReLU", "Relu"])
def test_unknown_name_lists_valid_names(identifier):
    with pytest.raises(ValueError, match="Unknown activation") as info:
        activations.get(identifier)
    assert "'relu'" in str(info.value) and "'softmax'" in str(info.value)


@pytest.mark.parametrize("identifier", [3, 1.5, ["relu"]])
def test_uninterpretable_identifiers(identifier):
    with pytest.raises(ValueError, match="Could not interpret activation"):
        activations.get(identifier)


def test_unknown_class_in_dict():
    with pytest.raises(ValueError, match="Could not deserialize activation"):
        activations.deserialize({"class_name": "Nope", "config": {}})


@registry.register("kerax_tests.activations")
class _Scaled:
    def __init__(self, factor: float = 1.0) -> None:
        self.factor = factor

    def __call__(self, x):
        return self.factor * x

    def get_config(self):
        return {"factor": self.factor}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def test_registered_callable_objects_round_trip_as_dicts():
    config = activations.serialize(_Scaled(3.0))
    assert config == {
        "module": "kerax_tests.activations",
        "class_name": "_Scaled",
        "config": {"factor": 3.0},
        "registered_name": None,
    }
    assert activations.get(config).factor == 3.0
