"""Legacy Keras ``.h5`` files: full models and weights, kerax <-> Keras 3."""

import json

import h5py
import jax
import numpy as np
import pytest

import kerax
from kerax.saving import load_model


def _randomize(model, seed=0):
    rng = np.random.default_rng(seed)
    model.set_weights(
        [rng.uniform(0.1, 1.0, w.shape).astype(w.dtype) for w in model.get_weights()]
    )


def _keras_predict(model, x):
    with jax.numpy_rank_promotion("allow"):  # Keras relies on implicit promotion
        return model.predict(x, verbose=0)


def _keras_functional(lib):
    inputs = lib.Input((5, 5, 2))
    x = lib.layers.Conv2D(3, 3, name="conv")(inputs)
    x = lib.layers.BatchNormalization(name="bn")(x)
    x = lib.layers.Flatten()(x)
    outputs = lib.layers.Dense(4, activation="relu", name="head")(x)
    return lib.Model(inputs, outputs)


def _keras_sequential(lib):
    return lib.Sequential(
        [
            lib.Input((6,), dtype="int32"),
            lib.layers.Embedding(10, 4, name="emb"),
            lib.layers.Bidirectional(lib.layers.LSTM(3), name="bi"),
            lib.layers.Dense(2, name="out"),
        ]
    )


_BUILDERS = {
    "functional": (_keras_functional, lambda rng: rng.normal(size=(2, 5, 5, 2))),
    "sequential": (_keras_sequential, lambda rng: rng.integers(0, 10, (2, 6))),
}


def _input(kind):
    data = _BUILDERS[kind][1](np.random.default_rng(1))
    return data.astype("float32" if data.dtype.kind == "f" else "int32")


@pytest.mark.parametrize("kind", sorted(_BUILDERS))
def test_keras_h5_loads_in_kerax(tmp_path, kind):
    import keras

    with jax.numpy_rank_promotion("allow"):
        model = _BUILDERS[kind][0](keras)
    _randomize(model)
    path = str(tmp_path / "m.h5")
    keras.saving.save_model(model, path)
    loaded = load_model(path)
    x = _input(kind)
    np.testing.assert_allclose(
        np.asarray(loaded.predict(x, verbose=0)), _keras_predict(model, x), atol=1e-5
    )


@pytest.mark.parametrize("kind", sorted(_BUILDERS))
def test_kerax_h5_loads_in_keras(tmp_path, kind):
    import keras

    model = _BUILDERS[kind][0](kerax)
    _randomize(model, seed=3)
    path = str(tmp_path / "m.h5")
    model.save(path)
    with jax.numpy_rank_promotion("allow"):
        loaded = keras.saving.load_model(path)
    x = _input(kind)
    np.testing.assert_allclose(
        _keras_predict(loaded, x), np.asarray(model.predict(x, verbose=0)), atol=1e-5
    )
    again = load_model(path)
    np.testing.assert_allclose(
        np.asarray(again.predict(x, verbose=0)),
        np.asarray(model.predict(x, verbose=0)),
        atol=1e-6,
    )


def test_training_config_recompiles_both_ways(tmp_path):
    import keras

    model = _keras_functional(keras)
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss=keras.losses.Huber())
    keras.saving.save_model(model, str(tmp_path / "k.h5"))
    loaded = load_model(str(tmp_path / "k.h5"))
    assert loaded.compiled and isinstance(loaded.optimizer, kerax.optimizers.SGD)
    assert float(loaded.optimizer.learning_rate) == pytest.approx(0.05)
    assert not load_model(str(tmp_path / "k.h5"), compile=False).compiled
    loaded.save(str(tmp_path / "x.h5"))
    with h5py.File(tmp_path / "x.h5") as h5file:
        training = json.loads(h5file.attrs["training_config"])
    assert training["optimizer_config"]["class_name"] == "SGD"
    back = keras.saving.load_model(str(tmp_path / "x.h5"))
    assert isinstance(back.optimizer, keras.optimizers.SGD)
    assert isinstance(back.loss, keras.losses.Huber)


def _keras_weights_file(model, path):
    from keras.src.legacy.saving import legacy_h5_format

    with h5py.File(path, "w") as h5file:
        legacy_h5_format.save_weights_to_hdf5_group(h5file, model)


