"""API surface, configs, serialization and ``get`` against Keras 3."""

from __future__ import annotations

import inspect

import keras
import numpy as np
import pytest

from kerax import losses, registry

KERAS_NAMES = [n for n in dir(keras.losses) if not n.startswith("_")]
CLASSES = [n for n in KERAS_NAMES if inspect.isclass(getattr(keras.losses, n))]
LOSS_CLASSES = [n for n in CLASSES if n != "Loss"]
FUNCTIONS = [
    n
    for n in KERAS_NAMES
    if inspect.isfunction(getattr(keras.losses, n))
    and n not in ("get", "serialize", "deserialize")
]
# Config entries Keras drops (so its round trip loses them); kerax keeps them.
EXTRA_KEYS = {
    "CosineSimilarity": {"axis"},
    "Huber": {"delta"},
    "SparseCategoricalCrossentropy": {"axis"},
}


def _parameters(obj):
    return [(p.name, p.default) for p in inspect.signature(obj).parameters.values()]


@pytest.mark.parametrize("name", KERAS_NAMES)
def test_every_keras_name_exists_with_keras_signature(name):
    ours = getattr(losses, name)
    theirs = getattr(keras.losses, name)
    assert _parameters(ours) == _parameters(theirs)


@pytest.mark.parametrize("name", LOSS_CLASSES + FUNCTIONS + ["Loss"])
def test_every_public_loss_is_registered(name):
    assert registry.lookup("keras.losses", name) is getattr(losses, name)
    assert registry.lookup("keras.losses", "LossFunctionWrapper") is (
        losses.LossFunctionWrapper
    )


@pytest.mark.parametrize("name", LOSS_CLASSES)
def test_config_matches_keras_and_round_trips(name):
    kwargs = {"q": 0.3} if name == "CategoricalGeneralizedCrossEntropy" else {}
    ours = getattr(losses, name)(reduction="sum", name="custom", **kwargs)
    theirs = getattr(keras.losses, name)(reduction="sum", name="custom", **kwargs)
    config = ours.get_config()
    extra = EXTRA_KEYS.get(name, set())
    assert {k: v for k, v in config.items() if k not in extra} == theirs.get_config()
    assert list(config)[:2] == ["name", "reduction"]
    clone = type(ours).from_config(config)
    assert clone.get_config() == config
    serialized = losses.serialize(ours)
    assert serialized == {
        "module": "keras.losses",
        "class_name": name,
        "config": config,
        "registered_name": None,
    }
    assert losses.deserialize(serialized).get_config() == config
    # Keras can read what kerax writes (Keras 3.15 cannot deserialize its own
    # CategoricalGeneralizedCrossEntropy: it is missing from its lookup table).
    if name != "CategoricalGeneralizedCrossEntropy":
        assert keras.losses.deserialize(serialized).get_config() == theirs.get_config()


def test_non_default_arguments_round_trip():
    original = losses.SparseCategoricalCrossentropy(
        from_logits=True, ignore_class=-1, axis=1, reduction=None, name="s"
    )
    clone = losses.deserialize(losses.serialize(original))
    assert isinstance(clone, losses.SparseCategoricalCrossentropy)
    assert (clone.from_logits, clone.ignore_class, clone.axis) == (True, -1, 1)
    assert (clone.reduction, clone.name) == (None, "s")
    huber = losses.deserialize(losses.serialize(losses.Huber(delta=0.25)))
    assert huber.get_config()["delta"] == 0.25


def test_keras_written_configs_load():
    written = keras.losses.serialize(
        keras.losses.BinaryFocalCrossentropy(apply_class_balancing=True, gamma=3.0)
    )
    loaded = losses.deserialize(written)
    assert isinstance(loaded, losses.BinaryFocalCrossentropy)
    assert loaded.gamma == 3.0 and loaded.apply_class_balancing is True
    legacy = {"class_name": "MeanAbsoluteError", "config": {"name": "m"}}
    assert losses.deserialize(legacy).name == "m"


def test_functions_serialize_like_keras():
    for name in FUNCTIONS:
        ours = losses.serialize(getattr(losses, name))
        assert ours == keras.losses.serialize(getattr(keras.losses, name))
        assert losses.deserialize(ours) is getattr(losses, name)


