"""Model files written by real tf.keras 2.15 load in kerax and convert to Keras 3.

The fixtures (``fixtures/keras2``) come from ``make_fixtures.py`` run under
TensorFlow 2.15; each ``<name>_io.npz`` holds an input batch and tf.keras's
predictions, and for the trained models the weights after one more training
step from the saved state.
"""

import io
import json
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import h5py
import jax
import numpy as np
import pytest

import kerax
from kerax.saving.keras2_config import Keras2ConfigError, keras2_to_keras3
from kerax.saving.keras2_convert import convert
from kerax.saving.keras2_weights import optimizer_pairs

FIXTURES = Path(__file__).parent / "fixtures" / "keras2"
NAMES = [
    "mlp",
    "multi_io",
    "conv",
    "text",
    "sequence",
    "nested",
    "legacy_optimizer",
    "zoo",
    "tf_ops",
]
COMPILED = {  # name: (optimizer class, learning rate, loss)
    "mlp": ("Adam", 0.01, "sparse_categorical_crossentropy"),
    "multi_io": ("RMSprop", 0.001, ["mse", "binary_crossentropy"]),
    "conv": ("SGD", 0.01, "mse"),
    "nested": ("Adam", 0.001, "mse"),
    "legacy_optimizer": ("Adam", None, "mae"),  # a decay schedule, tested below
}
# Optimizer states written in Keras 2.11+'s layout (not legacy optimizers).
# ``mlp`` is not resumed: its dropout masks come from another random stream.
CURRENT = ["mlp", "multi_io", "conv", "nested"]
TRAINED = [(n, s) for n in ("multi_io", "conv", "nested") for s in (".keras", ".h5")]
TRAINED.append(("legacy_optimizer", ".h5"))
SUFFIXES = [".keras", ".h5"]


def _io(name):
    data = np.load(FIXTURES / f"{name}_io.npz")
    pick = sorted(k for k in data.files if k[0] in "xy" and k[1:].isdigit())
    xs = [data[k] for k in pick if k[0] == "x"]
    ys = [data[k] for k in pick if k[0] == "y"]
    return data, xs, ys