def test_legacy_weights_both_ways(tmp_path):
    import keras

    source = _keras_functional(keras)
    _randomize(source, seed=5)
    _keras_weights_file(source, tmp_path / "k.h5")
    target = _keras_functional(kerax)
    target.load_weights(str(tmp_path / "k.h5"))
    for got, want in zip(target.get_weights(), source.get_weights()):
        np.testing.assert_array_equal(np.asarray(got), want)
    _randomize(target, seed=6)
    target.save_weights(str(tmp_path / "x.h5"))
    back = _keras_functional(keras)
    back.load_weights(str(tmp_path / "x.h5"))
    for got, want in zip(back.get_weights(), target.get_weights()):
        np.testing.assert_array_equal(got, np.asarray(want))


def test_by_name_and_skip_mismatch(tmp_path):
    source = kerax.Sequential(
        [
            kerax.Input((3,)),
            kerax.layers.Dense(4, name="a"),
            kerax.layers.Dense(2, name="b"),
        ]
    )
    _randomize(source)
    path = str(tmp_path / "w.h5")
    source.save_weights(path)
    target = kerax.Sequential(
        [
            kerax.Input((3,)),
            kerax.layers.Dense(4, name="a"),
            kerax.layers.Dense(5, name="c"),
            kerax.layers.Dense(3, name="b"),
        ]
    )
    before = [np.asarray(w) for w in target.get_weights()]
    with pytest.raises(ValueError, match="Layer count mismatch"):
        target.load_weights(path)
    with pytest.raises(ValueError, match="layer 'b' has shape"):
        target.load_weights(path, by_name=True)
    assert all(
        np.array_equal(a, np.asarray(b)) for a, b in zip(before, target.get_weights())
    )
    with pytest.warns(UserWarning, match="Skipping weights"):
        target.load_weights(path, by_name=True, skip_mismatch=True)
    got = target.get_weights()
    np.testing.assert_array_equal(
        np.asarray(got[0]), np.asarray(source.get_weights()[0])
    )
    np.testing.assert_array_equal(np.asarray(got[2]), before[2])
    np.testing.assert_array_equal(np.asarray(got[4]), before[4])
    source.save_weights(str(tmp_path / "w.weights.h5"))
    with pytest.raises(ValueError, match="by_name=True applies only"):
        target.load_weights(str(tmp_path / "w.weights.h5"), by_name=True)


def test_keras2_config_is_mapped(tmp_path):
    model = kerax.Sequential(
        [
            kerax.Input((4, 3)),
            kerax.layers.LSTM(2, return_sequences=True, name="lstm"),
            kerax.layers.Bidirectional(kerax.layers.LSTM(2), name="bi"),
            kerax.layers.BatchNormalization(name="bn"),
        ]
    )
    _randomize(model)
    path = str(tmp_path / "k2.h5")
    model.save(path)
    lstm = {"units": 2, "time_major": False, "implementation": 2}
    keras2 = {
        "class_name": "Sequential",
        "config": {
            "name": "sequential",
            "layers": [
                {
                    "class_name": "LSTM",
                    "config": {
                        "name": "lstm",
                        "batch_input_shape": [None, 4, 3],
                        "return_sequences": True,
                        "kernel_initializer": {
                            "class_name": "GlorotUniform",
                            "config": {"seed": None},
                        },
                        **lstm,
                    },
                },
                {
                    "class_name": "Bidirectional",
                    "config": {
                        "name": "bi",
                        "layer": {"class_name": "LSTM", "config": lstm},
                    },
                },
                {
                    "class_name": "BatchNormalization",
                    "config": {"name": "bn", "fused": None, "adjustment": None},
                },
            ],
        },
        "keras_version": "2.15.0",
    }
    with h5py.File(path, "a") as h5file:
        h5file.attrs["model_config"] = json.dumps(keras2)
    with pytest.warns(UserWarning, match="batch_input_shape.*time_major"):
        loaded = load_model(path)
    x = np.random.default_rng(2).normal(size=(2, 4, 3)).astype("float32")
    np.testing.assert_allclose(
        np.asarray(loaded.predict(x, verbose=0)),
        np.asarray(model.predict(x, verbose=0)),
        atol=1e-6,
    )
    keras2["config"]["layers"][2]["config"]["adjustment"] = [1.0]
    with h5py.File(path, "a") as h5file:
        h5file.attrs["model_config"] = json.dumps(keras2)
    with pytest.warns(UserWarning), pytest.raises(TypeError, match="adjustment"):
        load_model(path)