def test_loss_function_wrapper_round_trip_matches_keras_format(rng):
    wrapper = losses.LossFunctionWrapper(losses.huber, name="w", delta=2.0)
    serialized = losses.serialize(wrapper)
    from keras.src.losses.losses import LossFunctionWrapper

    theirs = LossFunctionWrapper(keras.losses.huber, name="w", delta=2.0)
    assert serialized == keras.losses.serialize(theirs)
    clone = losses.deserialize(serialized)
    assert clone.fn is losses.huber and clone.get_config() == wrapper.get_config()
    y_true, y_pred = rng.normal(size=(2, 3, 4)).astype("float32")
    assert float(clone(y_true, y_pred)) == float(wrapper(y_true, y_pred))


def test_custom_objects_and_unregistered_subclasses():
    class Scaled(losses.Loss):
        def __init__(self, scale=1.0, **kwargs):
            super().__init__(**kwargs)
            self.scale = scale

        def call(self, y_true, y_pred):
            return self.scale * (y_pred - y_true).mean(axis=-1)

        def get_config(self):
            return {**super().get_config(), "scale": self.scale}

    serialized = losses.serialize(Scaled(scale=3.0))
    assert serialized["class_name"] == "Scaled"
    assert serialized["registered_name"] == "Scaled"
    with pytest.raises(ValueError, match="Unknown loss: 'Scaled'"):
        losses.deserialize(serialized)
    clone = losses.deserialize(serialized, custom_objects={"Scaled": Scaled})
    assert clone.scale == 3.0

    def my_loss(y_true, y_pred):
        return y_pred

    assert losses.deserialize("my_loss", custom_objects={"my_loss": my_loss}) is my_loss
    with pytest.raises(ValueError, match="lambda"):
        losses.serialize(lambda y_true, y_pred: y_pred)


@pytest.mark.parametrize(
    "identifier, expected",
    [
        ("mse", "mean_squared_error"),
        ("MSE", "mean_squared_error"),
        ("mae", "mean_absolute_error"),
        ("MAPE", "mean_absolute_percentage_error"),
        ("msle", "mean_squared_logarithmic_error"),
        ("kld", "kl_divergence"),
        ("BCE", "binary_crossentropy"),
        ("sparse_categorical_crossentropy", "sparse_categorical_crossentropy"),
        ("huber", "huber"),
        ("ctc", "ctc"),
    ],
)
def test_get_resolves_function_names(identifier, expected):
    found = losses.get(identifier)
    assert found is getattr(losses, expected)
    theirs = keras.losses.get(identifier)
    assert theirs.__name__ == found.__name__


def test_get_resolves_classes_dicts_and_objects():
    assert isinstance(losses.get("MeanSquaredError"), losses.MeanSquaredError)
    assert isinstance(
        losses.get("SparseCategoricalCrossentropy"),
        losses.SparseCategoricalCrossentropy,
    )
    made = losses.get(
        {"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}}
    )
    assert isinstance(made, losses.CategoricalCrossentropy) and made.from_logits
    instance = losses.Hinge()
    assert losses.get(instance) is instance
    assert isinstance(losses.get(losses.Poisson), losses.Poisson)
    assert losses.get(losses.poisson) is losses.poisson
    assert losses.get(None) is None
    assert losses.mse is losses.mean_squared_error is losses.MSE


def test_get_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match=r"Unknown loss: 'mean_sq'.*'Huber'.*'mse'"):
        losses.get("mean_sq")
    with pytest.raises(ValueError, match="Could not interpret loss identifier: 3"):
        losses.get(3)
    with pytest.raises(ValueError, match="not a Loss class"):
        losses.deserialize({"class_name": "huber", "config": {}})


def test_auto_names_and_dtype(rng):
    assert losses.LossFunctionWrapper(losses.mse).name == "loss_function_wrapper"
    assert losses.LossFunctionWrapper(losses.mse).name == "loss_function_wrapper_1"
    assert losses.MeanSquaredError(dtype="float64").dtype == "float64"
    assert losses.MeanSquaredError().dtype == "float32"
    assert np.isclose(float(losses.MeanSquaredError()([[1.0]], [[3.0]])), 4.0)