def _load(path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return kerax.models.load_model(str(path), **kwargs)


def _predict(model, xs):
    out = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    return [np.asarray(o) for o in (out if isinstance(out, (list, tuple)) else [out])]


def _assert_predicts(model, name):
    _, xs, ys = _io(name)
    got = _predict(model, xs)
    assert len(got) == len(ys)
    for a, b in zip(got, ys):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def _stored_optimizer(path):
    """Keras 2's optimizer arrays, in order, read straight from the file."""
    if path.suffix == ".h5":
        with h5py.File(path, "r") as h5file:
            group = h5file["optimizer_weights"]
            return [group[n][()] for n in group.attrs["weight_names"]]
    with zipfile.ZipFile(path) as archive:
        data = archive.read("model.weights.h5")
    with h5py.File(io.BytesIO(data), "r") as h5file:
        group = h5file["optimizer/vars"]
        return [group[str(i)][()] for i in range(len(group))]


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("name", NAMES)
def test_loads_and_predicts_like_tf_keras(name, suffix):
    model = _load(FIXTURES / f"{name}{suffix}")
    _assert_predicts(model, name)
    assert model.compiled == (name in COMPILED)
    if name in COMPILED:
        optimizer, learning_rate, loss = COMPILED[name]
        assert type(model.optimizer).__name__ == optimizer
        if learning_rate is not None:
            np.testing.assert_allclose(
                float(model.optimizer.learning_rate), learning_rate, rtol=1e-6
            )
        assert model.loss == loss


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("name", CURRENT)
def test_optimizer_state_is_restored(name, suffix):
    path = FIXTURES / f"{name}{suffix}"
    model = _load(path)
    stored = _stored_optimizer(path)
    variables = [
        v for v in model.optimizer.variables if not v.path.endswith("learning_rate")
    ]
    assert len(variables) == len(stored) and int(stored[0]) > 0
    for variable, value in zip(variables, stored):
        np.testing.assert_array_equal(np.asarray(variable.numpy()), value)
    assert not _load(path, compile=False).compiled


def _batch(data):
    xs = [data[k] for k in sorted(data.files) if k.startswith("train_x")]
    ys = [data[k] for k in sorted(data.files) if k.startswith("train_y")]
    return (xs if len(xs) > 1 else xs[0]), (ys if len(ys) > 1 else ys[0])


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("name", list(COMPILED))
def test_losses_and_metrics_evaluate_like_tf_keras(name, suffix):
    model = _load(FIXTURES / f"{name}{suffix}")
    data, _, _ = _io(name)
    scores = model.evaluate(*_batch(data), verbose=0, return_dict=True)
    want = {k[len("evaluated_") :]: data[k] for k in data.files if "evaluated_" in k}
    assert set(scores) == set(want)
    for key, value in want.items():
        np.testing.assert_allclose(float(scores[key]), value, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name,suffix", TRAINED)
def test_training_resumes_like_tf_keras(name, suffix):
    model = _load(FIXTURES / f"{name}{suffix}")
    data, _, _ = _io(name)
    model.train_on_batch(*_batch(data))
    checked = 0
    for layer in model.layers:
        for i, weight in enumerate(layer.get_weights()):
            want = data[f"trained_{layer.name}_{i}"]
            # TF's fused batch norm (4-D inputs) updates the moving variance with
            # Bessel's correction n/(n-1); Keras 3 does not (here n = 64).
            fused = isinstance(layer, kerax.layers.BatchNormalization) and i == 3
            tolerance = 2e-4 if fused and name == "conv" else 1e-5
            np.testing.assert_allclose(
                np.asarray(weight), want, rtol=1e-5, atol=tolerance
            )
            checked += 1
    assert checked == sum(k.startswith("trained_") for k in data.files)


def test_legacy_optimizer_state():
    """tf.keras.optimizers.legacy.Adam(decay=...): the decay becomes a schedule.

    ``.h5`` files name the legacy slots, which are reordered (training then
    resumes like tf.keras, see above); Keras 2 ``.keras`` files hold no legacy
    optimizer state, so the optimizer starts fresh, with a warning.
    """
    h5_model = _load(FIXTURES / "legacy_optimizer.h5")
    schedule = h5_model.optimizer._learning_rate
    assert type(schedule).__name__ == "InverseTimeDecay"
    assert int(h5_model.optimizer.iterations.numpy()) == 2
    np.testing.assert_allclose(
        float(h5_model.optimizer.learning_rate), 0.05 / (1 + 0.01 * 2), rtol=1e-6
    )
    stored = _stored_optimizer(FIXTURES / "legacy_optimizer.h5")
    momentum = next(  # the first kernel's first moment
        v
        for v in h5_model.optimizer.variables
        if v.path.endswith("dense_kernel_momentum")
    )
    np.testing.assert_array_equal(np.asarray(momentum.numpy()), stored[1])
    with pytest.warns(UserWarning, match="holds no optimizer state"):
        keras_model = kerax.models.load_model(str(FIXTURES / "legacy_optimizer.keras"))
    assert int(keras_model.optimizer.iterations.numpy()) == 0
    for a, b in zip(keras_model.get_weights(), h5_model.get_weights()):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_keras2_files_are_reported_as_mapped():
    with pytest.warns(UserWarning, match="written by Keras 2.*time_major"):
        kerax.models.load_model(str(FIXTURES / "text.keras"))
    with pytest.warns(UserWarning, match="SlicingOpLambda -> GetItem"):
        kerax.models.load_model(str(FIXTURES / "multi_io.h5"))


@pytest.mark.parametrize("name", ["mlp", "multi_io", "text"])
def test_real_keras3_cannot_read_keras2_archives(name):
    import keras

    with pytest.raises(Exception):  # noqa: B017 - whatever Keras raises
        keras.saving.load_model(str(FIXTURES / f"{name}.keras"))


@pytest.mark.parametrize(
    "name,suffix",
    [(name, ".keras") for name in NAMES] + [("mlp", ".h5"), ("multi_io", ".h5")],
)
def test_convert_gives_a_file_keras3_loads(tmp_path, name, suffix):
    import keras

    target = tmp_path / "new.keras"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        convert(FIXTURES / f"{name}{suffix}", target)
    with zipfile.ZipFile(target) as archive:
        assert json.loads(archive.read("metadata.json"))["keras_version"][0] == "3"
    with jax.numpy_rank_promotion("allow"):
        loaded = keras.saving.load_model(str(target))
        _assert_predicts(loaded, name)
    if name in COMPILED:
        assert type(loaded.optimizer).__name__ == COMPILED[name][0]
        stored = (
            [0]  # Keras 2 .keras files hold no legacy optimizer state
            if (name, suffix) == ("legacy_optimizer", ".keras")
            else _stored_optimizer(FIXTURES / f"{name}{suffix}")
        )
        assert int(loaded.optimizer.iterations.numpy()) == int(stored[0])
    else:
        assert not loaded.compiled
    again = _load(target)
    _assert_predicts(again, name)


def test_convert_command_line(tmp_path):
    import keras

    target = tmp_path / "nested3.keras"
    command = [sys.executable, "-m", "kerax", "convert"]
    done = subprocess.run(
        [*command, str(FIXTURES / "nested.keras"), str(target)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout
    with jax.numpy_rank_promotion("allow"):
        _assert_predicts(keras.saving.load_model(str(target)), "nested")
    refused = subprocess.run(
        [*command, str(FIXTURES / "nested.keras"), str(target)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert refused.returncode != 0 and "--force" in refused.stderr


def test_convert_refuses_bad_destinations(tmp_path):
    with pytest.raises(ValueError, match="must end in .keras"):
        convert(FIXTURES / "mlp.h5", tmp_path / "out.h5")
    with pytest.raises(ValueError, match="same file"):
        convert(FIXTURES / "mlp.keras", FIXTURES / "mlp.keras")


def _rewrite_config(tmp_path, name, edit):
    """A copy of fixture ``name``.keras whose config.json went through ``edit``."""
    target = tmp_path / f"{name}.keras"
    with zipfile.ZipFile(FIXTURES / f"{name}.keras") as source:
        entries = {n: source.read(n) for n in source.namelist()}
    config = json.loads(entries["config.json"])
    edit(config)
    entries["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(target, "w") as archive:
        for entry, data in entries.items():
            archive.writestr(entry, data)
    return target


def _layer(config, class_name):
    return next(e for e in config["config"]["layers"] if e["class_name"] == class_name)


def test_unmappable_arguments_are_named(tmp_path):
    def time_major(config):
        _layer(config, "GRU")["config"]["time_major"] = True

    with pytest.raises(Keras2ConfigError, match=r"'gru' \(GRU\).*time_major=True"):
        _load(_rewrite_config(tmp_path, "text", time_major))

    def two_axes(config):
        _layer(config, "BatchNormalization")["config"]["axis"] = [1, 2]

    with pytest.raises(Keras2ConfigError, match=r"'bn'.*axis=\[1, 2\]"):
        _load(_rewrite_config(tmp_path, "multi_io", two_axes))


def test_tensorflow_ops_are_refused_by_name(tmp_path):
    def tf_op(config):
        entry = _layer(config, "SlicingOpLambda")
        entry["class_name"] = "TFOpLambda"
        entry["config"]["function"] = "math.reduce_logsumexp"

    with pytest.raises(Keras2ConfigError, match="tf.math.reduce_logsumexp"):
        _load(_rewrite_config(tmp_path, "multi_io", tf_op))

    def conjugate(config):
        entry = next(e for e in config["config"]["layers"] if "transpose" in e["name"])
        entry["inbound_nodes"][0][3]["conjugate"] = True

    with pytest.raises(Keras2ConfigError, match="transpose with conjugate=True"):
        _load(_rewrite_config(tmp_path, "tf_ops", conjugate))


def test_lambda_bytecode_is_refused_and_weights_load_into_code(tmp_path):
    def to_lambda(config):  # the entry tf.keras 2.15 writes for Lambda(fn)
        entry = config["config"]["layers"][2]
        entry.update(class_name="Lambda", module="keras.layers")
        entry["config"] = {
            "name": "dropout",
            "function": ["4wEAAAAAAAAAAAAAAAIAAAADAAAA8wwAAAA=\n", None, None],
            "function_type": "lambda",
            "module": "__main__",
            "output_shape": None,
            "output_shape_type": "raw",
            "output_shape_module": None,
            "arguments": {},
        }

    path = _rewrite_config(tmp_path, "mlp", to_lambda)
    with pytest.raises(Keras2ConfigError, match="'dropout' \\(Lambda\\).*bytecode"):
        _load(path, safe_mode=False)
    model = kerax.Sequential(
        [
            kerax.Input((4,)),
            kerax.layers.Dense(8, activation="relu", name="hidden"),
            kerax.layers.Lambda(lambda x: x),
            kerax.layers.Dense(3, activation="softmax", name="probs"),
        ]
    )
    model.load_weights(str(path))
    _assert_predicts(model, "mlp")
    with pytest.raises(ValueError, match="skip_mismatch=True is not supported"):
        model.load_weights(str(path), skip_mismatch=True)


def test_named_lambda_functions_are_looked_up():
    entry = {
        "class_name": "Lambda",
        "config": {"name": "l", "function": "relu", "function_type": "function"},
    }
    config, _ = keras2_to_keras3(entry)
    layer = kerax.saving.deserialize_keras_object({**config, "module": "keras.layers"})
    x = np.array([[-1.0, 2.0]], "float32")
    np.testing.assert_array_equal(np.asarray(layer(x)), [[0.0, 2.0]])


def test_weights_of_another_model_are_refused(tmp_path):
    def smaller(config):
        _layer(config, "Dense")["config"]["units"] = 5

    with pytest.raises(ValueError, match="Shape mismatch"):
        _load(_rewrite_config(tmp_path, "text", smaller))


def test_mixed_precision_policies_are_mapped():
    policy = {
        "module": "keras.mixed_precision",
        "class_name": "Policy",
        "config": {"name": "mixed_float16"},
        "registered_name": None,
    }
    dense = {
        "module": "keras.layers",
        "class_name": "Dense",
        "config": {"name": "d", "units": 2, "dtype": policy},
    }
    config, _ = keras2_to_keras3(dense)
    layer = kerax.saving.deserialize_keras_object(config)
    assert layer.dtype_policy.name == "mixed_float16"
    assert layer.compute_dtype == "float16" and layer.variable_dtype == "float32"


def test_legacy_optimizer_arguments_are_mapped():
    legacy = {
        "class_name": "Adam",
        "config": {"lr": 0.1, "decay": 0.5, "is_legacy_optimizer": True},
    }
    config, mapped = keras2_to_keras3({"optimizer": legacy})
    optimizer = kerax.optimizers.deserialize(config["optimizer"])
    schedule = optimizer._learning_rate
    for step in (0, 1, 4):
        np.testing.assert_allclose(float(schedule(step)), 0.1 / (1 + 0.5 * step))
    assert {"optimizer lr", "optimizer decay"} <= mapped
    renamed, _ = keras2_to_keras3(
        {"optimizer_config": {"class_name": "Custom>SGD", "config": {}}}
    )
    assert renamed["optimizer_config"]["class_name"] == "SGD"


def test_nadam_product_is_recomputed_from_the_step_count():
    variable = kerax.Variable(np.ones((2,), "float32"))
    trained = kerax.optimizers.Nadam(0.1)
    for _ in range(3):
        trained.apply_gradients([(np.ones((2,), "float32"), variable)])
    fresh = kerax.optimizers.Nadam(0.1)
    fresh.build([kerax.Variable(np.ones((2,), "float32"))])
    keras2 = [np.asarray(3, "int64")] + [
        np.asarray(v.numpy())
        for v in trained.variables
        if not v.path.endswith(("learning_rate", "u_product"))
    ][1:]
    for target, value in optimizer_pairs(fresh, keras2):
        target.assign(value)
    for got, want in zip(fresh.variables, trained.variables):
        np.testing.assert_allclose(
            np.asarray(got.numpy()), np.asarray(want.numpy()), rtol=1e-6
        )


def test_misfitting_optimizer_state_warns_and_starts_fresh():
    optimizer = kerax.optimizers.Adam()
    optimizer.build([kerax.Variable(np.ones((2,), "float32"))])
    with pytest.raises(ValueError, match="3 state variables.*holds 2"):
        optimizer_pairs(optimizer, [np.asarray(1), np.zeros(2)])
    with pytest.raises(ValueError, match="shape"):
        optimizer_pairs(optimizer, [np.asarray(1), np.zeros(3), np.zeros(3)])