def test_truncated_and_malformed_files(tmp_path):
    model = kerax.Sequential([kerax.Input((3,)), kerax.layers.Dense(2)])
    path = tmp_path / "m.h5"
    model.save(str(path))
    data = path.read_bytes()
    (tmp_path / "t.h5").write_bytes(data[: len(data) // 3])
    with pytest.raises(ValueError, match="truncated or corrupt"):
        load_model(str(tmp_path / "t.h5"))
    with pytest.raises(ValueError, match="truncated or corrupt"):
        model.load_weights(str(tmp_path / "t.h5"))
    with h5py.File(tmp_path / "n.h5", "w") as h5file:
        h5file.attrs["other"] = 1
    with pytest.raises(ValueError, match="No model config"):
        load_model(str(tmp_path / "n.h5"))
    with pytest.raises(ValueError, match="not a legacy Keras weights file"):
        model.load_weights(str(tmp_path / "n.h5"))
    with h5py.File(path, "a") as h5file:
        h5file.attrs["model_config"] = json.dumps(
            {"class_name": "Evil", "config": {}, "module": "os"}
        )
    with pytest.raises(TypeError, match="Could not locate class 'Evil'"):
        load_model(str(path))


def test_optimizer_state_round_trips(tmp_path):
    import keras

    x, y = np.ones((4, 5, 5, 2), "float32"), np.ones((4, 4), "float32")
    with jax.numpy_rank_promotion("allow"):
        model = _keras_functional(keras)
        model.compile(
            optimizer=keras.optimizers.Adam(0.01), loss=keras.losses.MeanAbsoluteError()
        )
        model.fit(x, y, epochs=2, verbose=0)
    keras.saving.save_model(model, str(tmp_path / "k.h5"))
    loaded = load_model(str(tmp_path / "k.h5"))
    assert int(loaded.optimizer.iterations.numpy()) == 2
    for got, want in zip(loaded.optimizer.variables, model.optimizer.variables):
        np.testing.assert_allclose(np.asarray(got.numpy()), np.asarray(want), atol=1e-7)
    loaded.fit(x, y, verbose=0)
    loaded.save(str(tmp_path / "x.h5"))
    with jax.numpy_rank_promotion("allow"):
        back = keras.saving.load_model(str(tmp_path / "x.h5"))
    assert int(back.optimizer.iterations.numpy()) == 3
    for got, want in zip(back.optimizer.variables, loaded.optimizer.variables):
        np.testing.assert_allclose(np.asarray(got), np.asarray(want.numpy()), atol=1e-7)


@pytest.mark.parametrize("fraction", [0.5, 0.9, 0.99])
def test_truncation_anywhere_is_a_value_error(tmp_path, fraction):
    model = kerax.Sequential([kerax.Input((30,)), kerax.layers.Dense(200)])
    model.save(str(tmp_path / "m.h5"))
    data = (tmp_path / "m.h5").read_bytes()
    (tmp_path / "t.h5").write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(ValueError):
        load_model(str(tmp_path / "t.h5"))
    with pytest.raises(ValueError):
        model.load_weights(str(tmp_path / "t.h5"))


def test_links_are_refused(tmp_path):
    model = kerax.Sequential([kerax.Input((3,)), kerax.layers.Dense(2, name="d")])
    path = str(tmp_path / "w.h5")
    model.save_weights(path)
    with h5py.File(path, "a") as h5file:
        name = str(h5file["d"].attrs["weight_names"][0])
        del h5file["d"][name]
        h5file["d"][name] = h5py.ExternalLink(str(tmp_path / "other.h5"), "/x")
    with pytest.raises(ValueError, match="refusing.*ExternalLink"):
        model.load_weights(path)


def test_keras2_functional_config(tmp_path):
    inputs = kerax.Input((3,))
    model = kerax.Model(inputs, kerax.layers.Dense(2, activation="relu")(inputs))
    _randomize(model)
    path = str(tmp_path / "f.h5")
    model.save(path)
    dense = {"name": "dense", "units": 2, "activation": "relu"}
    keras2 = {
        "class_name": "Model",
        "config": {
            "name": "model",
            "layers": [
                {
                    "class_name": "InputLayer",
                    "name": "input_1",
                    "config": {"batch_input_shape": [None, 3], "name": "input_1"},
                    "inbound_nodes": [],
                },
                {
                    "class_name": "Dense",
                    "name": "dense",
                    "config": dense,
                    "inbound_nodes": [[["input_1", 0, 0, {}]]],
                },
            ],
            "input_layers": [["input_1", 0, 0]],
            "output_layers": [["dense", 0, 0]],
        },
    }
    with h5py.File(path, "a") as h5file:
        h5file.attrs["model_config"] = json.dumps(keras2)
    with pytest.warns(UserWarning, match="class Model"):
        loaded = load_model(path)
    x = np.random.default_rng(4).normal(size=(2, 3)).astype("float32")
    np.testing.assert_allclose(
        np.asarray(loaded.predict(x, verbose=0)),
        np.asarray(model.predict(x, verbose=0)),
        atol=1e-6,
    )
